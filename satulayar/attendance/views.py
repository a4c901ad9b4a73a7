import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from satulayar.attendance import checkin, reports
from satulayar.attendance.choices import DayStatus
from satulayar.attendance.forms import CheckinForm, MonthForm
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.tasks import selfie_retention_days
from satulayar.core.decorators import capability_required, is_htmx
from satulayar.org import access
from satulayar.org.models import Employee


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
                                           accuracy_m=data["accuracy"], selfie=data["selfie"])
        except ValidationError as exc:
            result = {"ok": False, "message": " ".join(exc.messages)}
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
    if punch.site and punch.distance_m is not None and punch.distance_m <= punch.site.radius_m:
        return _("Tercatat %(time)s %(zone)s di %(site)s.") % params
    if punch.site:
        params["distance"] = checkin.meters(punch.distance_m)
        return _("Tercatat %(time)s %(zone)s sebagai dinas luar, %(distance)s m dari %(site)s.") % params
    return _("Tercatat %(time)s %(zone)s sebagai dinas luar.") % params


# --- today by unit -------------------------------------------------------------------------------------------


def _with_staff(rows: list[reports.UnitToday]) -> list[reports.UnitToday]:
    """Units that have active staff, and their ancestors so the tree still reads."""
    keep = set()
    for row in rows:
        if row.employees:
            keep.update(int(pk) for pk in row.unit.path.strip("/").split("/"))
    return [row for row in rows if row.unit.pk in keep]


def _total(rows: list[reports.UnitToday]) -> reports.UnitToday:
    total = reports.UnitToday(unit=None)
    for row in rows:
        for name in ("employees", "expected", "present", "late", "on_leave", "not_yet", "absent"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.not_in += row.not_in
    return total


@capability_required("view_employees")
def today(request):
    date = timezone.localdate()  # the city's day: CityTimezoneMiddleware activated its zone
    unit = access.unit_get_for_user(user=request.user, pk=request.GET["unit"]) if request.GET.get("unit") else None
    rows = reports.today_by_unit(user=request.user)
    if unit is not None:
        row = next((r for r in rows if r.unit.pk == unit.pk), None)
        missing = [(employee, DayStatus(status)) for employee, status in (row.not_in if row else [])]
        context = {"unit": unit, "date": date, "missing": missing}
        template = "attendance/_not_in_yet.html" if is_htmx(request) else "attendance/not_in_yet.html"
        return render(request, template, context)
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
        status = statuses.get(date)
        days.append({"date": date, "status": status, "colour": DayStatus(status.status).colour if status else "",
                     "weekend": date.weekday() >= 5, "future": date > today_})
    counts = {choice: 0 for choice in DayStatus}
    late_total = 0
    for status in statuses.values():
        counts[DayStatus(status.status)] += 1
        late_total += status.late_minutes
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = month.replace(day=last_day) + dt.timedelta(days=1)
    return render(request, "attendance/mine.html", {
        "employee": employee, "month": month, "days": days, "form": MonthForm(initial={"bulan": f"{month:%Y-%m}"}),
        "previous": previous, "next": following if following <= today_ else None,
        "counts": [(choice, n) for choice, n in counts.items() if n], "late_total": late_total,
        "has_data": bool(statuses),
    })
