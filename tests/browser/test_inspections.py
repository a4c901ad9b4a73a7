"""A sidak on a phone, start to sign-off: the inspector starts an inspection of Dinas Kesehatan, marks people,
loses the connection in the corridor and keeps marking (the marks wait in the phone), gets the connection
back (the marks go out once, even when the phone sends its queue twice), marks a whole room at once, and
signs off; the report shows the findings."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.schedules import work_schedule_set
from satulayar.core.time import local_date, local_midnight
from satulayar.inspections.choices import FindingKind, InspectionStatus, Observation
from satulayar.inspections.models import Finding, Inspection, Mark
from satulayar.org import services as org_services
from satulayar.org.choices import Role, UnitKind
from tests.factories import make_employee, make_unit

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}


@pytest.fixture
def dinkes(transactional_db, city):
    dinkes = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    p2p = make_unit(city, "Bidang Pencegahan dan Pengendalian Penyakit", "DINKES-P2P", UnitKind.BIDANG,
                    short_name="Bidang P2P", parent=dinkes)
    # Whatever day the test runs, it is a work day at Dinkes: the sidak starts today.
    work_schedule_set(actor=None, unit=dinkes, name="Pelayanan tujuh hari", effective_from=dt.date(2020, 1, 1),
                      days={weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)})
    people = {
        "punched": make_employee(dinkes, "dr. Siti Rahmah", position="Kepala Dinas"),
        "desk": make_employee(dinkes, "Rina Wati", position="Bendahara"),
        "epi": make_employee(p2p, "Rahmadi, S.K.M.", position="Epidemiolog"),
        "san": make_employee(p2p, "Hendra Gunawan", position="Sanitarian"),
    }
    punches_ingest(city=city, rows=[PunchRow(employee_id=people["punched"].pk,
                                             at=max(timezone.now() - dt.timedelta(minutes=30),
                                                    local_midnight(local_date(city), city.zone)))],
                   source=PunchSource.DEVICE)
    inspector = get_user_model().objects.create_user(username="inspektur_hp", first_name="Inspektur",
                                                     password="satulayar")
    org_services.role_assign(actor=None, user=inspector, role=Role.INSPECTOR, city=city)
    return dinkes, people


def row(page, name):
    return page.get_by_test_id("roster-row").filter(has_text=name)


def test_sidak_on_a_phone_from_start_to_sign_off_through_a_dropped_connection(dinkes, live_server, browser, login):
    _unit, people = dinkes
    context = browser.new_context(**PHONE)
    page = context.new_page()
    login(page, "inspektur_hp")
    page.goto(f"{live_server.url}/sidak/")
    expect(page.get_by_text("Belum ada sidak.")).to_be_visible()
    page.get_by_role("link", name="Mulai sidak").first.click()
    picker = page.get_by_role("searchbox", name="Unit yang disidak")  # the searchable picker, not a 238-option list
    expect(picker).to_be_visible()  # set up by its deferred script: until then the label names the plain select
    picker.fill("dinkes")
    page.get_by_role("checkbox", name="Dinkes", exact=True).check()
    page.get_by_label("Judul (opsional)").fill("Sidak pagi Dinkes")
    page.get_by_role("button", name="Mulai sidak").click()
    page.wait_for_url("**/sidak/*/")
    inspection = Inspection.objects.get()
    expect(page.get_by_test_id("roster-row")).to_have_count(4)
    expect(row(page, "dr. Siti Rahmah").get_by_test_id("recorded")).to_contain_text("Hadir")

    # Online: one tap, one mark on the server.
    row(page, "dr. Siti Rahmah").get_by_role("button", name="Tidak ditemukan").click()
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim")
    expect(row(page, "dr. Siti Rahmah").locator("[data-role=state]")).to_have_text("Tersimpan")
    expect(row(page, "dr. Siti Rahmah").get_by_test_id("mark-history")).to_have_count(1)  # the roster refreshed
    assert Mark.objects.count() == 1

    # The corridor has no signal: marks wait on the phone.
    context.set_offline(True)
    desk = row(page, "Rina Wati")
    desk.locator("summary").click()
    desk.get_by_label("Catatan").fill("Di meja, belum absen")
    desk.get_by_role("button", name="Ada di tempat").click()
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
    expect(page.get_by_test_id("pending")).to_contain_text("1 penandaan menunggu dikirim")
    expect(desk.locator("[data-role=state]")).to_have_text("Menunggu dikirim")
    queued = page.evaluate(f"SatuLayarOffline.store.by('sidak-marks', {inspection.pk})")
    assert len(queued) == 1 and Mark.objects.count() == 1

    # Back online: the queue goes out by itself.
    context.set_offline(False)
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=10_000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    assert Mark.objects.count() == 2
    assert Mark.objects.get(entry__employee=people["desk"]).note == "Di meja, belum absen"

    # The phone sends the same queue again (a second tab, a retry after a lost answer): nothing doubles.
    page.evaluate("items => SatuLayarOffline.store.put('sidak-marks', items)", queued)
    page.reload()
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=10_000)
    assert Mark.objects.count() == 2

    # The whole room of Bidang P2P is there.
    page.get_by_test_id("roster-group").filter(has_text="Bidang P2P").get_by_role(
        "button", name="Semua di ruangan ini ada").click()
    expect(page.get_by_test_id("roster-progress")).to_contain_text("4 dari 4 pegawai sudah diamati",
                                                                  timeout=10_000)  # counting what is still queued
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=10_000)
    expect(row(page, "Hendra Gunawan").locator("[data-role=state]")).to_have_text("Tersimpan")
    assert set(Mark.objects.filter(entry__unit__name__contains="Pencegahan").values_list(
        "observation", flat=True)) == {Observation.PRESENT}
    expect(row(page, "Rina Wati").get_by_test_id("finding-preview")).to_have_text("Hadir tanpa rekam")

    # Sign-off: the statement must be ticked, then the report.
    page.get_by_role("button", name="Tutup sidak").scroll_into_view_if_needed()
    page.get_by_label("Catatan penutup").fill("Sidak selesai pukul sepuluh.")
    page.get_by_label("Saya menyatakan hasil sidak ini benar dan menandatanganinya.").check()
    page.get_by_role("button", name="Tutup sidak").click()
    page.wait_for_url("**/laporan/")
    expect(page.get_by_test_id("signed")).to_contain_text("Ditutup dan ditandatangani")
    expect(page.get_by_test_id("inspection-status")).to_have_text("Ditutup")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED
    # She punched and was not found; the other three were there without any punch.
    assert sorted(Finding.objects.values_list("kind", flat=True)) == [FindingKind.PROXY_SUSPECT] + [
        FindingKind.UNRECORDED_PRESENT] * 3
    expect(page.get_by_test_id("finding-row")).to_have_count(4)
    expect(page.get_by_test_id("finding-counts")).to_contain_text("Dugaan titip absen: 1")
    page.screenshot(path="/tmp/sidak-report-phone.png", full_page=True)
    context.close()
