"""The attendance reports as pages: the monthly recap (and its XLSX/CSV), one employee's month with its TPP
cut, and the first working day after a long holiday beside a normal day. The numbers come from `reports`;
what is here only picks the month, the unit and the rows to show."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
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
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.recap import UnitRecap
from satulayar.attendance.selectors import holiday_names, scope_roots, unit_day_rows
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.city import request_city
from satulayar.core.decorators import capability_required
from satulayar.core.periods import month_neighbours
from satulayar.core.time import local_date
from satulayar.org import access
from satulayar.org.models import City, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADS = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


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
    roots = scope_roots(units)
    return roots[0] if len(roots) == 1 else None


def _expanded(units: list[Unit], chosen: Unit | None) -> set[int]:
    """The units a tree shows: the tops of the scope, and the children of the chosen unit and its ancestors."""
    ids = {unit.pk for unit in units}
    open_ids = set(chosen.ancestor_ids) if chosen else set()
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
    today = local_date(request_city(request, user_fallback=True))
    units = list(access.units_for(request.user).filter(active=True).order_by("path"))
    month = MonthForm(request.GET or None).month(default=today)
    unit = _chosen_unit(request, units)
    unit_rows = [row for row in reports.unit_monthly_recap(user=request.user, year=month.year, month=month.month)
                 if row.employees]
    month_label = date_format(month, "F Y")
    kind = request.GET.get("unduh")
    if kind in DOWNLOADS and request.GET.get("isi") == "unit":
        roots = scope_roots(units)
        scope_slug = (slugify(roots[0].short_name or roots[0].code) if len(roots) == 1
                      else request_city(request, user_fallback=True).slug)
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
    root_ids = {root.pk for root in scope_roots(units)}
    total = UnitRecap(unit_name=_("Jumlah"))
    for row in unit_rows:
        if row.unit_id in root_ids:
            total.add(row)
            total.employees += row.employees
    parents = {u.parent_id for u in units}
    previous, following = month_neighbours(month)
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


@login_required
def recap_employee(request, employee_id: int, month: str):
    """One employee's month: each day and each TPP line. An employee may open their own; others by scope."""
    scope = access.scope_for(request.user)
    if not (scope.can("view_employees") or scope.can("view_self")):
        raise PermissionDenied
    try:
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        raise Http404(_("Bulan tidak valid.")) from None
    data = reports.employee_month(user=request.user, employee_id=employee_id, year=first.year, month=first.month)
    employee = data.employee
    today = local_date(employee.unit.city)
    lines = [{"line": line, "label": TppViolation(line.violation).label,
              "colour": TppViolation(line.violation).colour} for line in data.tpp.lines]
    days = [{"status": day, "label": DayStatus(day.status).label, "colour": DayStatus(day.status).colour,
             "tpp": [item for item in lines if item["line"].date == day.date]} for day in data.days]
    previous, following = month_neighbours(first)
    return render(request, "attendance/recap_employee.html", {
        "employee": employee, "month": first, "data": data, "recap": data.recap, "tpp": data.tpp,
        "lines": lines, "days": days, "previous": previous, "next": following if following <= today else None,
        "can_correct": access.can_manage_employee(request.user, employee),
        "can_view_unit": scope.can("view_employees"),
    })


# --- first working day after a long holiday --------------------------------------------------------------------


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
    city = request_city(request, user_fallback=True)
    today = local_date(city)
    first_data = DailyStatus.objects.filter(employee__unit__city=city).aggregate(first=Min("date"))["first"]
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
