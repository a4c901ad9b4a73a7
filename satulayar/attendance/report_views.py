"""The attendance reports as pages: the monthly recap (and its XLSX/CSV), one employee's month with its TPP
cut, and the first working day after a long holiday beside a normal day. The numbers come from `reports`;
what is here only picks the month, the unit and the rows to show."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from satulayar.attendance import exports, reports
from satulayar.attendance.choices import DayStatus, TppViolation
from satulayar.attendance.forms import MonthForm, RecapForm, YearForm
from satulayar.attendance.models import CalendarDay, DailyStatus
from satulayar.attendance.recap import UnitRecap
from satulayar.attendance.schedules import HOLIDAY_KINDS, WorkPlan
from satulayar.attendance.status import local_today
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.decorators import capability_required
from satulayar.org import access
from satulayar.org.models import City, Unit

HOLIDAY_NAME_PREFIX = re.compile(r"^(cuti bersama|hari kedua dari)\s+", re.IGNORECASE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADS = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
TPP_COLOURS = {TppViolation.LATE: "orange", TppViolation.EARLY: "yellow", TppViolation.ABSENT: "red",
               TppViolation.MISSING_OUT: "purple"}


def _user_city(request) -> City:
    city = getattr(request, "city", None)
    if city is not None:
        return city
    city = City.objects.filter(pk__in=access.scope_for(request.user).city_ids).first()
    if city is None:
        raise Http404(_("Kota tidak ditemukan."))
    return city


def _roots(units: list[Unit]) -> list[Unit]:
    """The visible units whose parent is not visible: the tops of the user's scope."""
    ids = {unit.pk for unit in units}
    return [unit for unit in units if unit.parent_id not in ids]


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


# --- monthly recap ---------------------------------------------------------------------------------------------


@dataclass
class RecapRow:
    """A unit's line in the recap, with its depth relative to the top of the user's scope."""

    recap: UnitRecap
    depth: int
    has_children: bool = False

    @property
    def leave(self) -> int:
        recap = self.recap
        return recap.annual_leave + recap.sick + recap.permit + recap.field_duty + recap.study


def _chosen_unit(request, units: list[Unit]) -> Unit | None:
    """The unit in the query (404 when outside the scope); without one, the top of the scope if it is one unit."""
    if "unit" in request.GET:
        pk = request.GET["unit"]
        return access.unit_get_for_user(user=request.user, pk=pk) if pk else None
    roots = _roots(units)
    return roots[0] if len(roots) == 1 else None


def _expanded(units: list[Unit], chosen: Unit | None) -> set[int]:
    """The units a tree shows: the tops of the scope, and the children of the chosen unit and its ancestors."""
    ids = {unit.pk for unit in units}
    open_ids = set(_ancestor_ids(chosen.path)) if chosen else set()
    return {unit.pk for unit in units if unit.parent_id not in ids or unit.parent_id in open_ids}


def _download(request, *, kind: str, rows: list, month: dt.date, slug: str, title: str) -> HttpResponse:
    body = exports.recap_xlsx(rows=rows, title=title) if kind == "xlsx" else exports.recap_csv(rows=rows)
    filename = f"rekap-kehadiran-{month:%Y-%m}-{slug}.{kind}"
    audit_record(actor=request.user, action=AuditAction.VIEW, object_type="attendance.recap",
                 object_repr=filename, note=_("Unduh rekap kehadiran (%(n)s baris)") % {"n": len(rows)})
    response = HttpResponse(body, content_type=DOWNLOADS[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@capability_required("view_employees")
def recap(request):
    today = local_today(_user_city(request))
    units = list(access.units_for(request.user).filter(active=True).order_by("path"))
    month = MonthForm(request.GET or None).month(default=today)
    unit = _chosen_unit(request, units)
    unit_rows = [row for row in reports.unit_monthly_recap(user=request.user, year=month.year, month=month.month)
                 if row.employees]
    month_label = date_format(month, "F Y")
    kind = request.GET.get("unduh")
    if kind in DOWNLOADS and request.GET.get("isi") == "unit":
        roots = _roots(units)
        scope_slug = slugify(roots[0].short_name or roots[0].code) if len(roots) == 1 else _user_city(request).slug
        return _download(request, kind=kind, rows=unit_rows, month=month, slug=f"per-unit-{scope_slug}",
                         title=_("Rekap unit %(month)s") % {"month": month_label})
    employee_rows = reports.monthly_recap(user=request.user, year=month.year, month=month.month,
                                          unit_id=unit.pk) if unit else []
    if kind in DOWNLOADS:
        if unit is None:
            raise Http404(_("Pilih unit kerja untuk mengunduh rekap per pegawai."))
        return _download(request, kind=kind, rows=employee_rows, month=month,
                         slug=slugify(unit.short_name or unit.code or unit.name),
                         title=_("Rekap %(month)s") % {"month": month_label})
    top = min((u.depth for u in units), default=0)
    depths = {u.pk: u.depth - top for u in units}
    chosen_total = next((row for row in unit_rows if unit and row.unit_id == unit.pk), None)
    shown = _expanded(units, unit)
    root_ids = {root.pk for root in _roots(units)}
    total = UnitRecap(unit_name=_("Jumlah"))
    for row in unit_rows:
        if row.unit_id in root_ids:
            total.add(row)
            total.employees += row.employees
    parents = {u.parent_id for u in units}
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "attendance/recap.html", {
        "month": month, "month_label": month_label, "unit": unit, "today": today,
        "form": RecapForm(initial={"bulan": f"{month:%Y-%m}", "unit": unit.pk if unit else ""},
                          units=[u for u in units if any(r.unit_id == u.pk for r in unit_rows)]),
        "unit_rows": [RecapRow(recap=row, depth=depths.get(row.unit_id, 0), has_children=row.unit_id in parents)
                      for row in unit_rows if row.unit_id in shown],
        "employee_rows": employee_rows, "chosen_total": chosen_total,
        "unit_total": total if len(root_ids) > 1 else None,
        "future": month > today, "partial": month.year == today.year and month.month == today.month,
        "previous": previous, "next": following if following <= today else None,
    })


def recap_employee(request, employee_id: int, month: str):
    """One employee's month: each day and each TPP line. An employee may open their own; others by scope."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = access.scope_for(request.user)
    if not (scope.can("view_employees") or scope.can("view_self")):
        raise PermissionDenied
    try:
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        raise Http404(_("Bulan tidak valid.")) from None
    data = reports.employee_month(user=request.user, employee_id=employee_id, year=first.year, month=first.month)
    employee = data.employee
    today = local_today(employee.unit.city)
    lines = [{"line": line, "label": TppViolation(line.violation).label,
              "colour": TPP_COLOURS.get(line.violation, "secondary")} for line in data.tpp.lines]
    days = [{"status": day, "label": DayStatus(day.status).label, "colour": DayStatus(day.status).colour,
             "tpp": [item for item in lines if item["line"].date == day.date]} for day in data.days]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(request, "attendance/recap_employee.html", {
        "employee": employee, "month": first, "data": data, "recap": data.recap, "tpp": data.tpp,
        "lines": lines, "days": days, "previous": previous, "next": following if following <= today else None,
        "can_correct": access.can_manage_employee(request.user, employee),
        "can_view_unit": scope.can("view_employees"),
    })


# --- first working day after a long holiday --------------------------------------------------------------------


@dataclass
class DayCounts:
    expected: int = 0
    present: int = 0
    late: int = 0
    absent: int = 0

    @property
    def present_rate(self) -> Decimal | None:
        return (Decimal(100) * self.present / self.expected).quantize(Decimal("0.01")) if self.expected else None


@dataclass
class UnitDayRow:
    unit: Unit
    depth: int
    after: DayCounts = field(default_factory=DayCounts)
    normal: DayCounts = field(default_factory=DayCounts)


def unit_day_rows(*, user, after: dt.date, normal: dt.date | None) -> list[UnitDayRow]:
    """Per unit in scope (its whole subtree), the work-day counts of two dates. The top of the user's scope
    and, when that is a single unit, its sub-units too."""
    units = list(access.units_for(user).filter(active=True).order_by("path"))
    roots = _roots(units)
    shown = roots + [unit for unit in units if len(roots) == 1 and unit.parent_id == roots[0].pk]
    shown.sort(key=lambda unit: unit.path)
    top = min((unit.depth for unit in shown), default=0)
    rows = {unit.pk: UnitDayRow(unit=unit, depth=unit.depth - top) for unit in shown}
    dates = [date for date in (after, normal) if date]
    statuses = (DailyStatus.objects.filter(employee__in=access.employees_for(user), date__in=dates,
                                           scheduled_start__isnull=False)
                .values_list("date", "employee__unit__path", "status", "late_minutes"))
    for date, path, status, late in statuses:
        for unit_id in _ancestor_ids(path):
            row = rows.get(unit_id)
            if row is None:
                continue
            counts = row.after if date == after else row.normal
            counts.expected += 1
            counts.present += status == DayStatus.PRESENT
            counts.late += status == DayStatus.PRESENT and late > 0
            counts.absent += status == DayStatus.ABSENT
    found = [row for row in rows.values() if row.after.expected or row.normal.expected]
    if len(roots) > 1:  # separate units: the weakest first day on top
        found.sort(key=lambda row: (row.after.present_rate is None, row.after.present_rate or 0, -row.after.late))
    return found


def holiday_names(*, city: City, date: dt.date) -> list[str]:
    """The holidays and cuti bersama in the days off just before a work day."""
    plan = WorkPlan(start=date - dt.timedelta(days=21), end=date, city_ids=[city.pk])
    day = date - dt.timedelta(days=1)
    while day > date - dt.timedelta(days=21) and not plan.is_work_day(city_id=city.pk, unit=None, date=day):
        day -= dt.timedelta(days=1)
    names = CalendarDay.objects.filter(city=city, date__gt=day, date__lt=date, kind__in=HOLIDAY_KINDS).order_by(
        "date").values_list("name", flat=True)
    # "Cuti Bersama Hari Raya Idul Fitri" and "Hari kedua dari Hari Raya Idul Fitri" are the same holiday.
    return list(dict.fromkeys(HOLIDAY_NAME_PREFIX.sub("", name) for name in names))


def _comparison_item(user, city: City, date: dt.date) -> dict:
    comparison = reports.holiday_return_comparison(user=user, city=city, date=date)
    after, normal = comparison.after_holiday, comparison.normal
    gap = None
    if normal and after.present_rate is not None and normal.present_rate is not None:
        gap = after.present_rate - normal.present_rate
    return {"comparison": comparison, "after": after, "normal": normal, "gap": gap,
            "drop": -gap if gap is not None and gap < 0 else None,
            "holidays": holiday_names(city=city, date=date)}


@capability_required("view_employees")
def holiday_returns(request):
    city = _user_city(request)
    today = local_today(city)
    first_data = DailyStatus.objects.aggregate(first=Min("date"))["first"]
    years = list(range(today.year, (first_data.year if first_data else today.year) - 1, -1))
    form = YearForm(request.GET or None, years=years)
    year = form.cleaned_data["tahun"] if form.is_valid() and form.cleaned_data["tahun"] else None
    dates = []
    for candidate in ([year] if year else [today.year, today.year - 1]):
        dates = reports.long_holiday_returns(city=city, start=dt.date(candidate, 1, 1),
                                             end=min(dt.date(candidate, 12, 31), today))
        year = candidate
        if dates:
            break
    comparisons = [_comparison_item(request.user, city, date) for date in dates]
    chosen = next((item for item in comparisons if item["after"].date.isoformat() == request.GET.get("tanggal")),
                  comparisons[0] if comparisons else None)
    units = []
    if chosen:
        units = unit_day_rows(user=request.user, after=chosen["after"].date,
                              normal=chosen["normal"].date if chosen["normal"] else None)
    return render(request, "attendance/holiday_returns.html", {
        "year": year, "form": YearForm(initial={"tahun": year}, years=years), "comparisons": comparisons,
        "chosen": chosen, "units": units,
    })
