"""Leave and permit requests (cuti, sakit, izin, dinas luar, tugas belajar) and their approval.

An employee asks for themself (or a unit admin asks for them); the head of their unit or of a unit above
it, or a unit admin or HR admin whose scope covers them, decides. Nobody decides their own request.
Approved requests set the daily status of the days they cover.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance.choices import LeaveKind, RequestStatus
from satulayar.attendance.models import LeaveRequest
from satulayar.attendance.status import daily_status_refresh
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.org import access
from satulayar.org.models import Employee, Unit

OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.APPROVED)


def _is_own(actor, employee: Employee) -> bool:
    return access.scope_for(actor).employee_id == employee.pk


def is_unit_head_of(actor, employee: Employee) -> bool:
    """Does the actor head the employee's unit or a unit above it?"""
    own = access.scope_for(actor).employee_id
    if own is None:
        return False
    ancestor_ids = [int(part) for part in employee.unit.path.strip("/").split("/") if part]
    return Unit.objects.filter(pk__in=ancestor_ids, head_id=own).exists()


def may_decide(actor, request: LeaveRequest) -> bool:
    if actor is None:
        return True
    if _is_own(actor, request.employee):
        return False
    return is_unit_head_of(actor, request.employee) or access.can_manage_employee(actor, request.employee)


def _days(request: LeaveRequest) -> list[dt.date]:
    return [request.start_date + dt.timedelta(days=n) for n in range((request.end_date - request.start_date).days + 1)]


def _refresh(request: LeaveRequest) -> None:
    daily_status_refresh(pairs={(request.employee_id, day) for day in _days(request)})


@transaction.atomic
def leave_request_create(*, actor, employee: Employee, kind: str, start_date: dt.date, end_date: dt.date,
                         reason: str) -> LeaveRequest:
    if actor is not None and not (_is_own(actor, employee) or access.can_manage_employee(actor, employee)):
        raise PermissionDenied(_("Anda tidak berwenang mengajukan cuti/izin untuk %(name)s.") % {"name": employee})
    # Serialise requests of one employee so two overlapping ones cannot both pass the check below.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    errors = {}
    if kind not in LeaveKind.values:
        errors["kind"] = [_("Jenis cuti/izin tidak dikenal.")]
    if end_date < start_date:
        errors["end_date"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Alasan wajib diisi.")]
    if not errors:
        clash = LeaveRequest.objects.filter(employee=employee, status__in=OPEN_STATUSES, start_date__lte=end_date,
                                            end_date__gte=start_date).first()
        if clash:
            errors["start_date"] = [_("Bertumpang tindih dengan pengajuan %(kind)s %(start)s s.d. %(end)s "
                                      "yang %(status)s.") % {
                "kind": clash.get_kind_display().lower(), "start": clash.start_date.strftime("%d-%m-%Y"),
                "end": clash.end_date.strftime("%d-%m-%Y"), "status": clash.get_status_display().lower()}]
    if errors:
        raise ValidationError(errors)
    request = LeaveRequest.objects.create(employee=employee, kind=kind, start_date=start_date, end_date=end_date,
                                          reason=reason.strip(), requested_by=actor if actor else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request, object_repr=_repr(request),
                 unit_path=employee.unit.path, after=snapshot(request))
    return request


def _repr(request: LeaveRequest) -> str:
    return f"{request.get_kind_display()} {request.employee} {request.start_date.isoformat()}–" \
           f"{request.end_date.isoformat()}"[:255]


@transaction.atomic
def leave_request_decide(*, actor, request: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    request = LeaveRequest.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
    if not may_decide(actor, request):
        raise PermissionDenied(_("Anda tidak berwenang memutuskan pengajuan %(name)s.") % {"name": request.employee})
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("Pengajuan ini sudah %(status)s.") % {"status": request.get_status_display().lower()})
    if not approve and not (note or "").strip():
        raise ValidationError({"note": [_("Alasan penolakan wajib diisi.")]})
    before = snapshot(request)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = actor if actor else None
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:255]
    request.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=request, object_repr=_repr(request),
                 unit_path=request.employee.unit.path, before=before, after=snapshot(request))
    if approve:
        _refresh(request)
    return request


@transaction.atomic
def leave_request_cancel(*, actor, request: LeaveRequest) -> LeaveRequest:
    """The employee (or an admin over them) withdraws a pending or approved request."""
    request = LeaveRequest.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
    if actor is not None and not (_is_own(actor, request.employee)
                                  or access.can_manage_employee(actor, request.employee)):
        raise PermissionDenied(_("Anda tidak berwenang membatalkan pengajuan %(name)s.") % {
            "name": request.employee})
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("Pengajuan ini sudah %(status)s.") % {"status": request.get_status_display().lower()})
    was_approved = request.status == RequestStatus.APPROVED
    before = snapshot(request)
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=request, object_repr=_repr(request),
                 unit_path=request.employee.unit.path, before=before, after=snapshot(request))
    if was_approved:
        _refresh(request)
    return request


def has_approved_field_duty(*, employee: Employee, date: dt.date) -> bool:
    """Is the employee on approved dinas luar that day (check-in is then allowed outside the geofence)?"""
    return LeaveRequest.objects.filter(employee=employee, kind=LeaveKind.FIELD_DUTY, status=RequestStatus.APPROVED,
                                       start_date__lte=date, end_date__gte=date).exists()
