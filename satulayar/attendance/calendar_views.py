"""The work calendar and special hours as pages, for the city's HR admin (BKPSDM): the year's holidays, cuti
bersama, city days and special work days, added, changed or removed through `calendar`; periods of special hours
(Ramadan) through `schedules.special_hours_set`. Statuses follow each change in the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from satulayar.attendance import calendar, schedules
from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay, SpecialHours
from satulayar.attendance.settings_forms import CalendarDayForm, SpecialHoursForm
from satulayar.core.city import request_city
from satulayar.core.forms import form_errors_add
from satulayar.core.time import local_date
from satulayar.org import access

KIND_COLOURS = {CalendarDayKind.NATIONAL_HOLIDAY: "red", CalendarDayKind.COLLECTIVE_LEAVE: "orange",
                CalendarDayKind.CITY_HOLIDAY: "purple", CalendarDayKind.WORK_DAY: "green"}


def admin_city(request):
    """The city whose calendar the user keeps: the page's city, if the user is its city-wide HR admin."""
    scope = access.scope_for(request.user)
    if not (scope.city_wide and scope.can("manage_units")):
        raise PermissionDenied
    city = request_city(request, user_fallback=True)
    if city.pk not in scope.city_ids:
        raise PermissionDenied
    return city


def _year(request, city) -> int:
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        year = local_date(city).year
    return min(max(year, 2000), 2100)


def _render(request, city, year, form, special_form, editing=None):
    days = list(CalendarDay.objects.filter(city=city, date__year=year).order_by("date", "name"))
    for day in days:
        day.colour = KIND_COLOURS.get(day.kind, "secondary")
    special = SpecialHours.objects.filter(city=city).order_by("-start_date")[:20]
    failed = form.errors or special_form.errors
    return render(request, "attendance/calendar.html", {
        "city": city, "year": year, "days": days, "form": form, "special_form": special_form,
        "special": special, "editing": editing, "years": [year - 1, year, year + 1],
    }, status=422 if failed else 200)


@require_http_methods(["GET", "POST"])
@login_required
def calendar_page(request):
    city = admin_city(request)
    year = _year(request, city)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save(request, form, city):
        return _back(form.cleaned_data["date"].year)
    return _render(request, city, year, form, SpecialHoursForm())


@require_http_methods(["GET", "POST"])
@login_required
def calendar_day_edit(request, pk: int):
    city = admin_city(request)
    day = get_object_or_404(CalendarDay, pk=pk, city=city)
    form = CalendarDayForm(request.POST or None, initial={"date": day.date, "kind": day.kind, "name": day.name})
    if request.method == "POST" and form.is_valid() and _save(request, form, city, day):
        return _back(form.cleaned_data["date"].year)
    return _render(request, city, day.date.year, form, SpecialHoursForm(), editing=day)


def _save(request, form, city, day=None) -> CalendarDay | None:
    data = form.cleaned_data
    try:
        saved = calendar.calendar_day_save(actor=request.user, city=city, date=data["date"], kind=data["kind"],
                                           name=data["name"], day=day)
    except ValidationError as exc:
        form_errors_add(form, exc)
        return None
    messages.success(request, _("%(name)s pada %(date)s tersimpan.") % {
        "name": saved.name, "date": saved.date.strftime("%d-%m-%Y")})
    return saved


@require_POST
@login_required
def calendar_day_delete(request, pk: int):
    city = admin_city(request)
    day = get_object_or_404(CalendarDay, pk=pk, city=city)
    calendar.calendar_day_delete(actor=request.user, day=day)
    messages.success(request, _("%(name)s pada %(date)s dihapus.") % {
        "name": day.name, "date": day.date.strftime("%d-%m-%Y")})
    return _back(day.date.year)


@require_POST
@login_required
def special_hours_add(request):
    city = admin_city(request)
    special_form = SpecialHoursForm(request.POST)
    if special_form.is_valid():
        data = special_form.cleaned_data
        try:
            saved = schedules.special_hours_set(actor=request.user, city=city, **data)
        except ValidationError as exc:
            form_errors_add(special_form, exc)
        else:
            messages.success(request, _("Jam kerja khusus %(name)s tersimpan.") % {"name": saved.name})
            return _back(saved.start_date.year)
    year = (special_form.cleaned_data.get("start_date") or local_date(city)).year
    return _render(request, city, year, CalendarDayForm(), special_form)


def _back(year: int):
    return redirect(f"{reverse('attendance:calendar')}?tahun={year}")
