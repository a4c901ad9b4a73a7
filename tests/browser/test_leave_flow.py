"""Leave in a real browser: the employee asks, the head of the office above refuses a decision without a note,
then approves in place (htmx), and the days become leave; a request with its PDF goes through the head and then
BKPSDM, and the paper opens for BKPSDM."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from satulayar.attendance.choices import DayStatus, RequestStatus
from satulayar.attendance.models import DailyStatus, LeaveRequest
from satulayar.attendance.status import daily_status_rebuild
from satulayar.demo.papers import letter_pdf
from satulayar.org.choices import Role, UnitKind
from satulayar.org.models import RoleAssignment, Unit
from tests.factories import make_employee, make_unit

MONDAY, TUESDAY = dt.date(2018, 1, 8), dt.date(2018, 1, 9)


def user(username: str):
    account = get_user_model().objects.create_user(username=username)
    account.set_password("satulayar")
    account.save()
    return account


@pytest.fixture
def office(transactional_db, city):
    dinkes = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    p2p = make_unit(city, "Bidang Pencegahan dan Pengendalian Penyakit", "DINKES-P2P", UnitKind.BIDANG,
                    parent=dinkes)
    head = make_employee(dinkes, "dr. Siti Rahmah", position="Kepala Dinas", user=user("kepala_dinkes"))
    Unit.objects.filter(pk=dinkes.pk).update(head=head)
    employee = make_employee(p2p, "Rahmadi, S.K.M.", position="Epidemiolog", user=user("asn_cuti"))
    daily_status_rebuild(city=city, start=MONDAY, end=TUESDAY, now=dt.datetime(2018, 2, 1, tzinfo=dt.UTC))
    return employee


def test_ask_refuse_without_note_then_approve(office, live_server, browser, login):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, "asn_cuti")
    page.goto(f"{live_server.url}/kehadiran/cuti/")
    page.get_by_label("Jenis").select_option("cuti")
    page.get_by_label("Mulai").fill("2018-01-08")
    page.get_by_label("Sampai").fill("2018-01-09")
    page.get_by_label("Alasan").fill("Menghadiri pernikahan adik di Martapura")
    page.get_by_role("button", name="Kirim pengajuan").click()
    page.get_by_text("terkirim dan menunggu persetujuan").wait_for()
    assert page.get_by_test_id("leave-mine-row").count() == 1
    context.close()

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, "kepala_dinkes")
    page.goto(f"{live_server.url}/kehadiran/cuti/")
    row = page.get_by_test_id("leave-waiting").get_by_test_id("leave-row")
    assert "Rahmadi, S.K.M." in row.inner_text()
    row.get_by_role("button", name="Tolak").click()
    page.get_by_text("Alasan penolakan wajib diisi.").wait_for()
    assert LeaveRequest.objects.get().status == RequestStatus.PENDING

    page.get_by_test_id("leave-waiting").get_by_role("button", name="Setujui").click()
    page.get_by_test_id("leave-waiting").get_by_text("Disetujui").wait_for()
    assert page.url == f"{live_server.url}/kehadiran/cuti/"  # swapped in place
    assert LeaveRequest.objects.get().status == RequestStatus.APPROVED
    assert set(DailyStatus.objects.filter(employee=office).values_list("status", flat=True)) == {
        DayStatus.ANNUAL_LEAVE}
    context.close()


def test_a_request_with_its_pdf_goes_through_the_head_and_then_bkpsdm(office, live_server, browser, login, tmp_path,
                                                                       settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    RoleAssignment.objects.create(user=user("verifikator_bkpsdm"), role=Role.HR_ADMIN, city=office.unit.city)
    letter = tmp_path / "sk-tugas-belajar.pdf"
    letter.write_bytes(letter_pdf(["SK Tugas Belajar", "Rahmadi, S.K.M."]))

    context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, "asn_cuti")
    page.goto(f"{live_server.url}/kehadiran/cuti/")
    page.get_by_test_id("leave-balance").get_by_text("sisa 24 hari kerja").wait_for()
    page.get_by_label("Jenis").select_option("tugas_belajar")
    page.get_by_label("Mulai").fill("2018-01-08")
    page.get_by_label("Sampai").fill("2018-01-09")
    page.get_by_label("Alasan").fill("Tugas belajar S2 Epidemiologi")
    page.get_by_role("button", name="Kirim pengajuan").click()
    page.get_by_text("wajib melampirkan surat pendukung").wait_for()  # tugas belajar needs its SK
    page.get_by_label("Lampiran (PDF atau JPEG)").set_input_files(str(letter))
    page.get_by_label("Mulai").fill("2018-01-08")
    page.get_by_label("Sampai").fill("2018-01-09")
    page.get_by_role("button", name="Kirim pengajuan").click()
    page.get_by_text("terkirim dan menunggu persetujuan").wait_for()
    assert page.get_by_test_id("leave-mine-row").get_by_test_id("leave-paper").inner_text() == "sk-tugas-belajar.pdf"
    context.close()

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, "kepala_dinkes")
    page.goto(f"{live_server.url}/kehadiran/cuti/")
    page.get_by_test_id("leave-waiting").get_by_role("button", name="Setujui").click()
    page.get_by_test_id("leave-waiting").get_by_text("Menunggu persetujuan BKPSDM").wait_for()
    assert LeaveRequest.objects.get().status == RequestStatus.PENDING
    assert set(DailyStatus.objects.filter(employee=office).values_list("status", flat=True)) == {DayStatus.ABSENT}
    context.close()

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, "verifikator_bkpsdm")
    page.goto(f"{live_server.url}/kehadiran/cuti/persetujuan/")
    row = page.get_by_test_id("leave-row")
    row.get_by_text("Disetujui atasan: kepala_dinkes").wait_for()
    paper = page.request.get(live_server.url + row.get_by_test_id("leave-paper").get_attribute("href"))
    assert paper.status == 200 and paper.body() == letter.read_bytes()
    row.get_by_role("button", name="Setujui").click()
    page.get_by_text("BKPSDM: oleh verifikator_bkpsdm").wait_for()
    assert LeaveRequest.objects.get().status == RequestStatus.APPROVED
    assert set(DailyStatus.objects.filter(employee=office).values_list("status", flat=True)) == {DayStatus.STUDY}
    context.close()
