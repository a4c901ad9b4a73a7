"""The writes of a sidak: start, mark (one or a queued batch), resolve a conflict, close and sign off,
assign and follow up findings. Each is atomic, checked against org scope and audited.

Audit entries of an open inspection carry no unit path, so a unit admin reading the audit log of their
unit cannot see that an inspection is under way; only city-wide auditors see them.
"""

import base64
import binascii
import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import event_publish, inspections_channel
from satulayar.core.time import local_date
from satulayar.inspections.access import may_inspect
from satulayar.inspections.choices import FollowUpStatus, InspectionStatus, Observation
from satulayar.inspections.models import Finding, Inspection, Mark, RosterEntry
from satulayar.inspections.records import day_records
from satulayar.inspections.rules import MarkView, Recorded, finding_kind, verdict_for
from satulayar.org import access
from satulayar.org.models import Employee, Unit, subtree_q

CLOCK_SKEW = dt.timedelta(minutes=5)
PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG": "png", b"RIFF": "webp"}
MAX_BATCH = 500


def _require_inspector(actor) -> None:
    if actor is not None and not may_inspect(actor):
        raise PermissionDenied(_("Hanya inspektur dan pimpinan daerah yang dapat melakukan sidak."))


def _require_lead(actor, inspection: Inspection, what: str) -> None:
    if actor is not None and actor.pk != inspection.lead_id:
        raise PermissionDenied(_("Hanya ketua tim sidak (%(lead)s) yang dapat %(what)s.")
                               % {"lead": inspection.lead.get_full_name() or inspection.lead.username, "what": what})


def _require_open(inspection: Inspection) -> None:
    if not inspection.is_open:
        closed = timezone.localtime(inspection.closed_at, inspection.city.zone)
        raise ValidationError(_("Sidak ini sudah ditutup pada %(at)s; tidak ada lagi perubahan yang diterima.")
                              % {"at": closed.strftime("%d-%m-%Y %H:%M")}, code="closed")


# --- start ----------------------------------------------------------------------------------------------------

def _units_label(units: list[Unit]) -> str:
    names = [u.short_name or u.name for u in units]
    return ", ".join(names[:3]) + (_(" dan %(n)s unit lain") % {"n": len(names) - 3} if len(names) > 3 else "")


@transaction.atomic
def inspection_start(*, actor, units: list[Unit], title: str = "", started_at: dt.datetime | None = None,
                     now: dt.datetime | None = None) -> Inspection:
    """A new open inspection of those units and their sub-units, with today's roster as the system saw it
    at the start. `now` is for the demo's historic inspections; users always start today."""
    _require_inspector(actor)
    now = now or timezone.now()
    started_at = started_at or now
    units = list({u.pk: u for u in units}.values())
    if not units:
        raise ValidationError({"units": [_("Pilih minimal satu unit yang akan disidak.")]})
    if actor is not None:
        allowed = set(access.units_for(actor).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
        outside = [u for u in units if u.pk not in allowed]
        if outside:
            raise ValidationError({"units": [_("Unit di luar wewenang Anda: %(units)s.")
                                             % {"units": ", ".join(str(u) for u in outside)}]})
    city = units[0].city
    if any(u.city_id != city.pk for u in units):
        raise ValidationError({"units": [_("Semua unit yang disidak harus berada di kota yang sama.")]})
    if started_at > now + CLOCK_SKEW:
        raise ValidationError({"started_at": [_("Waktu mulai tidak boleh di masa depan.")]})
    date = local_date(city, started_at)
    if date != local_date(city, now):
        raise ValidationError({"started_at": [_("Sidak dimulai hari ini; waktu mulai harus pada tanggal hari ini.")]})
    employees = list(Employee.objects.filter(subtree_q(units, via="unit"), active=True).select_related("unit__city"))
    records = day_records(employees=employees, date=date, as_of=started_at)
    scheduled = [e for e in employees if records[e.pk].scheduled]
    if not scheduled:
        raise ValidationError({"units": [_("Tidak ada pegawai yang terjadwal bekerja di %(units)s pada tanggal "
                                           "itu.") % {"units": _units_label(units)}]})
    inspection = Inspection.objects.create(
        city=city, title=(title or "").strip()[:200] or _("Sidak %(units)s") % {"units": _units_label(units)},
        date=date, started_at=started_at, lead=actor)
    inspection.units.set(units)
    RosterEntry.objects.bulk_create([_entry(inspection, e, records[e.pk], started_at) for e in scheduled])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=inspection, after=snapshot(inspection),
                 note=_("%(n)s pegawai terjadwal") % {"n": len(scheduled)})
    event_publish(channel=inspections_channel(city), kind="inspection.started",
                  data={"inspection": inspection.pk, "roster": len(scheduled), "date": date})
    return inspection


def _entry(inspection: Inspection, employee: Employee, record, as_of: dt.datetime) -> RosterEntry:
    return RosterEntry(inspection=inspection, employee=employee, unit_id=employee.unit_id,
                       scheduled_start=record.scheduled_start, scheduled_end=record.scheduled_end,
                       recorded_status=record.status, first_in=record.recorded.first_in,
                       leave_kind=record.recorded.leave_kind, recorded_as_of=as_of)


# --- marks ----------------------------------------------------------------------------------------------------

@dataclass
class MarksResult:
    accepted: list[str] = field(default_factory=list)  # uuids
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {"index", "uuid", "employee", "reason"}

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


class _Rejected(ValueError):
    pass


def photo_from_data_url(value: str) -> ContentFile | None:
    """A photo sent as a data URL (the phone keeps queued photos so), checked to be a JPEG, PNG or WebP."""
    if not value:
        return None
    header, _sep, payload = value.partition(",")
    if not header.startswith("data:image/") or ";base64" not in header:
        raise _Rejected(_("Foto harus berupa gambar JPEG, PNG, atau WebP."))
    try:
        content = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _Rejected(_("Data foto rusak.")) from None
    return photo_checked(content)


def photo_checked(content: bytes) -> ContentFile:
    limit = settings.INSPECTIONS_PHOTO_MAX_BYTES
    if len(content) > limit:
        raise _Rejected(_("Foto terlalu besar: paling besar %(mb)s MB.") % {"mb": limit // 1024 // 1024})
    ext = next((e for magic, e in PHOTO_TYPES.items() if content.startswith(magic)), None)
    if ext is None or (ext == "webp" and content[8:12] != b"WEBP"):
        raise _Rejected(_("Foto harus berupa gambar JPEG, PNG, atau WebP."))
    return ContentFile(content, name=f"{uuidlib.uuid4().hex}.{ext}")


def _parse_uuid(value) -> uuidlib.UUID:
    try:
        return value if isinstance(value, uuidlib.UUID) else uuidlib.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise _Rejected(_("Kode penandaan (UUID) tidak sah.")) from None


def _parse_moment(value, *, inspection: Inspection, now: dt.datetime) -> dt.datetime:
    if value in (None, ""):
        return now
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None or moment.tzinfo is None:
        raise _Rejected(_("Waktu pengamatan harus berupa waktu ISO 8601 dengan zona waktu."))
    if moment > now + CLOCK_SKEW:
        raise _Rejected(_("Waktu pengamatan di masa depan: periksa jam ponsel Anda."))
    if moment < inspection.started_at - CLOCK_SKEW:
        raise _Rejected(_("Waktu pengamatan sebelum sidak dimulai."))
    return moment


def _mark_one(*, actor, inspection: Inspection, entries: dict[int, RosterEntry], item: dict,
              now: dt.datetime) -> Mark:
    if inspection.status != InspectionStatus.OPEN:
        _require_open(inspection)
    observation = str(item.get("observation") or "")
    if observation not in Observation.values:
        raise _Rejected(_("Pengamatan harus salah satu dari: %(values)s.")
                        % {"values": ", ".join(str(label) for label in Observation.labels)})
    try:
        employee_id = int(item.get("employee"))
    except (TypeError, ValueError):
        raise _Rejected(_("Pegawai tidak dikenal.")) from None
    entry = entries.get(employee_id)
    if entry is None:
        raise _Rejected(_("Pegawai ini tidak termasuk unit yang disidak atau tidak terjadwal bekerja hari itu."))
    note = " ".join(str(item.get("note") or "").split())
    if len(note) > 500:
        raise _Rejected(_("Catatan paling panjang 500 karakter."))
    photo = item.get("photo")
    if isinstance(photo, str):
        photo = photo_from_data_url(photo)
    mark = Mark(uuid=item["uuid"], entry=entry, observation=observation, note=note,
                observed_at=_parse_moment(item.get("observed_at"), inspection=inspection, now=now), inspector=actor)
    if photo is not None:
        mark.photo.save(photo.name, photo, save=False)
    mark.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=mark,
                 object_repr=f"{inspection.title} · {entry.employee} · {mark.get_observation_display()}"[:255],
                 after=snapshot(mark), note=f"sidak {inspection.pk}")
    event_publish(channel=inspections_channel(inspection.city), kind="inspection.marked",
                  data={"inspection": inspection.pk, "entry": entry.pk, "observation": observation})
    return mark


def marks_submit(*, actor, inspection: Inspection, items: list[dict], now: dt.datetime | None = None) -> MarksResult:
    """Store a batch of marks (a phone's queue). Each item: uuid, employee (id), observation, note, observed_at,
    photo (a data URL or file). A uuid already stored is a duplicate and changes nothing, so a phone that
    resends its queue after a dropped connection never doubles a mark. Bad items are reported one by one;
    the good ones are kept."""
    _require_inspector(actor)
    if len(items) > MAX_BATCH:
        raise ValidationError(_("Paling banyak %(n)s penandaan sekali kirim.") % {"n": MAX_BATCH})
    now = now or timezone.now()
    result = MarksResult()
    inspection = Inspection.objects.select_related("city", "lead").get(pk=inspection.pk)
    entries = {e.employee_id: e for e in inspection.entries.select_related("employee")}
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append((index, item | {"uuid": _parse_uuid(item.get("uuid"))}))
        except _Rejected as exc:
            result.rejected.append({"index": index, "uuid": str(item.get("uuid") or ""),
                                    "employee": item.get("employee"), "reason": str(exc)})
    known = dict(Mark.objects.filter(uuid__in=[i["uuid"] for _n, i in parsed]).values_list("uuid", "entry__inspection"))
    for index, item in parsed:
        key = str(item["uuid"])
        if item["uuid"] in known or key in result.accepted:
            if known.get(item["uuid"], inspection.pk) != inspection.pk:
                result.rejected.append({"index": index, "uuid": key, "employee": item.get("employee"),
                                        "reason": _("Kode penandaan (UUID) ini sudah dipakai di sidak lain.")})
            else:
                result.duplicates.append(key)
            continue
        try:
            with transaction.atomic():
                _mark_one(actor=actor, inspection=inspection, entries=entries, item=item, now=now)
            result.accepted.append(key)
        except IntegrityError:  # the same uuid arrived at the same moment from a second request
            result.duplicates.append(key)
        except (_Rejected, ValidationError) as exc:
            reason = str(exc) if isinstance(exc, _Rejected) else " ".join(exc.messages)
            result.rejected.append({"index": index, "uuid": key, "employee": item.get("employee"), "reason": reason})
    return result


def mark_submit(*, actor, inspection: Inspection, item: dict, now: dt.datetime | None = None) -> MarksResult:
    """One mark; a refusal is a ValidationError with its reason (the API answers 422)."""
    result = marks_submit(actor=actor, inspection=inspection, items=[item], now=now)
    if result.rejected:
        raise ValidationError(result.rejected[0]["reason"])
    return result


# --- conflicts ------------------------------------------------------------------------------------------------

def mark_views(entry: RosterEntry) -> list[MarkView]:
    return [MarkView(m.inspector_id, m.observation, m.observed_at, m.received_at) for m in entry.marks.all()]


def entry_verdict(entry: RosterEntry):
    return verdict_for(mark_views(entry), resolved=entry.resolved_observation, resolved_at=entry.resolved_at)


@transaction.atomic
def conflict_resolve(*, actor, entry: RosterEntry, observation: str, note: str = "",
                     now: dt.datetime | None = None) -> RosterEntry:
    """The lead settles what inspectors saw differently. The marks stay as they were."""
    entry = RosterEntry.objects.select_for_update().select_related("inspection__lead", "inspection__city",
                                                                   "employee").get(pk=entry.pk)
    inspection = entry.inspection
    _require_inspector(actor)
    _require_lead(actor, inspection, _("menyelesaikan perbedaan pengamatan"))
    _require_open(inspection)
    if observation not in Observation.values:
        raise ValidationError({"observation": [_("Pengamatan tidak dikenal.")]})
    if not entry_verdict(entry).is_conflict:
        raise ValidationError(_("Pengamatan atas %(name)s tidak berbeda; tidak ada yang perlu diselesaikan.")
                              % {"name": entry.employee})
    before = snapshot(entry)
    entry.resolved_observation, entry.resolved_by = observation, actor
    entry.resolved_at, entry.resolution_note = now or timezone.now(), " ".join((note or "").split())[:255]
    entry.save(update_fields=["resolved_observation", "resolved_by", "resolved_at", "resolution_note"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=entry,
                 object_repr=f"{inspection.title} · {entry.employee}"[:255], before=before, after=snapshot(entry),
                 note=_("penyelesaian perbedaan pengamatan"))
    event_publish(channel=inspections_channel(inspection.city), kind="inspection.conflict_resolved",
                  data={"inspection": inspection.pk, "entry": entry.pk, "observation": observation})
    return entry


# --- close and sign off ---------------------------------------------------------------------------------------

def _detail(kind: str, recorded: Recorded, verdict, zone) -> str:
    parts = [_("Diamati %(at)s") % {"at": verdict.observed_at.astimezone(zone).strftime("%H:%M")}]
    if recorded.first_in:
        parts.append(_("absen masuk %(at)s") % {"at": recorded.first_in.astimezone(zone).strftime("%H:%M:%S")})
    else:
        parts.append(_("tanpa absen masuk"))
    if recorded.leave_kind:
        parts.append(_("tercatat %(kind)s") % {"kind": recorded.leave_kind.replace("_", " ")})
    return "; ".join(parts)


@transaction.atomic
def inspection_close(*, actor, inspection: Inspection, note: str = "", now: dt.datetime | None = None) -> Inspection:
    """The lead signs off: the records are frozen as of now, the findings computed and stored."""
    now = now or timezone.now()
    inspection = Inspection.objects.select_for_update().select_related("lead", "city").get(pk=inspection.pk)
    _require_inspector(actor)
    _require_lead(actor, inspection, _("menutup dan menandatangani sidak"))
    _require_open(inspection)
    entries = list(inspection.entries.select_related("employee__unit__city").prefetch_related("marks"))
    verdicts = {e.pk: entry_verdict(e) for e in entries}
    conflicts = [e.employee.name for e in entries if verdicts[e.pk].is_conflict]
    if conflicts:
        raise ValidationError(_("Masih ada perbedaan pengamatan yang belum diselesaikan ketua tim: %(names)s.")
                              % {"names": ", ".join(conflicts)}, code="conflicts")
    if not any(v.observation for v in verdicts.values()):
        raise ValidationError(_("Belum ada satu pun pengamatan; tandai pegawai sebelum menutup sidak."))
    records = day_records(employees=[e.employee for e in entries], date=inspection.date, as_of=now)
    zone = inspection.city.zone
    findings = []
    for entry in entries:
        record = records[entry.employee_id]
        entry.recorded_status, entry.first_in = record.status or entry.recorded_status, record.recorded.first_in
        entry.leave_kind, entry.recorded_as_of = record.recorded.leave_kind, now
        verdict = verdicts[entry.pk]
        kind = finding_kind(recorded=record.recorded, observation=verdict.observation, observed_at=verdict.observed_at)
        if kind:
            findings.append(Finding(inspection=inspection, entry=entry, employee=entry.employee, unit_id=entry.unit_id,
                                    kind=kind, detail=_detail(kind, record.recorded, verdict, zone)))
    RosterEntry.objects.bulk_update(entries, ["recorded_status", "first_in", "leave_kind", "recorded_as_of"])
    Finding.objects.bulk_create(findings)
    before = snapshot(inspection)
    inspection.status, inspection.closed_at, inspection.signed_by = InspectionStatus.CLOSED, now, actor
    inspection.sign_off_note = (note or "").strip()
    inspection.save(update_fields=["status", "closed_at", "signed_by", "sign_off_note"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=inspection, before=before, after=snapshot(inspection),
                 note=_("ditutup dan ditandatangani; %(n)s temuan") % {"n": len(findings)})
    event_publish(channel=inspections_channel(inspection.city), kind="inspection.closed",
                  data={"inspection": inspection.pk, "findings": len(findings), "date": inspection.date})
    return inspection


# --- findings and their follow-up -----------------------------------------------------------------------------

@transaction.atomic
def finding_assign(*, actor, finding: Finding, due_date: dt.date, unit: Unit | None = None,
                   note: str = "") -> Finding:
    """Hand a finding to a unit (its head and admins) for follow-up by a date."""
    _require_inspector(actor)
    finding = Finding.objects.select_for_update().select_related("inspection", "unit").get(pk=finding.pk)
    unit = unit or finding.unit
    if not finding.unit.is_descendant_of(unit):
        raise ValidationError({"unit": [_("Temuan hanya dapat ditugaskan ke unit pegawai itu atau unit di atasnya.")]})
    if due_date is None or due_date < finding.inspection.date:
        raise ValidationError({"due_date": [_("Batas waktu tindak lanjut harus pada atau setelah tanggal sidak.")]})
    before = snapshot(finding)
    finding.assigned_unit, finding.due_date = unit, due_date
    if finding.follow_up_status == FollowUpStatus.NEW:
        finding.follow_up_status = FollowUpStatus.ASSIGNED
    if note.strip():
        finding.follow_up_note = note.strip()
    finding.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=finding, unit_path=unit.path, before=before,
                 after=snapshot(finding), note=_("penugasan tindak lanjut"))
    _finding_publish(finding, "finding.assigned")
    return finding


@transaction.atomic
def finding_follow_up(*, actor, finding: Finding, status: str, note: str = "") -> Finding:
    """The unit (its admin or head) or an inspector reports progress on an assigned finding."""
    from satulayar.inspections.access import findings_for

    if actor is not None and not findings_for(actor).filter(pk=finding.pk).exists():
        raise PermissionDenied(_("Temuan ini tidak ditugaskan ke unit Anda."))
    finding = Finding.objects.select_for_update(of=("self",)).select_related("assigned_unit").get(pk=finding.pk)
    if finding.assigned_unit_id is None:
        raise ValidationError(_("Temuan ini belum ditugaskan ke unit."))
    if status not in (FollowUpStatus.IN_PROGRESS, FollowUpStatus.DONE):
        raise ValidationError({"status": [_("Status tindak lanjut harus 'sedang ditindaklanjuti' atau 'selesai'.")]})
    note = (note or "").strip()
    if status == FollowUpStatus.DONE and not note:
        raise ValidationError({"note": [_("Jelaskan tindak lanjutnya sebelum menandai selesai.")]})
    before = snapshot(finding)
    finding.follow_up_status = status
    if note:
        finding.follow_up_note = note
    finding.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=finding, unit_path=finding.assigned_unit.path,
                 before=before, after=snapshot(finding), note=_("tindak lanjut temuan sidak"))
    _finding_publish(finding, "finding.followed_up")
    return finding


def _finding_publish(finding: Finding, kind: str) -> None:
    event_publish(channel=inspections_channel(finding.inspection.city_id), kind=kind,
                  data={"finding": finding.pk, "inspection": finding.inspection_id, "unit": finding.assigned_unit_id,
                        "status": finding.follow_up_status})
