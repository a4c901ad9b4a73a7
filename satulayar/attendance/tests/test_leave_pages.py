"""The leave pages: an employee asks, the unit head above approves and the day turns into leave; what is
refused, for whom, and that a refusal saves nothing."""

import datetime as dt
import re

import pytest
from django.test import Client

from satulayar.attendance.choices import DayStatus, LeaveKind, RequestStatus
from satulayar.attendance.leave import leave_request_create
from satulayar.attendance.models import DailyStatus, LeaveRequest
from satulayar.attendance.status import daily_status_rebuild
from satulayar.audit.models import AuditEntry
from satulayar.org.models import Unit
from tests.factories import login_as, make_user

LEAVE, APPROVALS = "/kehadiran/cuti/", "/kehadiran/cuti/persetujuan/"
MONDAY, TUESDAY, WEDNESDAY = dt.date(2018, 1, 8), dt.date(2018, 1, 9), dt.date(2018, 1, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def kepala_dinas(org):
    """dr. Siti Rahmah heads Dinas Kesehatan (above Bidang P2P) and logs in as kepala_dinkes."""
    head = org.staff.dinkes
    head.user = make_user("kepala_dinkes")
    head.save()
    Unit.objects.filter(pk=org.dinkes.pk).update(head=head)
    client = Client()
    login_as(client, head.user)
    return client


@pytest.fixture
def week(org):
    """Rahmadi has no punch on 8-10 January 2018: three TK days until leave covers them."""
    daily_status_rebuild(city=org.city, start=MONDAY, end=WEDNESDAY, now=dt.datetime(2018, 2, 1, tzinfo=dt.UTC))


def ask(employee, kind=LeaveKind.ANNUAL, start=MONDAY, end=TUESDAY, reason="Urusan keluarga"):
    return leave_request_create(actor=None, employee=employee, kind=kind, start_date=start, end_date=end,
                                reason=reason)


def form(kind="cuti", start="2018-01-08", end="2018-01-09", reason="Menghadiri pernikahan adik di Martapura"):
    return {"kind": kind, "start_date": start, "end_date": end, "reason": reason}


# --- the whole way ------------------------------------------------------------------------------------------------


def test_employee_asks_the_head_approves_and_the_days_become_leave(client_for, kepala_dinas, week, org):
    employee = client_for("pegawai_dinkes")
    response = employee.post(LEAVE, form())
    assert response.status_code == 302 and response["Location"] == LEAVE
    request = LeaveRequest.objects.get()
    assert (request.employee, request.kind, request.status, request.start_date, request.end_date) == (
        org.staff.p2p, LeaveKind.ANNUAL, RequestStatus.PENDING, MONDAY, TUESDAY)
    page = text(employee.get(LEAVE))
    assert "terkirim dan menunggu persetujuan" in page
    assert "Menghadiri pernikahan adik di Martapura" in page and "Menunggu" in page and "2 hari" in page

    waiting = text(kepala_dinas.get(LEAVE))
    assert "Menunggu persetujuan Anda" in waiting and "Rahmadi, S.K.M." in waiting
    decided = kepala_dinas.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui", "note": ""},
                                **HTMX)
    assert decided.status_code == 200
    row = text(decided)
    assert row.startswith(f'<tr id="leave-{request.pk}"') and "Disetujui" in row and "oleh kepala_dinkes" in row

    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    statuses = dict(DailyStatus.objects.filter(employee=org.staff.p2p).values_list("date", "status"))
    assert statuses == {MONDAY: DayStatus.ANNUAL_LEAVE, TUESDAY: DayStatus.ANNUAL_LEAVE, WEDNESDAY: DayStatus.ABSENT}
    assert sorted(AuditEntry.objects.filter(object_type="attendance.leaverequest").values_list(
        "action", flat=True)) == ["create", "update"]
    assert "Disetujui" in text(employee.get(LEAVE))


def test_the_unit_admin_approves_without_htmx_and_returns_to_the_list(client_for, week, org):
    request = ask(org.staff.p2p)
    response = client_for("admin_dinas_kesehatan").post(f"/kehadiran/cuti/{request.pk}/putuskan/",
                                                        {"keputusan": "setujui"}, follow=True)
    assert response.redirect_chain == [(APPROVALS, 302)]
    assert "Pengajuan Rahmadi, S.K.M. disetujui." in text(response)
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=MONDAY).status == DayStatus.ANNUAL_LEAVE


def test_the_employee_cancels_an_approved_request_and_the_day_is_tk_again(client_for, week, org):
    request = ask(org.staff.p2p)
    client_for("admin_dinas_kesehatan").post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui"})
    response = client_for("pegawai_dinkes").post(f"/kehadiran/cuti/{request.pk}/batalkan/", follow=True)
    assert response.redirect_chain == [(LEAVE, 302)]
    assert "dibatalkan" in text(response)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=MONDAY).status == DayStatus.ABSENT


# --- bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data, message", [
    (form(start="2018-01-09", end="2018-01-08"), "Tanggal selesai tidak boleh sebelum tanggal mulai."),
    (form(reason="   "), "Alasan wajib diisi."),
    (form(start=""), "Tanggal mulai wajib diisi."),
    (form(end="9 Januari"), "Tanggal selesai tidak valid."),
    (form(kind="liburan"), "Jenis cuti/izin tidak dikenal."),
])
def test_a_bad_request_is_shown_in_the_form_and_nothing_is_saved(client_for, org, data, message):
    response = client_for("pegawai_dinkes").post(LEAVE, data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert "Periksa isian yang ditandai; pengajuan belum dikirim." in page
    assert "is-invalid" in page
    if data["reason"].strip():
        assert data["reason"] in page  # what was typed stays in the form
    assert not LeaveRequest.objects.exists()
    assert not AuditEntry.objects.filter(object_type="attendance.leaverequest").exists()


def test_an_overlapping_request_is_refused(client_for, org):
    ask(org.staff.p2p, start=TUESDAY, end=WEDNESDAY)
    response = client_for("pegawai_dinkes").post(LEAVE, form())
    assert response.status_code == 422
    assert "Bertumpang tindih dengan pengajuan cuti tahunan 09-01-2018 s.d. 10-01-2018 yang menunggu." in text(
        response)
    assert LeaveRequest.objects.count() == 1


def test_rejecting_needs_a_note(client_for, org):
    request = ask(org.staff.p2p)
    client = client_for("admin_dinas_kesehatan")
    row = text(client.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "tolak", "note": " "}, **HTMX))
    assert "Alasan penolakan wajib diisi." in row and "is-invalid" in row
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING

    row = text(client.post(f"/kehadiran/cuti/{request.pk}/putuskan/",
                           {"keputusan": "tolak", "note": "Sedang ada kegiatan vaksinasi"}, **HTMX))
    assert "Ditolak" in row and "Sedang ada kegiatan vaksinasi" in row
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REJECTED, "Sedang ada kegiatan vaksinasi")
    again = client.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui"}, follow=True)
    assert "Pengajuan ini sudah ditolak." in text(again)


# --- refusals -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, persona, status", [
    (LEAVE, "pegawai_dinkes", 200),
    (LEAVE, "outsider", 403),
    (APPROVALS, "admin_dinas_kesehatan", 200),
    (APPROVALS, "admin_bkpsdm", 200),
    (APPROVALS, "walikota", 200),
    (APPROVALS, "pegawai_dinkes", 403),
    (APPROVALS, "outsider", 403),
])
def test_each_page_opens_for_the_right_personas(client_for, org, path, persona, status):
    assert client_for(persona).get(path).status_code == status


def test_anonymous_goes_to_login_and_admins_without_a_record_go_to_approvals(client_for, org):
    assert Client().get(LEAVE)["Location"] == f"/masuk/?next={LEAVE}"
    assert Client().post("/kehadiran/cuti/1/putuskan/", {"keputusan": "setujui"}).status_code == 302
    response = client_for("admin_dinas_kesehatan").get(LEAVE)
    assert (response.status_code, response["Location"]) == (302, APPROVALS)


def test_deciding_outside_the_scope_is_404(client_for, kepala_dinas, org):
    request = ask(org.staff.kominfo)
    for client in (client_for("admin_dinas_kesehatan"), client_for("lurah_kuin_cerucuk"), kepala_dinas,
                   client_for("pegawai_dinkes"), client_for("outsider")):
        assert client.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui"}).status_code == 404
        assert client.post(f"/kehadiran/cuti/{request.pk}/batalkan/").status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_nobody_decides_their_own_request(client_for, kepala_dinas, org):
    own = ask(org.staff.p2p)
    assert client_for("pegawai_dinkes").post(f"/kehadiran/cuti/{own.pk}/putuskan/",
                                             {"keputusan": "setujui"}).status_code == 403
    head_own = ask(org.staff.dinkes)
    assert kepala_dinas.post(f"/kehadiran/cuti/{head_own.pk}/putuskan/", {"keputusan": "setujui"}).status_code == 403
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {RequestStatus.PENDING}
    assert "leave-decide-form" not in text(client_for("pegawai_dinkes").get(LEAVE))


def test_readers_see_requests_but_cannot_decide(client_for, org):
    request = ask(org.staff.p2p)
    client = client_for("walikota")
    page = text(client.get(APPROVALS))
    assert "Rahmadi, S.K.M." in page and "leave-decide-form" not in page
    assert client.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui"}).status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_approvals_list_the_scope_by_status(client_for, org):
    ask(org.staff.p2p)
    ask(org.staff.kominfo)
    ask(org.staff.dinkes, kind=LeaveKind.SICK, start=WEDNESDAY, end=WEDNESDAY, reason="Demam")
    client = client_for("admin_dinas_kesehatan")
    page = text(client.get(APPROVALS))
    assert page.count('data-testid="leave-row"') == 2 and page.count('data-testid="leave-decide-form"') == 2
    assert "Muhammad Iqbal" not in page
    assert 'href="?status=pending"' in page
    assert "Tidak ada pengajuan dengan status ini." in text(client.get(f"{APPROVALS}?status=approved"))
    assert text(client_for("admin_bkpsdm").get(APPROVALS)).count('data-testid="leave-decide-form"') == 3


def test_the_nav_offers_the_leave_pages(client_for, org):
    assert 'href="/kehadiran/cuti/"' in text(client_for("pegawai_dinkes").get(LEAVE))
    page = text(client_for("admin_dinas_kesehatan").get(APPROVALS))
    assert 'href="/kehadiran/cuti/persetujuan/"' in page and "Persetujuan cuti" in page
