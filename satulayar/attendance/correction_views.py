"""The correction page of one employee's day: every punch (excluded ones struck through, with the reason), the
daily status, and the forms that add a missing punch, set a wrong one aside or accept one flagged as lying in the
future, through `corrections`."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from satulayar.attendance import corrections
from satulayar.attendance.choices import DayStatus
from satulayar.attendance.forms import DayForm, PunchAcceptForm, PunchAddForm, PunchExcludeForm
from satulayar.attendance.models import DailyStatus, Punch
from satulayar.attendance.selectors import correction_entries, day_punches
from satulayar.core.decorators import capability_required
from satulayar.core.forms import form_errors_add
from satulayar.core.time import local_date, local_instant
from satulayar.org import access
from satulayar.org.models import Employee


def _employee_to_correct(request, employee_id: int) -> Employee:
    employee = access.employee_get_for_user(user=request.user, pk=employee_id)
    if not access.can_manage_employee(request.user, employee):
        raise Http404(_("Pegawai di luar unit yang Anda kelola."))
    return employee


def _label(punch: Punch, zone) -> str:
    local = punch.at.astimezone(zone)
    return f"{formats.time_format(local, 'TIME_FORMAT')} · {punch.get_source_display()}"


def _apply(request, *, employee: Employee, date: dt.date, zone, forms: dict, punches) -> bool:
    """Runs the chosen correction; on a refusal puts the reasons on the form. True when saved."""
    form = forms.get(request.POST.get("aksi"))
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    punch = next((p for p in punches if p.pk == data.get("punch")), None)
    try:
        if form is forms["tambah"]:
            corrections.punch_correct(actor=request.user, employee=employee, reason=data["reason"],
                                      kind=corrections.ADD, at=local_instant(date, data["time"], zone))
        elif form is forms["terima"]:
            corrections.punch_future_accept(actor=request.user, punch=punch, reason=data["reason"])
        else:
            corrections.punch_correct(actor=request.user, employee=employee, reason=data["reason"],
                                      kind=corrections.EXCLUDE, punch=punch)
    except ValidationError as exc:
        form_errors_add(form, exc, fields={"at": "time", "punch": "punch", "reason": "reason"})
        return False
    return True


@capability_required("manage_employees")
@require_http_methods(["GET", "POST"])
def correction(request, employee_id: int):
    employee = _employee_to_correct(request, employee_id)
    zone = employee.unit.city.zone
    today = local_date(employee.unit.city)
    date = min(DayForm(request.GET or None).date(default=today), today)
    punches = day_punches(employee=employee, date=date)
    choices = [(p.pk, _label(p, zone)) for p in punches if not p.excluded]
    waiting = [(p.pk, _label(p, zone)) for p in punches if not p.excluded and p.future_flag and p.at > timezone.now()]
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("aksi")
    forms = {"tambah": PunchAddForm(posted if action == "tambah" else None),
             "kecualikan": PunchExcludeForm(posted if action == "kecualikan" else None, punches=choices),
             "terima": PunchAcceptForm(posted if action == "terima" else None, punches=waiting)}
    if posted is not None and _apply(request, employee=employee, date=date, zone=zone, forms=forms, punches=punches):
        messages.success(request, _("Koreksi kehadiran %(name)s tersimpan dan tercatat di log audit.")
                         % {"name": employee})
        return redirect(f"{reverse('attendance:correction', args=[employee.pk])}?tanggal={date:%Y-%m-%d}")
    entries = correction_entries(punches=punches)
    reasons = {entry.object_id: entry.note for entry in entries if entry.before and (entry.after or {}).get(
        "excluded")}
    rows = [{"punch": p, "local": p.at.astimezone(zone), "reason": reasons.get(str(p.pk), "")} for p in punches]
    by_id = {str(row["punch"].pk): row for row in rows}
    history = [{"entry": entry, "added": entry.before is None, "punch": by_id[entry.object_id],
                "accepted": bool(entry.before and entry.before.get("future_flag")
                                 and not (entry.after or {}).get("future_flag"))}
               for entry in entries if entry.object_id in by_id]
    status = DailyStatus.objects.filter(employee=employee, date=date).select_related("leave").first()
    return render(request, "attendance/correction.html", {
        "employee": employee, "date": date, "rows": rows, "status": status,
        "status_choice": DayStatus(status.status) if status else None, "history": history,
        "add_form": forms["tambah"], "exclude_form": forms["kecualikan"], "accept_form": forms["terima"],
        "has_choices": bool(choices), "has_waiting": bool(waiting),
        "day_form": DayForm(initial={"tanggal": date}),
        "previous": date - dt.timedelta(days=1), "next": date + dt.timedelta(days=1) if date < today else None,
    }, status=422 if posted is not None else 200)
