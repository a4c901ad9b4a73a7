"""Sidak over JSON: the same services and selectors as the pages, with the same checks.

Only inspectors and executives see inspections (others get 404 for one, an empty list for all); unit admins
and unit heads see and follow up the findings assigned to their units after closing. A refused mark answers
422 with its reason; a batch keeps its good marks and lists each refused one with its reason; a mark whose
uuid is already stored is reported as a duplicate and stored once.
"""

import datetime as dt
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from satulayar.core.apitypes import DbId
from satulayar.inspections import selectors, services
from satulayar.inspections.access import finding_get_for_user, inspection_get_for_user, may_inspect
from satulayar.inspections.choices import FindingKind
from satulayar.inspections.models import RosterEntry
from satulayar.org import access

router = Router(tags=["sidak"])


class StartIn(Schema):
    unit_ids: list[DbId]
    title: str = ""
    started_at: dt.datetime | None = None


class InspectionOut(Schema):
    id: int
    title: str
    date: dt.date
    started_at: dt.datetime
    status: str
    units: str
    lead: str
    closed_at: dt.datetime | None
    people: int
    findings: dict[str, int]


class MarkIn(Schema):
    uuid: UUID
    employee: int
    observation: str
    note: str = ""
    observed_at: dt.datetime | None = None
    photo: str = ""  # a data URL (image/jpeg, image/png or image/webp), optional


class BatchIn(Schema):
    marks: list[dict]


class RejectedOut(Schema):
    index: int
    uuid: str
    employee: int | str | None
    reason: str


class MarksOut(Schema):
    accepted: list[str]
    duplicates: list[str]
    rejected: list[RejectedOut]


class MarkOut(Schema):
    uuid: UUID
    inspector: str
    observation: str
    observed_at: dt.datetime
    note: str


class RosterRowOut(Schema):
    entry_id: int
    employee_id: int
    name: str
    unit: str
    recorded_status: str
    first_in: dt.datetime | None
    leave_kind: str
    observation: str | None
    conflict: list[str]
    finding: str | None
    marks: list[MarkOut]


class UnitSummaryOut(Schema):
    unit_id: int
    unit: str
    scheduled: int
    observed: int
    observed_present: int
    recorded_present: int
    observed_rate: float | None
    recorded_rate: float | None
    findings: int


class ReportOut(InspectionOut):
    units_summary: list[UnitSummaryOut]
    total: UnitSummaryOut
    roster: list[RosterRowOut]


class ResolveIn(Schema):
    observation: str
    note: str = ""


class CloseIn(Schema):
    note: str = ""


class FindingOut(Schema):
    id: int
    inspection_id: int
    date: dt.date
    employee_id: int
    employee: str
    unit: str
    kind: str
    kind_label: str
    detail: str
    assigned_unit: str | None
    due_date: dt.date | None
    follow_up_status: str
    follow_up_note: str


class AssignIn(Schema):
    due_date: dt.date
    unit_id: int | None = None
    note: str = ""


class FollowUpIn(Schema):
    status: str
    note: str = ""


class OffenderOut(Schema):
    employee_id: int
    name: str
    unit: str
    findings: int
    inspections: int
    kinds: dict[str, int]
    last_date: dt.date


def _inspection_out(inspection, report=None) -> dict:
    findings = report.findings_by_kind if report else {k: 0 for k in FindingKind.values}
    return {"id": inspection.pk, "title": inspection.title, "date": inspection.date,
            "started_at": inspection.started_at, "status": inspection.status,
            "units": selectors.units_label(inspection), "lead": inspection.lead.get_username(),
            "closed_at": inspection.closed_at, "people": report.total.scheduled if report else 0,
            "findings": findings}


def _rate(value) -> float | None:
    return None if value is None else float(value)


def _tally_out(unit, tally) -> dict:
    rate = _rate
    return {"unit_id": unit.pk if unit else 0, "unit": unit.label if unit else "", "scheduled": tally.scheduled,
            "observed": tally.observed, "observed_present": tally.observed_present,
            "recorded_present": tally.recorded_present, "observed_rate": rate(tally.observed_rate),
            "recorded_rate": rate(tally.recorded_rate), "findings": tally.findings}


def _finding_out(f) -> dict:
    return {"id": f.pk, "inspection_id": f.inspection_id, "date": f.inspection.date, "employee_id": f.employee_id,
            "employee": f.employee.name, "unit": f.unit.label, "kind": f.kind, "kind_label": f.get_kind_display(),
            "detail": f.detail, "assigned_unit": f.assigned_unit.label if f.assigned_unit_id else None,
            "due_date": f.due_date, "follow_up_status": f.follow_up_status, "follow_up_note": f.follow_up_note}


@router.get("/", response=list[InspectionOut], summary="Sidak yang boleh dilihat pemanggil (inspektur, pimpinan)")
def inspection_list(request, status: str = ""):
    rows = selectors.inspections_list(user=request.user, status=status)
    recent = {r["id"]: r["findings"] for r in selectors.inspections_recent(
        user=request.user, city=rows[0].city, limit=len(rows))} if rows else {}
    return [_inspection_out(i) | {"people": i.people, "findings": recent.get(i.pk, {})} for i in rows]


@router.post("/", response={201: InspectionOut}, summary="Mulai sidak atas unit (beserta sub-unitnya)")
def inspection_start(request, payload: StartIn):
    if not may_inspect(request.user):
        raise PermissionDenied
    units = list(access.units_for(request.user).filter(pk__in=payload.unit_ids).select_related("city"))
    missing = sorted(set(payload.unit_ids) - {u.pk for u in units})
    if missing:
        raise ValidationError({"unit_ids": [_("Unit %(ids)s di luar wewenang Anda atau tidak ada.")
                                            % {"ids": ", ".join(map(str, missing))}]})
    inspection = services.inspection_start(actor=request.user, units=units, title=payload.title,
                                           started_at=payload.started_at)
    return Status(201, _inspection_out(inspection, selectors.inspection_report(inspection=inspection)))


@router.get("/{int:inspection_id}", response=ReportOut,
            summary="Daftar hadir, pengamatan, temuan dan ringkasan per unit")
def inspection_detail(request, inspection_id: int):
    inspection = inspection_get_for_user(user=request.user, pk=inspection_id)
    report = selectors.inspection_report(inspection=inspection)
    roster = [{"entry_id": r.entry.pk, "employee_id": r.entry.employee_id, "name": r.entry.employee.name,
               "unit": r.entry.unit.label, "recorded_status": r.status, "first_in": r.recorded.first_in,
               "leave_kind": r.recorded.leave_kind, "observation": r.verdict.observation,
               "conflict": list(r.verdict.conflict), "finding": r.finding,
               "marks": [{"uuid": m.uuid, "inspector": m.inspector.get_username(), "observation": m.observation,
                          "observed_at": m.observed_at, "note": m.note} for m in r.marks]} for r in report.rows]
    return _inspection_out(inspection, report) | {
        "units_summary": [_tally_out(g.unit, g.tally) for g in report.groups],
        "total": _tally_out(None, report.total), "roster": roster}


@router.post("/{int:inspection_id}/marks", response={201: MarksOut, 200: MarksOut},
             summary="Satu penandaan; 422 dengan alasan bila ditolak, 200 bila UUID-nya sudah tersimpan")
def mark_create(request, inspection_id: int, payload: MarkIn):
    inspection = inspection_get_for_user(user=request.user, pk=inspection_id)
    result = services.mark_submit(actor=request.user, inspection=inspection, item=payload.dict())
    return Status(201 if result.accepted else 200, result.as_dict())


@router.post("/{int:inspection_id}/marks/batch", response=MarksOut,
             summary="Antrean penandaan dari ponsel: yang baik disimpan, duplikat diabaikan, yang buruk dilaporkan")
def marks_batch(request, inspection_id: int, payload: BatchIn):
    inspection = inspection_get_for_user(user=request.user, pk=inspection_id)
    return services.marks_submit(actor=request.user, inspection=inspection, items=payload.marks).as_dict()


@router.post("/{int:inspection_id}/entries/{int:entry_id}/resolve", response=RosterRowOut,
             summary="Ketua tim menyelesaikan perbedaan pengamatan")
def conflict_resolve(request, inspection_id: int, entry_id: int, payload: ResolveIn):
    inspection = inspection_get_for_user(user=request.user, pk=inspection_id)
    entry = get_object_or_404(RosterEntry, pk=entry_id, inspection=inspection)
    entry = services.conflict_resolve(actor=request.user, entry=entry, observation=payload.observation,
                                      note=payload.note)
    row = next(r for r in selectors.inspection_report(inspection=inspection).rows if r.entry.pk == entry.pk)
    return {"entry_id": entry.pk, "employee_id": entry.employee_id, "name": entry.employee.name,
            "unit": row.entry.unit.label, "recorded_status": row.status, "first_in": row.recorded.first_in,
            "leave_kind": row.recorded.leave_kind, "observation": row.verdict.observation,
            "conflict": list(row.verdict.conflict), "finding": row.finding, "marks": []}


@router.post("/{int:inspection_id}/close", response=InspectionOut, summary="Tutup dan tandatangani sidak (ketua tim)")
def inspection_close(request, inspection_id: int, payload: CloseIn):
    inspection = inspection_get_for_user(user=request.user, pk=inspection_id)
    inspection = services.inspection_close(actor=request.user, inspection=inspection, note=payload.note)
    return _inspection_out(inspection, selectors.inspection_report(inspection=inspection))


@router.get("/findings/", response=list[FindingOut],
            summary="Temuan sidak yang sudah ditutup (unit: hanya yang ditugaskan ke unitnya)")
def findings(request, unit_id: int | None = None, employee_id: int | None = None, status: str = "", kind: str = ""):
    unit = access.unit_get_for_user(user=request.user, pk=unit_id) if unit_id else None
    employee = access.employee_get_for_user(user=request.user, pk=employee_id) if employee_id else None
    return [_finding_out(f) for f in selectors.findings_list(user=request.user, unit=unit, employee=employee,
                                                             status=status, kind=kind)]


@router.post("/findings/{int:finding_id}/assign", response=FindingOut, summary="Tugaskan temuan ke unit dengan tenggat")
def finding_assign(request, finding_id: int, payload: AssignIn):
    finding = finding_get_for_user(user=request.user, pk=finding_id)
    unit = access.unit_get_for_user(user=request.user, pk=payload.unit_id) if payload.unit_id else None
    return _finding_out(services.finding_assign(actor=request.user, finding=finding, due_date=payload.due_date,
                                                unit=unit, note=payload.note))


@router.post("/findings/{int:finding_id}/follow-up", response=FindingOut, summary="Laporkan tindak lanjut temuan")
def finding_follow_up(request, finding_id: int, payload: FollowUpIn):
    finding = finding_get_for_user(user=request.user, pk=finding_id)
    return _finding_out(services.finding_follow_up(actor=request.user, finding=finding, status=payload.status,
                                                   note=payload.note))


@router.get("/repeat-offenders/", response=list[OffenderOut], summary="Pegawai dengan temuan di beberapa sidak")
def repeat_offenders(request, unit_id: int | None = None):
    unit = access.unit_get_for_user(user=request.user, pk=unit_id) if unit_id else None
    return [{"employee_id": o.employee.pk, "name": o.employee.name, "unit": o.employee.unit.label,
             "findings": o.findings, "inspections": o.inspections, "kinds": o.kinds, "last_date": o.last_date}
            for o in selectors.repeat_offenders(user=request.user, unit=unit)]
