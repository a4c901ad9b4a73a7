"""Leave requests: who may ask and decide, what is refused, and the statuses that follow."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from satulayar.attendance.choices import DayStatus, LeaveKind, RequestStatus
from satulayar.attendance.leave import (
    has_approved_field_duty,
    leave_request_cancel,
    leave_request_create,
    leave_request_decide,
)
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.status import daily_status_rebuild
from satulayar.audit.models import AuditEntry
from satulayar.demo.papers import doctor_letter
from satulayar.org.models import Unit
from tests.factories import make_user

MONDAY, TUESDAY, WEDNESDAY = dt.date(2018, 1, 8), dt.date(2018, 1, 9), dt.date(2018, 1, 10)


@pytest.fixture
def kepala_dinas(org):
    """dr. Siti Rahmah heads Dinas Kesehatan and logs in."""
    head = org.staff.dinkes
    head.user = make_user("kepala_dinkes")
    head.save()
    Unit.objects.filter(pk=org.dinkes.pk).update(head=head)
    return head.user


def ask(actor, employee, kind=LeaveKind.ANNUAL, start=MONDAY, end=TUESDAY, reason="Urusan keluarga"):
    return leave_request_create(actor=actor, employee=employee, kind=kind, start_date=start, end_date=end,
                                reason=reason)


def test_employee_asks_and_the_unit_head_above_approves(org, personas, kepala_dinas):
    daily_status_rebuild(city=org.city, start=MONDAY, end=WEDNESDAY)
    request = ask(personas.pegawai_dinkes, org.staff.p2p)
    assert (request.status, request.requested_by) == (RequestStatus.PENDING, personas.pegawai_dinkes)
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=MONDAY).status == DayStatus.ABSENT
    decided = leave_request_decide(actor=kepala_dinas, request=request, approve=True, note="Silakan")
    assert (decided.status, decided.decided_by, decided.decision_note) == (RequestStatus.APPROVED, kepala_dinas,
                                                                            "Silakan")
    statuses = dict(DailyStatus.objects.filter(employee=org.staff.p2p).values_list("date", "status"))
    assert statuses == {MONDAY: DayStatus.ANNUAL_LEAVE, TUESDAY: DayStatus.ANNUAL_LEAVE, WEDNESDAY: DayStatus.ABSENT}
    entries = AuditEntry.objects.filter(object_type="attendance.leaverequest", object_id=str(request.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]
    update = entries.get(action="update")
    assert (update.before["status"], update.after["status"], update.unit_path) == (
        "pending", "approved", org.p2p.path)


def test_nobody_decides_their_own_request(org, kepala_dinas):
    request = ask(kepala_dinas, org.staff.dinkes)
    with pytest.raises(PermissionDenied):
        leave_request_decide(actor=kepala_dinas, request=request, approve=True)


@pytest.mark.parametrize("who", ["pegawai_dinkes", "outsider", "lurah_kuin_cerucuk", "walikota", "inspektur"])
def test_others_cannot_decide(org, personas, who):
    request = ask(None, org.staff.p2p)
    with pytest.raises(PermissionDenied):
        leave_request_decide(actor=getattr(personas, who), request=request, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_admins_in_scope_decide_and_a_head_only_below_them(org, personas, kepala_dinas):
    dinkes_request = ask(None, org.staff.p2p)
    leave_request_decide(actor=personas.admin_dinas_kesehatan, request=dinkes_request, approve=False,
                         note="Sedang ada kegiatan vaksinasi")
    kominfo_request = ask(None, org.staff.kominfo)
    for actor in (personas.admin_dinas_kesehatan, kepala_dinas):
        with pytest.raises(PermissionDenied):
            leave_request_decide(actor=actor, request=kominfo_request, approve=True)
    leave_request_decide(actor=personas.admin_bkpsdm, request=kominfo_request, approve=True)
    assert kominfo_request.__class__.objects.get(pk=kominfo_request.pk).status == RequestStatus.APPROVED


def test_a_decision_is_made_once_and_a_refusal_needs_a_reason(org, personas):
    request = ask(None, org.staff.p2p)
    with pytest.raises(ValidationError) as excinfo:
        leave_request_decide(actor=personas.admin_dinas_kesehatan, request=request, approve=False)
    assert excinfo.value.message_dict == {"note": ["Alasan penolakan wajib diisi."]}
    leave_request_decide(actor=personas.admin_dinas_kesehatan, request=request, approve=True)
    with pytest.raises(ValidationError, match="sudah disetujui"):
        leave_request_decide(actor=personas.admin_dinas_kesehatan, request=request, approve=False, note="Batal")


def test_bad_requests_are_refused_with_their_reason(org, personas):
    employee = org.staff.p2p
    with pytest.raises(ValidationError) as excinfo:
        ask(personas.pegawai_dinkes, employee, start=TUESDAY, end=MONDAY, reason="  ")
    assert excinfo.value.message_dict == {"end_date": ["Tanggal selesai tidak boleh sebelum tanggal mulai."],
                                          "reason": ["Alasan wajib diisi."]}
    with pytest.raises(ValidationError) as excinfo:
        ask(personas.pegawai_dinkes, employee, kind="liburan")
    assert list(excinfo.value.message_dict) == ["kind"]
    ask(personas.pegawai_dinkes, employee, start=MONDAY, end=TUESDAY)
    with pytest.raises(ValidationError) as excinfo:
        ask(personas.pegawai_dinkes, employee, kind=LeaveKind.SICK, start=TUESDAY, end=WEDNESDAY)
    assert excinfo.value.message_dict["start_date"] == [
        "Bertumpang tindih dengan pengajuan cuti tahunan 08-01-2018 s.d. 09-01-2018 yang menunggu."]
    ask(personas.pegawai_dinkes, employee, start=WEDNESDAY, end=WEDNESDAY)  # the next day is free
    ask(None, org.staff.kominfo, start=MONDAY, end=TUESDAY)  # someone else's days are theirs


def test_only_the_employee_or_an_admin_over_them_asks(org, personas):
    for name in ("pegawai_dinkes", "outsider", "walikota"):
        with pytest.raises(PermissionDenied):
            ask(getattr(personas, name), org.staff.kominfo)
    assert ask(personas.admin_dinas_kesehatan, org.staff.dinkes).requested_by == personas.admin_dinas_kesehatan


def test_cancel_returns_the_days_to_what_the_punches_say(org, personas):
    daily_status_rebuild(city=org.city, start=MONDAY, end=TUESDAY)
    request = ask(personas.pegawai_dinkes, org.staff.p2p, kind=LeaveKind.FIELD_DUTY, reason="Surveilans DBD")
    leave_request_decide(actor=personas.admin_dinas_kesehatan, request=request, approve=True)
    assert has_approved_field_duty(employee=org.staff.p2p, date=TUESDAY)
    assert not has_approved_field_duty(employee=org.staff.p2p, date=WEDNESDAY)
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=TUESDAY).status == DayStatus.FIELD_DUTY
    with pytest.raises(PermissionDenied):
        leave_request_cancel(actor=personas.outsider, request=request)
    leave_request_cancel(actor=personas.pegawai_dinkes, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert not has_approved_field_duty(employee=org.staff.p2p, date=TUESDAY)
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=TUESDAY).status == DayStatus.ABSENT
    with pytest.raises(ValidationError):
        leave_request_cancel(actor=personas.pegawai_dinkes, request=request)
    # A cancelled request no longer blocks the same days.
    leave_request_create(actor=personas.pegawai_dinkes, employee=org.staff.p2p, kind=LeaveKind.SICK, start_date=MONDAY,
                         end_date=TUESDAY, reason="Sakit", attachments=[doctor_letter("Pegawai P2P", 2)])


def test_field_duty_must_be_approved(org):
    request = ask(None, org.staff.p2p, kind=LeaveKind.FIELD_DUTY)
    assert not has_approved_field_duty(employee=org.staff.p2p, date=MONDAY)
    leave_request_decide(actor=None, request=request, approve=False, note="Tidak ada surat tugas")
    assert not has_approved_field_duty(employee=org.staff.p2p, date=MONDAY)
