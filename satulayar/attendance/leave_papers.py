"""The papers of a leave request (surat dokter, surat tugas, SK): PDF or JPEG only, checked three ways (the name's
extension, the declared type and the content itself: a PDF starts with %PDF- and ends with %%EOF, a JPEG opens and
verifies with Pillow), at most ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB each and MAX_ATTACHMENTS per request.

Papers are added or removed only while the request is pending, by whoever may ask for the employee; they are
stored under a random name in the private media folder and read only through the leave views' access check.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from satulayar.attendance.access import is_own
from satulayar.attendance.choices import RequestStatus
from satulayar.attendance.leave_balance import request_work_days
from satulayar.attendance.leave_rules import leave_rule_for, needs_attachment
from satulayar.attendance.models import LeaveAttachment, LeaveRequest
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access

MAX_ATTACHMENTS = 5
PDF, JPEG = "application/pdf", "image/jpeg"
TYPES_BY_EXTENSION = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG}


@dataclass(frozen=True)
class Paper:
    """A checked upload, ready to store."""

    name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def max_bytes() -> int:
    return settings.ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB * 1024 * 1024


def paper_check(upload) -> Paper:
    """The upload as a Paper, or ValidationError naming what is wrong (the type or the limit)."""
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    extension = name[name.rfind("."):].lower() if "." in name else ""
    expected = TYPES_BY_EXTENSION.get(extension)
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if expected is None or declared not in ("", expected):
        raise ValidationError(_("Berkas %(name)s bukan PDF atau JPEG; lampiran hanya boleh PDF atau JPEG.")
                              % {"name": name})
    if upload.size > max_bytes():
        raise ValidationError(_("Berkas %(name)s berukuran %(size)s MB, melebihi batas %(max)s MB per lampiran.")
                              % {"name": name, "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                                 "max": settings.ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB})
    content = b"".join(upload.chunks())
    if not (_is_pdf(content) if expected == PDF else _is_jpeg(content)):
        raise ValidationError(_("Isi berkas %(name)s bukan %(type)s yang utuh; unggah berkas aslinya.")
                              % {"name": name, "type": "PDF" if expected == PDF else "JPEG"})
    return Paper(name=name, content_type=expected, content=content)


def _is_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]


def _is_jpeg(content: bytes) -> bool:
    if not content.startswith(b"\xff\xd8\xff"):
        return False
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.format == "JPEG"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


def papers_check(uploads) -> list[Paper]:
    """Every upload checked; all their errors together."""
    papers, errors = [], []
    for upload in uploads:
        try:
            papers.append(paper_check(upload))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError(errors)
    return papers


def papers_required(request: LeaveRequest) -> bool:
    """Does the city's rule require papers for this request (its kind, its length in working days)?"""
    rule = leave_rule_for(city_id=request.employee.unit.city_id, kind=request.kind)
    return needs_attachment(rule, request_work_days(request.employee, request.start_date, request.end_date))


def may_handle_papers(actor, request: LeaveRequest) -> bool:
    return actor is None or is_own(actor, request.employee) or access.can_manage_employee(actor, request.employee)


def count_check(*, existing: int, adding: int) -> None:
    if existing + adding > MAX_ATTACHMENTS:
        raise ValidationError(_("Paling banyak %(max)s lampiran per pengajuan.") % {"max": MAX_ATTACHMENTS})


def paper_store(*, actor, request: LeaveRequest, paper: Paper) -> LeaveAttachment:
    """Store a checked paper and audit it (the caller holds the transaction and publishes the event)."""
    attachment = LeaveAttachment(request=request, original_name=paper.name, content_type=paper.content_type,
                                 size=len(paper.content), sha256=paper.sha256, uploaded_by=actor)
    attachment.file.save(paper.name, ContentFile(paper.content), save=False)
    attachment.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=attachment, object_repr=_repr(attachment),
                 unit_path=request.employee.unit.path, after=snapshot(attachment))
    return attachment


def _repr(attachment: LeaveAttachment) -> str:
    return f"{attachment.original_name} ({attachment.request_id})"[:255]


def _locked_pending(actor, request: LeaveRequest) -> LeaveRequest:
    request = LeaveRequest.objects.select_for_update().select_related("employee__unit").get(pk=request.pk)
    if not may_handle_papers(actor, request):
        raise PermissionDenied(_("Anda tidak berwenang mengubah lampiran pengajuan %(name)s.") % {
            "name": request.employee})
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("Lampiran hanya dapat diubah selama pengajuan menunggu; pengajuan ini sudah "
                                "%(status)s.") % {"status": request.get_status_display().lower()})
    return request


def _publish(attachment: LeaveAttachment, kind: str) -> None:
    request = attachment.request
    event_publish(channel=attendance_channel(request.employee.unit.city_id), kind=kind,
                  data={"request": request.pk, "unit": request.employee.unit_id, "attachment": attachment.pk})


@transaction.atomic
def leave_attachment_add(*, actor, request: LeaveRequest, upload) -> LeaveAttachment:
    request = _locked_pending(actor, request)
    count_check(existing=request.attachments.count(), adding=1)
    attachment = paper_store(actor=actor, request=request, paper=paper_check(upload))
    _publish(attachment, "leave.attachment_added")
    return attachment


@transaction.atomic
def leave_attachment_delete(*, actor, attachment: LeaveAttachment) -> None:
    """Remove a paper; the last one stays while the city's rule requires papers for this request."""
    request = _locked_pending(actor, attachment.request)
    if papers_required(request) and request.attachments.count() <= 1:
        raise ValidationError(_("Pengajuan %(kind)s ini wajib berlampiran; unggah penggantinya sebelum menghapus "
                                "lampiran terakhir.") % {"kind": request.get_kind_display().lower()})
    audit_record(actor=actor, action=AuditAction.DELETE, obj=attachment, object_repr=_repr(attachment),
                 unit_path=request.employee.unit.path, before=snapshot(attachment))
    _publish(attachment, "leave.attachment_deleted")
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
