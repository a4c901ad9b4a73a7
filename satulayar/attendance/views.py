import calendar

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from satulayar.attendance import checkin, reports
from satulayar.attendance.choices import DayStatus
from satulayar.attendance.forms import CheckinForm, MonthForm
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.status import days_open
from satulayar.attendance.tasks import selfie_retention_days
from satulayar.core.decorators import capability_required, is_htmx
from satulayar.core.periods import month_neighbours
from satulayar.org import access
from satulayar.org.models import Employee
from satulayar.org.ordering import tree_order


def _own_employee(request) -> Employee:
    return access.employee_get_for_user(user=request.user, pk=access.scope_for(request.user).employee_id)


@capability_required("view_self")
@require_http_methods(["GET", "POST"])
def checkin_page(request):
    employee = _own_employee(request)
    form = CheckinForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            punch = checkin.checkin_record(user=request.user, lat=data["lat"], lon=data["lon"],
                                           accuracy_m=data["accuracy"], selfie=data["selfie"],
                                           client_uuid=data["client_uuid"], confirm_early=data["confirm_early"],
                                           altitude_m=data["altitude"], browser_id=data["browser_id"])
        except ValidationError as exc:
            early = getattr(exc, "code", None) == "early_leave"
            result = {"ok": False, "message": " ".join(exc.messages), "confirm_early": early}
            status = 422
        else:
            result = {"ok": True, "message": _success_message(punch)}
            form = CheckinForm()
    elif request.method == "POST":
        result = {"ok": False, "message": _("Data presensi tidak lengkap. Muat ulang halaman lalu coba lagi.")}
        status = 422
    context = {"day": checkin.checkin_day_for(employee=employee), "form": form, "result": result,
               "max_accuracy_m": checkin.max_accuracy_m(),
               "selfie_days": selfie_retention_days()}
    if is_htmx(request):
        # htmx swaps only 2xx answers; the refusal is in the partial itself.
        return render(request, "attendance/_checkin_panel.html", context)
    return render(request, "attendance/checkin.html", context, status=status)


def _success_message(punch) -> str:
    local = timezone.localtime(punch.at)
    params = {"time": formats.time_format(local, "TIME_FORMAT"), "zone": local.tzname(),
              "site": punch.site.name if punch.site else ""}
    if getattr(punch, "already_recorded", False):
        return _("Sudah tercatat pukul %(time)s %(zone)s; presensi tidak disimpan lagi.") % params
    if punch.site and punch.distance_m is not None and punch.distance_m <= punch.site.radius_m:
        return _("Tercatat %(time)s %(zone)s di %(site)s.") % params
    if punch.site:
        params["distance"] = checkin.meters(punch.distance_m)
        return _("Tercatat %(time)s %(zone)s sebagai dinas luar, %(distance)s m dari %(site)s.") % params
    return _("Tercatat %(time)s %(zone)s sebagai dinas luar.") % params


# --- today by unit -------------------------------------------------------------------------------------------


def _with_staff(rows: list[reports.UnitToday]) -> list[reports.UnitToday]:
    """Units that have active staff, and their ancestors so the tree still reads; parent first, siblings in the
    city's order. Each row gets `subtree`: its own staff and every sub-unit's, what a parent row shows (a
    secretariat's 25/25 hid its bagian's absences when it counted only its own staff)."""
    keep = set()
    for row in rows:
        if row.employees:
            keep.update(row.unit.ancestor_ids)
    kept = tree_order([row for row in rows if row.unit.pk in keep], lambda row: row.unit)
    ids = {row.unit.pk for row in kept}
    for row in kept:
        row.subtree = reports.UnitToday(unit=row.unit)
        row.tree_parent = row.unit.parent_id if row.unit.parent_id in ids else None
        row.has_children = False
    for row in kept:
        for other in kept:
            if row.unit.contains_path(other.unit.path):
                row.subtree.add(other)
                row.has_children = row.has_children or other is not row
    return kept


def _total(rows: list[reports.UnitToday]) -> reports.UnitToday:
    total = reports.UnitToday(unit=None)
    for row in rows:
        total.add(row)
    return total


def _page_number(request) -> int:
    value = request.GET.get("halaman", "")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


@capability_required("view_employees")
def today(request):
    date = timezone.localdate()  # the city's day: CityTimezoneMiddleware activated its zone
    unit = access.unit_get_for_user(user=request.user, pk=request.GET["unit"]) if request.GET.get("unit") else None
    if unit is not None:
        days_open(cities=[request.city])
        page = _page_number(request)
        found = reports.not_in_today(unit_ids=[unit.pk], date=date, limit=reports.PAGE_SIZE + 1,
                                     offset=(page - 1) * reports.PAGE_SIZE)
        missing = [(employee, DayStatus(status)) for employee, status in found[:reports.PAGE_SIZE]]
        context = {"unit": unit, "date": date, "missing": missing, "page": page,
                   "next_page": page + 1 if len(found) > reports.PAGE_SIZE else None}
        template = "attendance/_not_in_yet.html" if is_htmx(request) else "attendance/not_in_yet.html"
        return render(request, template, context)
    rows = reports.today_by_unit(user=request.user)
    return render(request, "attendance/today.html", {"rows": _with_staff(rows), "date": date, "total": _total(rows)})


@capability_required("view_self")
def mine(request):
    employee = _own_employee(request)
    today_ = timezone.localdate()
    form = MonthForm(request.GET or None)
    month = form.month(default=today_)
    last_day = calendar.monthrange(month.year, month.month)[1]
    statuses = {s.date: s for s in DailyStatus.objects.filter(employee=employee, date__gte=month,
                                                              date__lte=month.replace(day=last_day))}
    days = []
    for date in (month.replace(day=n) for n in range(1, last_day + 1)):
        if date > today_:  # days still to come have nothing to show yet
            break
        status = statuses.get(date)
        days.append({"date": date, "status": status, "colour": DayStatus(status.status).colour if status else "",
                     "weekend": date.weekday() >= 5, "future": date > today_})
    counts = {choice: 0 for choice in DayStatus}
    late_total = 0
    for status in statuses.values():
        counts[DayStatus(status.status)] += 1
        late_total += status.late_minutes
    previous, following = month_neighbours(month)
    return render(request, "attendance/mine.html", {
        "employee": employee, "month": month, "days": days, "form": MonthForm(initial={"bulan": f"{month:%Y-%m}"}),
        "previous": previous, "next": following if following <= today_ else None,
        "counts": [(choice, n) for choice, n in counts.items() if n], "late_total": late_total,
        "has_data": bool(statuses),
    })
