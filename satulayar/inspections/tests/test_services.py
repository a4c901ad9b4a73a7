"""Start, mark, resolve, close: the sidak services on a constructed Tuesday at Dinas Kesehatan."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from satulayar.audit.models import AuditEntry
from satulayar.audit.selectors import audit_entries_for
from satulayar.inspections import selectors, services
from satulayar.inspections.choices import FindingKind, FollowUpStatus, InspectionStatus, Observation
from satulayar.inspections.models import Finding, Mark
from satulayar.inspections.tests.conftest import DAY, START, item, wita
from satulayar.org.models import City, Unit
from tests.factories import make_unit

CLOSE = wita(10, 30)


def test_roster_holds_the_scheduled_people_of_the_units_and_sub_units_with_their_records(inspection, staff):
    entries = {e.employee_id: e for e in inspection.entries.all()}
    assert set(entries) == {staff.punched.pk, staff.punched_p2p.pk, staff.late.pk, staff.never.pk, staff.leave.pk,
                            staff.p2p_never.pk}  # not the inactive one, not Diskominfotik
    assert entries[staff.punched.pk].first_in == wita(7, 20)
    assert entries[staff.late.pk].first_in is None  # punched at 09:50, after the start
    assert entries[staff.leave.pk].leave_kind == "cuti"
    assert inspection.date == DAY and inspection.status == InspectionStatus.OPEN


def test_each_discrepancy_rule_end_to_end(org, personas, staff, inspection):
    result = services.marks_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE, items=[
        item(staff.punched, Observation.NOT_FOUND),  # punched 07:20, not there: proxy suspect
        item(staff.punched_p2p, Observation.PRESENT),  # agrees
        item(staff.late, Observation.NOT_FOUND),  # punched 09:50 after the 09:40 look: late, no finding
        item(staff.never, Observation.PRESENT),  # there without any punch
        item(staff.leave, Observation.PRESENT),  # on recorded leave but at the desk
        item(staff.p2p_never, Observation.NOT_FOUND),  # absent, no record at all
    ])
    assert len(result.accepted) == 6 and not result.rejected
    services.inspection_close(actor=personas.inspektur, inspection=inspection, note="Sesuai", now=CLOSE)
    kinds = dict(Finding.objects.values_list("employee_id", "kind"))
    assert kinds == {staff.punched.pk: FindingKind.PROXY_SUSPECT, staff.never.pk: FindingKind.UNRECORDED_PRESENT,
                     staff.leave.pk: FindingKind.PRESENT_ON_LEAVE, staff.p2p_never.pk: FindingKind.ABSENT_NO_RECORD}
    report = selectors.inspection_report(inspection=inspection)
    assert report.total.observed == 6 and report.total.observed_present == 3
    assert report.total.recorded_present == 2  # 07:20 and 07:25; the 09:50 punch came after the look
    late = next(r for r in report.rows if r.entry.employee_id == staff.late.pk)
    assert late.recorded.first_in == wita(9, 50)  # frozen as of closing
    assert [g.unit for g in report.groups] == [org.dinkes, org.p2p]


def test_leave_confirmed_without_a_record_is_leave_only_on_paper(personas, staff, inspection):
    services.marks_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE, items=[
        item(staff.never, Observation.LEAVE_CONFIRMED), item(staff.leave, Observation.LEAVE_CONFIRMED)])
    services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)
    assert list(Finding.objects.values_list("employee_id", "kind")) == [(staff.never.pk, FindingKind.LEAVE_UNRECORDED)]


def test_offline_resubmit_of_the_same_uuids_stores_each_mark_once(personas, staff, inspection):
    queue = [item(staff.punched, Observation.PRESENT), item(staff.never, Observation.NOT_FOUND)]
    first = services.marks_submit(actor=personas.inspektur, inspection=inspection, items=queue, now=CLOSE)
    again = services.marks_submit(actor=personas.inspektur, inspection=inspection, items=queue + queue, now=CLOSE)
    assert len(first.accepted) == 2 and again.accepted == [] and len(again.duplicates) == 4
    assert Mark.objects.count() == 2
    assert AuditEntry.objects.filter(object_type="inspections.mark").count() == 2


def test_marking_someone_outside_the_inspected_units_is_refused_with_a_reason(personas, staff, inspection):
    result = services.marks_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE,
                                   items=[item(staff.outsider, Observation.PRESENT),
                                          item(staff.punched, Observation.PRESENT)])
    assert len(result.accepted) == 1
    assert "tidak termasuk unit yang disidak" in result.rejected[0]["reason"]
    with pytest.raises(ValidationError, match="tidak termasuk unit"):
        services.mark_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE,
                             item=item(staff.inactive, Observation.PRESENT))


@pytest.mark.parametrize(("change", "reason"), [
    ({"observation": "hadir"}, "Pengamatan harus salah satu"),
    ({"uuid": "bukan-uuid"}, "UUID"),
    ({"observed_at": "2026-11-24T09:40:00"}, "zona waktu"),
    ({"observed_at": "2026-11-24T08:00:00+08:00"}, "sebelum sidak dimulai"),
    ({"observed_at": "2026-11-24T12:00:00+08:00"}, "masa depan"),
    ({"photo": "data:text/plain;base64,aGFsbw=="}, "JPEG"),
    ({"photo": "data:image/png;base64,aGFsbw=="}, "JPEG"),  # says PNG, is not
])
def test_bad_marks_get_clear_reasons(personas, staff, inspection, change, reason):
    result = services.marks_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE,
                                   items=[item(staff.punched, Observation.PRESENT) | change])
    assert reason in result.rejected[0]["reason"] and Mark.objects.count() == 0


def test_marking_after_closing_is_refused(personas, staff, inspection):
    services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.punched, "present"),
                         now=CLOSE)
    services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)
    with pytest.raises(ValidationError, match="sudah ditutup"):
        services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.never, "present"),
                             now=CLOSE + dt.timedelta(minutes=1))
    assert Mark.objects.count() == 1


def test_two_inspectors_disagreeing_block_closing_until_the_lead_resolves(personas, staff, inspection, inspektur_2):
    services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.never, "present"),
                         now=CLOSE)
    services.mark_submit(actor=inspektur_2, inspection=inspection,
                         item=item(staff.never, "not_found", at=wita(9, 45)), now=CLOSE)
    assert Mark.objects.filter(entry__employee=staff.never).count() == 2  # both kept
    report = selectors.inspection_report(inspection=inspection, now=CLOSE)
    assert [r.entry.employee_id for r in report.conflicts] == [staff.never.pk]
    assert report.conflicts[0].verdict.observation is None  # the later mark did not win
    with pytest.raises(ValidationError, match="Rina Wati"):
        services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)
    entry = report.conflicts[0].entry
    with pytest.raises(PermissionDenied, match="ketua tim"):
        services.conflict_resolve(actor=inspektur_2, entry=entry, observation="not_found")
    services.conflict_resolve(actor=personas.inspektur, entry=entry, observation="present", note="Saya lihat sendiri")
    services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)
    assert Finding.objects.get().kind == FindingKind.UNRECORDED_PRESENT


def test_resolving_where_nobody_disagrees_is_refused(personas, staff, inspection):
    services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.never, "present"),
                         now=CLOSE)
    entry = inspection.entries.get(employee=staff.never)
    with pytest.raises(ValidationError, match="tidak berbeda"):
        services.conflict_resolve(actor=personas.inspektur, entry=entry, observation="present")


def test_only_the_lead_closes_and_not_before_anything_is_observed(personas, inspection, inspektur_2):
    with pytest.raises(PermissionDenied):
        services.inspection_close(actor=inspektur_2, inspection=inspection, now=CLOSE)
    with pytest.raises(ValidationError, match="Belum ada satu pun pengamatan"):
        services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)


def test_who_may_start_an_inspection_and_of_what(org, personas, staff):
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=personas.admin_dinas_kesehatan, units=[org.dinkes], now=START)
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=personas.admin_bkpsdm, units=[org.dinkes], now=START)
    other = City.objects.create(slug="banjarbaru", name="Banjarbaru", code="63.72", timezone="Asia/Makassar")
    elsewhere = make_unit(other, "Dinas Kesehatan Banjarbaru", "DINKES-BJB")
    with pytest.raises(ValidationError, match="di luar wewenang"):
        services.inspection_start(actor=personas.inspektur, units=[elsewhere], now=START)
    with pytest.raises(ValidationError, match="Pilih minimal satu unit"):
        services.inspection_start(actor=personas.inspektur, units=[], now=START)
    saturday = wita(9, 0, day=dt.date(2026, 11, 28))
    with pytest.raises(ValidationError, match="Tidak ada pegawai yang terjadwal"):
        services.inspection_start(actor=personas.inspektur, units=[org.dinkes], now=saturday)
    with pytest.raises(ValidationError, match="hari ini"):
        services.inspection_start(actor=personas.inspektur, units=[org.dinkes], started_at=START - dt.timedelta(days=1),
                                  now=START)
    by_mayor = services.inspection_start(actor=personas.walikota, units=[org.p2p], now=START)
    assert by_mayor.entries.count() == 3


def test_an_open_inspection_is_hidden_from_units_and_their_audit_log(personas, staff, inspection):
    services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.never, "present"),
                         now=CLOSE)
    admin = personas.admin_dinas_kesehatan
    assert not audit_entries_for(user=admin).filter(object_type__startswith="inspections.").exists()
    assert audit_entries_for(user=personas.inspektur).filter(object_type="inspections.mark").count() == 1
    assert selectors.inspections_recent(user=admin, city=inspection.city) == []
    assert selectors.inspections_list(user=admin) == []


def test_findings_go_to_the_unit_for_follow_up(org, personas, staff, inspection):
    services.marks_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE, items=[
        item(staff.punched, "not_found"), item(staff.p2p_never, "not_found")])
    services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)
    admin = personas.admin_dinas_kesehatan
    assert selectors.findings_list(user=admin) == []  # nothing assigned yet
    proxy = Finding.objects.get(kind=FindingKind.PROXY_SUSPECT)
    with pytest.raises(ValidationError, match="Batas waktu"):
        services.finding_assign(actor=personas.inspektur, finding=proxy, due_date=DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="unit pegawai itu"):
        services.finding_assign(actor=personas.inspektur, finding=proxy, due_date=DAY, unit=org.kominfo)
    with pytest.raises(PermissionDenied):
        services.finding_assign(actor=admin, finding=proxy, due_date=DAY)
    services.finding_assign(actor=personas.inspektur, finding=proxy, due_date=DAY + dt.timedelta(days=14))
    assert [f.pk for f in selectors.findings_list(user=admin)] == [proxy.pk]
    with pytest.raises(ValidationError, match="Jelaskan"):
        services.finding_follow_up(actor=admin, finding=proxy, status=FollowUpStatus.DONE)
    services.finding_follow_up(actor=admin, finding=proxy, status=FollowUpStatus.DONE, note="Teguran tertulis")
    proxy.refresh_from_db()
    assert proxy.follow_up_status == FollowUpStatus.DONE
    other_absent = Finding.objects.get(kind=FindingKind.ABSENT_NO_RECORD)
    with pytest.raises(PermissionDenied):
        services.finding_follow_up(actor=admin, finding=other_absent, status=FollowUpStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.finding_follow_up(actor=personas.lurah_kuin_cerucuk, finding=proxy, status=FollowUpStatus.DONE,
                                   note="x")


def test_repeat_offenders_and_the_dashboard_contract(org, personas, staff, inspection):
    services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.p2p_never, "not_found"),
                         now=CLOSE)
    services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE)
    assert selectors.repeat_offenders(user=personas.inspektur) == []
    second = services.inspection_start(actor=personas.inspektur, units=[org.p2p], now=wita(13, 0))
    services.mark_submit(actor=personas.inspektur, inspection=second, now=wita(13, 10),
                         item=item(staff.p2p_never, "not_found", at=wita(13, 5)))
    services.inspection_close(actor=personas.inspektur, inspection=second, now=wita(13, 20))
    offenders = selectors.repeat_offenders(user=personas.inspektur)
    assert [(o.employee, o.findings, o.inspections) for o in offenders] == [(staff.p2p_never, 2, 2)]
    recent = selectors.inspections_recent(user=personas.walikota, city=org.city)
    assert [r["id"] for r in recent] == [second.pk, inspection.pk]
    assert recent[0]["findings"][FindingKind.ABSENT_NO_RECORD] == 1 and recent[0]["status"] == "closed"
    assert set(recent[0]) == {"id", "title", "started_at", "status", "units", "findings"}
    assert recent[0]["units"] == "Bidang Pencegahan dan Pengendalian Penyakit"
    for name in ("admin_dinas_kesehatan", "admin_bkpsdm", "pegawai_dinkes", "outsider", "lurah_kuin_cerucuk"):
        assert selectors.inspections_recent(user=getattr(personas, name), city=org.city) == []
    assert selectors.unit_history(user=personas.inspektur, unit=org.p2p) == [second, inspection]
    assert Unit.objects.get(pk=org.p2p.pk)


def test_every_mark_is_audited_with_its_uuid(personas, staff, inspection):
    key = uuid.uuid4()
    services.mark_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE,
                         item=item(staff.never, "present", uuid=key, note="Di ruang rapat"))
    entry = AuditEntry.objects.get(object_type="inspections.mark")
    assert entry.actor == personas.inspektur and entry.after["uuid"] == str(key)
    assert entry.after["note"] == "Di ruang rapat" and entry.unit_path == ""
