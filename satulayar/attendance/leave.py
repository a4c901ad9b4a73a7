"""Leave and permit requests (cuti, sakit, izin, dinas luar, tugas belajar) and their approval.

An employee asks for themself (or a unit admin asks for them), with the papers the city's rule table requires
(`leave_rules`, `leave_papers`); cuti tahunan beyond the balance (`leave_balance`) is refused with the numbers.
The head of their unit or of a unit above it, or a unit admin or HR admin whose scope covers them, decides first.
When the rule says so, the request then waits for BKPSDM (the city HR admin, not the one who approved the first
step) and only their approval makes it approved. Nobody decides their own request. Approved requests set the
daily status of the days they cover.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance import leave_rules
from satulayar.attendance.access import awaits_bkpsdm, is_own, may_decide
from satulayar.attendance.choices import LeaveKind, RequestStatus
from satulayar.attendance.leave_balance import annual_leave_refusal, request_work_days
from satulayar.attendance.leave_papers import count_check, paper_store, papers_check
from satulayar.attendance.models import LeaveRequest, LeaveRule
from satulayar.attendance.status import daily_status_refresh
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import Employee

OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.APPROVED)


def _days(request: LeaveRequest) -> list[dt.date]:
    return [request.start_date + dt.timedelta(days=n) for n in range((request.end_date - request.start_date).days + 1)]


def _refresh(request: LeaveRequest) -> None:
    daily_status_refresh(pairs={(request.employee_id, day) for day in _days(request)})


@transaction.atomic
def leave_request_create(*, actor, employee: Employee, kind: str, start_date: dt.date, end_date: dt.date,
                         reason: str, attachments=()) -> LeaveRequest:
    """Ask for leave; `attachments` are uploaded files (PDF/JPEG), checked and stored with the request."""
    if actor is not None and not (is_own(actor, employee) or access.can_manage_employee(actor, employee)):
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
    work_days, papers, rule = 0, [], None
    if not errors:
        rule = leave_rules.leave_rule_for(city_id=employee.unit.city_id, kind=kind)
        work_days = request_work_days(employee, start_date, end_date)
        papers = _papers(errors, rule, work_days, attachments)
        if kind == LeaveKind.ANNUAL and (refusal := annual_leave_refusal(employee=employee, start=start_date,
                                                                         end=end_date)):
            errors["start_date"] = [refusal]
    if errors:
        raise ValidationError(errors)
    request = LeaveRequest.objects.create(employee=employee, kind=kind, start_date=start_date, end_date=end_date,
                                          reason=reason.strip(), requested_by=actor if actor else None,
                                          needs_bkpsdm=leave_rules.needs_bkpsdm(rule, work_days))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request, object_repr=_repr(request),
                 unit_path=employee.unit.path, after=snapshot(request))
    for paper in papers:
        paper_store(actor=actor, request=request, paper=paper)
    _publish(request, "leave.requested")
    return request


def _papers(errors: dict, rule: LeaveRule, work_days: int, attachments) -> list:
    """The checked papers of a new request; what is wrong with them (or their absence) goes into `errors`."""
    try:
        count_check(existing=0, adding=len(attachments))
        papers = papers_check(attachments)
    except ValidationError as exc:
        errors["attachments"] = exc.messages
        return []
    if not papers and leave_rules.needs_attachment(rule, work_days):
        errors["attachments"] = [_required_papers_message(rule, work_days)]
    return papers


def _required_papers_message(rule: LeaveRule, work_days: int) -> str:
    if rule.attachment_over_days:
        return _("%(kind)s lebih dari %(limit)s hari kerja (diminta %(days)s) wajib melampirkan surat pendukung "
                 "(PDF atau JPEG).") % {"kind": rule.get_kind_display(), "limit": rule.attachment_over_days,
                                        "days": work_days}
    return _("%(kind)s wajib melampirkan surat pendukung (PDF atau JPEG).") % {"kind": rule.get_kind_display()}


def _publish(request: LeaveRequest, kind: str) -> None:
    """The live event of a leave write: ids and the new status only (the stream is the dashboard's)."""
    event_publish(channel=attendance_channel(request.employee.unit.city_id), kind=kind,
                  data={"request": request.pk, "unit": request.employee.unit_id, "status": request.status})


def _repr(request: LeaveRequest) -> str:
    return f"{request.get_kind_display()} {request.employee} {request.start_date.isoformat()}–" \
           f"{request.end_date.isoformat()}"[:255]


@transaction.atomic
def leave_request_decide(*, actor, request: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    """Decide the step the request is at: the superior's approval of a request that needs BKPSDM forwards it
    (`leave.forwarded`); any refusal, and the approval of the last step, decide it (`leave.decided`)."""
    request = LeaveRequest.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
    if not may_decide(actor, request):
        if awaits_bkpsdm(request):
            raise PermissionDenied(_("Pengajuan %(name)s menunggu persetujuan BKPSDM; hanya admin kepegawaian kota "
                                     "selain penyetuju atasan yang dapat memutuskan.") % {"name": request.employee})
        raise PermissionDenied(_("Anda tidak berwenang memutuskan pengajuan %(name)s.") % {"name": request.employee})
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("Pengajuan ini sudah %(status)s.") % {"status": request.get_status_display().lower()})
    if not approve and not (note or "").strip():
        raise ValidationError({"note": [_("Alasan penolakan wajib diisi.")]})
    before = snapshot(request)
    forward = approve and request.needs_bkpsdm and not awaits_bkpsdm(request)
    if forward:
        request.superior_by, request.superior_at = actor if actor else None, timezone.now()
        request.superior_note = (note or "").strip()[:255]
    else:
        request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        request.decided_by = actor if actor else None
        request.decided_at = timezone.now()
        request.decision_note = (note or "").strip()[:255]
    request.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=request, object_repr=_repr(request),
                 unit_path=request.employee.unit.path, before=before, after=snapshot(request))
    if forward:
        _publish(request, "leave.forwarded")
        return request
    if approve:
        _refresh(request)
    _publish(request, "leave.decided")
    return request


@transaction.atomic
def leave_request_cancel(*, actor, request: LeaveRequest) -> LeaveRequest:
    """The employee (or an admin over them) withdraws a pending or approved request."""
    request = LeaveRequest.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
    if actor is not None and not (is_own(actor, request.employee)
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
    _publish(request, "leave.cancelled")
    return request


def has_approved_field_duty(*, employee: Employee, date: dt.date) -> bool:
    """Is the employee on approved dinas luar that day (check-in is then allowed outside the geofence)?"""
    return LeaveRequest.objects.filter(employee=employee, kind=LeaveKind.FIELD_DUTY, status=RequestStatus.APPROVED,
                                       start_date__lte=date, end_date__gte=date).exists()
