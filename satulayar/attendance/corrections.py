"""Corrections of attendance by a unit admin: add a missing punch, or exclude a wrong one.

A punch is never edited or deleted: a correction adds a punch of source "correction", or marks one
excluded (the row stays, the status ignores it). Both need a reason and are written to the audit log with
the punch before and after.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.attendance.status import daily_status_refresh
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import Employee

ADD, EXCLUDE = "add", "exclude"


def _picture(punch: Punch) -> dict:
    data = snapshot(punch)
    data["selfie"] = punch.selfie.name if punch.selfie else ""  # a file is not JSON
    return data


@transaction.atomic
def punch_correct(*, actor, employee: Employee, reason: str, kind: str = ADD, at: dt.datetime | None = None,
                  punch: Punch | None = None) -> Punch:
    """`kind="add"` records a punch at `at` (aware); `kind="exclude"` sets `punch` aside. Returns the punch."""
    if actor is None or not access.can_manage_employee(actor, employee):
        raise PermissionDenied(_("Anda tidak berwenang mengoreksi kehadiran %(name)s.") % {"name": employee})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Alasan koreksi wajib diisi.")]})
    if kind == ADD:
        before, punch = None, _add(actor=actor, employee=employee, at=at, reason=reason)
    elif kind == EXCLUDE:
        before, punch = _exclude(employee=employee, punch=punch)
    else:
        raise ValidationError({"kind": [_("Jenis koreksi tidak dikenal.")]})
    audit_record(actor=actor, action=AuditAction.CORRECT, obj=punch, unit_path=employee.unit.path,
                 object_repr=f"{employee} {punch.at.astimezone(employee.unit.city.zone):%Y-%m-%d %H:%M}",
                 before=before, after=_picture(punch), note=reason)
    daily_status_refresh(pairs={(employee.pk, punch.at.astimezone(employee.unit.city.zone).date())})
    _publish(employee, accepted=int(kind == ADD), excluded=int(kind == EXCLUDE))
    return punch


@transaction.atomic
def punch_future_accept(*, actor, punch: Punch, reason: str) -> Punch:
    """An admin accepts a punch flagged as lying in the future (the clock was right after all): it counts from now
    on, before its time comes. Audited like every correction."""
    employee = punch.employee
    if actor is None or not access.can_manage_employee(actor, employee):
        raise PermissionDenied(_("Anda tidak berwenang mengoreksi kehadiran %(name)s.") % {"name": employee})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Alasan koreksi wajib diisi.")]})
    punch = Punch.objects.select_for_update().get(pk=punch.pk)
    if not punch.future_flag:
        raise ValidationError({"punch": [_("Rekam kehadiran ini tidak bertanda waktu di masa depan.")]})
    before = _picture(punch)
    punch.future_flag = False
    punch.save(update_fields=["future_flag"])
    audit_record(actor=actor, action=AuditAction.CORRECT, obj=punch, unit_path=employee.unit.path,
                 object_repr=f"{employee} {punch.at.astimezone(employee.unit.city.zone):%Y-%m-%d %H:%M}",
                 before=before, after=_picture(punch), note=reason)
    daily_status_refresh(pairs={(employee.pk, punch.at.astimezone(employee.unit.city.zone).date())})
    _publish(employee, accepted=1)
    return punch


def _publish(employee: Employee, *, accepted: int, excluded: int = 0) -> None:
    """The same live event as ingest's: a corrected punch counts on the dashboard like a recorded one."""
    event_publish(channel=attendance_channel(employee.unit.city_id), kind="punch.recorded",
                  data={"accepted": accepted, "excluded": excluded, "units": [employee.unit_id]})


def _add(*, actor, employee: Employee, at: dt.datetime | None, reason: str) -> Punch:
    if at is None or timezone.is_naive(at):
        raise ValidationError({"at": [_("Waktu kehadiran wajib diisi lengkap dengan zona waktunya.")]})
    if at > timezone.now():
        raise ValidationError({"at": [_("Waktu kehadiran tidak boleh di masa depan.")]})
    if Punch.objects.filter(employee=employee, at=at, excluded=False).exists():
        raise ValidationError({"at": [_("Sudah ada rekam kehadiran pada waktu itu.")]})
    if Punch.objects.filter(employee=employee, at=at, source=PunchSource.CORRECTION).exists():
        raise ValidationError({"at": [_("Koreksi pada waktu itu sudah pernah dibuat (dan dikecualikan).")]})
    return Punch.objects.create(employee=employee, at=at.astimezone(dt.UTC), source=PunchSource.CORRECTION,
                                created_by=actor, note=reason[:255])


def _exclude(*, employee: Employee, punch: Punch | None) -> tuple[dict, Punch]:
    if punch is None:
        raise ValidationError({"punch": [_("Pilih rekam kehadiran yang akan dikecualikan.")]})
    punch = Punch.objects.select_for_update().get(pk=punch.pk)
    if punch.employee_id != employee.pk:
        raise ValidationError({"punch": [_("Rekam kehadiran ini bukan milik %(name)s.") % {"name": employee}]})
    if punch.excluded:
        raise ValidationError({"punch": [_("Rekam kehadiran ini sudah dikecualikan.")]})
    before = _picture(punch)
    punch.excluded = True
    punch.save(update_fields=["excluded"])
    return before, punch
