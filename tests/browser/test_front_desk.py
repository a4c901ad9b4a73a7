"""The front desk as offices run it, in real browsers: a citizen books a place, checks in at the office kiosk
(the ticket's print preview on a 58 mm roll is captured; into docs/screenshots/ with
SATULAYAR_REFRESH_SCREENSHOTS=1), is called ahead of an older
regular ticket as a priority visitor, transferred to another service and counter, finished with an outcome, and
rates the service."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay
from satulayar.core.time import local_date
from satulayar.org import services as org_services
from satulayar.org.choices import Role
from satulayar.visits import office as office_services
from satulayar.visits import services
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel, TicketResult, TicketStatus
from satulayar.visits.models import Booking, OfficeHours, Rating, Service, ServiceOutcome, Ticket, TicketStep
from tests.factories import kelurahan_named

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}
KIOSK = {"viewport": {"width": 1080, "height": 1600}, "locale": "id-ID"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# The docs' copy is refreshed only on request (SATULAYAR_REFRESH_SCREENSHOTS=1): a test run leaves the tree clean.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "kiosk-ticket-58mm.png"
ROLL_58_PX = 219  # 58 mm at 96 px per inch


@pytest.fixture
def office(transactional_db, city):
    kuin = kelurahan_named("Kuin Cerucuk")
    ktp = Service.objects.create(city=city, code="pengantar-ktp-el", prefix="A", name="Surat Pengantar KTP-el",
                                 sla_minutes=10, order=1, requirements="Surat pengantar RT/RW\nFotokopi KK")
    kk = Service.objects.create(city=city, code="pengantar-kk", prefix="B", name="Surat Pengantar Kartu Keluarga",
                                sla_minutes=15, order=2)
    ServiceOutcome.objects.create(service=ktp, name="Surat pengantar perekaman KTP-el")
    ServiceOutcome.objects.create(service=kk, name="Surat pengantar perubahan KK")
    today = local_date(kuin.kecamatan.city)
    for day in (today, today + dt.timedelta(days=1)):  # open today and tomorrow, whatever day the test runs
        CalendarDay.objects.create(city=city, date=day, kind=CalendarDayKind.WORK_DAY, name="Hari kerja uji")
    for weekday in range(7):
        OfficeHours.objects.create(kelurahan=kuin, weekday=weekday, opens=dt.time(0), closes=dt.time(23, 59, 59))
    officer = get_user_model().objects.create_user(username="petugas_kuin", first_name="Fauzan")
    officer.set_password("satulayar")
    officer.save()
    org_services.role_assign(actor=None, user=officer, role=Role.KELURAHAN_OFFICER, city=city, kelurahan=kuin)
    _kiosk, token = office_services.kiosk_register(actor=officer, kelurahan=kuin, name="Anjungan lobi")
    return kuin, ktp, kk, today, token


def test_book_check_in_print_priority_transfer_outcome_and_rating(office, live_server, browser, login, tmp_path):
    refresh = os.environ.get("SATULAYAR_REFRESH_SCREENSHOTS") == "1"
    slip_png = DOCS_SCREENSHOT if refresh else tmp_path / DOCS_SCREENSHOT.name
    kuin, ktp, kk, today, token = office
    tomorrow = today + dt.timedelta(days=1)
    phone, kiosk, desk = (browser.new_context(**options).new_page() for options in (PHONE, KIOSK, DESKTOP))

    # The citizen books tomorrow 09.00 for a KTP-el letter.
    phone.goto(f"{live_server.url}/antrean/{kuin.code}/pesan/?layanan={ktp.pk}&tanggal={tomorrow.isoformat()}")
    phone.get_by_test_id("book-hour-9").check()
    phone.get_by_label("Nama (opsional)").fill("Ibu Aminah")
    phone.get_by_test_id("book-submit").click()
    phone.wait_for_url("**/antrean/pesan/**")
    booking = Booking.objects.get()
    expect(phone.get_by_test_id("booking-code")).to_have_text(booking.code)

    Booking.objects.filter(pk=booking.pk).update(date=today)  # the day has come
    walk_in = services.ticket_issue(kelurahan=kuin, service=ktp, channel=TicketChannel.DESK)  # an older regular

    # At the office kiosk (no login): the code checks her in and her ticket prints.
    kiosk.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    kiosk.goto(f"{live_server.url}/antrean/anjungan/{token}/")
    kiosk.get_by_test_id("kiosk-code").fill(booking.code.lower())
    kiosk.get_by_test_id("kiosk-check-in").click()
    kiosk.wait_for_url("**/cetak/**")
    expect(kiosk.get_by_test_id("slip-number")).to_have_text("A-002")
    kiosk.wait_for_function("() => window.__printed === 1")  # the print dialog was opened once
    kiosk.set_viewport_size({"width": ROLL_58_PX, "height": 600})
    kiosk.emulate_media(media="print")
    expect(kiosk.locator(".print-controls")).to_be_hidden()
    slip_png.parent.mkdir(parents=True, exist_ok=True)
    kiosk.get_by_test_id("ticket-slip").screenshot(path=str(slip_png))
    mine = Ticket.objects.get(booking=booking)
    assert (mine.channel, mine.prints, mine.visitor_name) == (TicketChannel.KIOSK, 1, "Ibu Aminah")
    phone.goto(f"{live_server.url}/antrean/tiket/{mine.token}/")

    # The officer marks her priority (lansia): she is called before the older walk-in.
    login(desk, "petugas_kuin")
    desk.goto(f"{live_server.url}/layanan/loket/{kuin.code}/1/")
    row = desk.locator(f'[data-testid="queue-row"][data-code="{mine.code}"]')
    row.get_by_test_id("queue-priority").select_option("lansia")
    row.get_by_role("button", name="Tandai").click()
    expect(row).to_contain_text("Prioritas")
    desk.get_by_role("button", name="Panggil berikutnya").click()
    expect(desk.get_by_test_id("desk-current-code")).to_have_text("A-002")
    expect(phone.get_by_test_id("ticket-called")).to_contain_text("Silakan ke Loket 1", timeout=10_000)

    # She needs a KK change too: transferred to the KK service at Loket 2, keeping her number.
    desk.get_by_role("button", name="Mulai layani").click()
    expect(desk.get_by_test_id("desk-current")).to_contain_text("Dilayani")
    desk.wait_for_load_state("networkidle")  # the panel's own refresh after the action has come and gone
    desk.get_by_test_id("desk-transfer-service").select_option(str(kk.pk))
    desk.get_by_test_id("desk-transfer-counter").select_option("2")
    desk.get_by_test_id("desk-transfer-submit").click()
    expect(desk.get_by_test_id("desk-idle")).to_be_visible()  # Loket 1 is free again
    expect(phone.get_by_test_id("ticket-transferred")).to_contain_text(
        "Dipindahkan ke layanan Surat Pengantar Kartu Keluarga · menunggu panggilan ke Loket 2", timeout=10_000)
    desk.get_by_role("button", name="Panggil berikutnya").click()  # Loket 1 goes on with the walk-in
    expect(desk.get_by_test_id("desk-current-code")).to_have_text(walk_in.code)

    desk.goto(f"{live_server.url}/layanan/loket/{kuin.code}/2/")
    desk.get_by_role("button", name="Panggil berikutnya").click()
    expect(desk.get_by_test_id("desk-current-code")).to_have_text("A-002")
    desk.get_by_role("button", name="Mulai layani").click()
    expect(desk.get_by_test_id("desk-current")).to_contain_text("Dilayani")
    desk.wait_for_load_state("networkidle")
    desk.get_by_test_id("desk-result-produced").check()
    desk.get_by_test_id("desk-outcome").select_option(label="Surat pengantar perubahan KK")
    desk.get_by_test_id("desk-finish-submit").click()
    expect(desk.get_by_test_id("desk-idle")).to_be_visible()

    mine.refresh_from_db()
    assert (mine.status, mine.code, mine.service, mine.priority, mine.transfers, mine.result, mine.outcome.name) == (
        TicketStatus.DONE, "A-002", kk, "lansia", 1, TicketResult.PRODUCED, "Surat pengantar perubahan KK")
    step = TicketStep.objects.get(ticket=mine)
    assert step.service == ktp and step.counter.number == 1 and step.queued_at <= step.called_at <= step.finished_at
    assert mine.issued_at <= mine.queued_at <= mine.called_at <= mine.serving_at <= mine.finished_at

    # She rates the service from her ticket page.
    survey = phone.get_by_test_id("rating-form")
    expect(survey).to_be_visible(timeout=10_000)
    for index, (_code, label) in enumerate(IKM_ELEMENTS):
        survey.get_by_role("group", name=f"{index + 1}. {label}").get_by_text("Sangat baik", exact=True).click()
    survey.get_by_role("button", name="Kirim penilaian").click()
    expect(phone.get_by_test_id("rating-thanks")).to_be_visible()
    assert Rating.objects.get(ticket=mine).u1 == 4
    assert slip_png.stat().st_size > 1000
