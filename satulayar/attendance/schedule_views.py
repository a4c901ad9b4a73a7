"""Work schedules and shift rosters as pages, for the HR admin (whole city) and unit admins (their subtree): a
unit's schedule in force and its history, a new schedule from a date on (`schedules.work_schedule_set`), and the
shifts of a roster unit's staff (`schedules.shift_set`). Units and staff outside the user's scope are not listed
and refused when posted."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from satulayar.attendance import schedules
from satulayar.attendance.choices import ScheduleKind
from satulayar.attendance.models import Shift, WorkSchedule
from satulayar.attendance.settings_forms import WEEKDAYS, ScheduleForm, ShiftForm
from satulayar.core.forms import form_errors_add
from satulayar.core.time import local_date
from satulayar.org import access
from satulayar.org.models import Unit, subtree_q

SHIFT_DAYS_SHOWN = 14


def _require_admin(request) -> None:
    if not access.scope_for(request.user).can("manage_employees"):
        raise PermissionDenied


def _admin_units(user):
    """Units whose schedule the user may set: the whole city for the HR admin, else the subtrees administered."""
    return [unit for unit in access.units_for(user).order_by("path") if access.can_place_in_unit(user, unit)]


def _unit(request, units, value) -> Unit | None:
    """The chosen unit; one of another city is a 404, one of the user's city outside their subtree a 403."""
    if not value:
        return units[0] if units else None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("unit") from None
    for unit in units:
        if unit.pk == pk:
            return unit
    if Unit.objects.filter(pk=pk, city_id__in=access.scope_for(request.user).city_ids).exists():
        raise PermissionDenied
    raise Http404("unit")


def _initial(resolved: schedules.ResolvedSchedule, today: dt.date) -> dict:
    initial = {"name": resolved.name, "kind": resolved.kind, "grace_minutes": resolved.grace_minutes,
               "effective_from": today}
    for weekday, (start, end) in resolved.days.items():
        initial[f"start_{weekday}"], initial[f"end_{weekday}"] = start, end
    return initial


def _staff_q(user, unit: Unit):
    return access.employees_for(user).filter(subtree_q(unit, via="unit"), active=True)


def _staff(user, unit: Unit):
    return list(_staff_q(user, unit).select_related("unit").order_by("name"))


@require_http_methods(["GET", "POST"])
@login_required
def schedules_page(request):
    _require_admin(request)
    units = _admin_units(request.user)
    unit = _unit(request, units, request.POST.get("unit") or request.GET.get("unit"))
    if unit is None:
        raise PermissionDenied
    today = local_date(unit.city)
    resolved = schedules.schedule_for_unit(unit=unit, date=today)
    form = ScheduleForm(request.POST or None, initial=_initial(resolved, today))
    if request.method == "POST" and form.is_valid() and _save(request, form, unit):
        return redirect(f"{reverse('attendance:schedules')}?unit={unit.pk}")
    staff = _staff(request.user, unit)
    return _render(request, units, unit, resolved, form, ShiftForm(employees=staff), today)


def _save(request, form, unit) -> WorkSchedule | None:
    data = form.cleaned_data
    try:
        saved = schedules.work_schedule_set(actor=request.user, unit=unit, name=data["name"], kind=data["kind"],
                                            effective_from=data["effective_from"], grace_minutes=data["grace_minutes"],
                                            days=form.days() if data["kind"] == ScheduleKind.FIXED else {})
    except ValidationError as exc:
        form_errors_add(form, exc, fields={"name": "name", "kind": "kind", "effective_from": "effective_from",
                                           "grace_minutes": "grace_minutes"})  # "days": above the form
        return None
    messages.success(request, _("Jadwal %(name)s untuk %(unit)s berlaku mulai %(date)s.") % {
        "name": saved.name, "unit": unit.name, "date": saved.effective_from.strftime("%d-%m-%Y")})
    return saved


def _render(request, units, unit, resolved, form, shift_form, today):
    top = min((u.depth for u in units), default=0)
    history = list(WorkSchedule.objects.filter(unit=unit).prefetch_related("days").order_by("-effective_from")[:10])
    window = (today - dt.timedelta(days=1), today + dt.timedelta(days=SHIFT_DAYS_SHOWN))
    shifts = (Shift.objects.filter(employee__in=_staff_q(request.user, unit).values("pk"), date__range=window)
              .select_related("employee").order_by("date", "start_at")[:200])
    return render(request, "attendance/schedules.html", {
        "units": [(u, "— " * (u.depth - top)) for u in units], "unit": unit, "resolved": resolved,
        "resolved_days": [(label, resolved.days.get(weekday)) for weekday, label in enumerate(WEEKDAYS)],
        "history": history, "form": form, "shift_form": shift_form, "shifts": shifts,
        "zone": unit.city.zone, "is_shift": resolved.kind == ScheduleKind.SHIFT,
    }, status=422 if form.errors or shift_form.errors else 200)


@require_POST
@login_required
def shift_add(request):
    _require_admin(request)
    units = _admin_units(request.user)
    unit = _unit(request, units, request.POST.get("unit"))
    if unit is None:
        raise PermissionDenied
    staff = _staff(request.user, unit)
    shift_form = ShiftForm(request.POST, employees=staff)
    if shift_form.is_valid():
        data = shift_form.cleaned_data
        employee = next(e for e in staff if e.pk == data["employee"])
        try:
            schedules.shift_set(actor=request.user, employee=employee, date=data["date"], start=data["start"],
                                end=data["end"])
        except ValidationError as exc:
            form_errors_add(shift_form, exc)
        else:
            messages.success(request, _("Sif %(name)s pada %(date)s tersimpan.") % {
                "name": employee.name, "date": data["date"].strftime("%d-%m-%Y")})
            return redirect(f"{reverse('attendance:schedules')}?unit={unit.pk}")
    today = local_date(unit.city)
    resolved = schedules.schedule_for_unit(unit=unit, date=today)
    return _render(request, units, unit, resolved, ScheduleForm(initial=_initial(resolved, today)), shift_form,
                   today)
