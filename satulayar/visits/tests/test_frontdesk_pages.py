"""The pages of the front desk features: kiosk, printed ticket and reprint, bookings, the public page's office
hours and per-service figures, and the desk's forms; with their refusals."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay
from satulayar.core.time import local_date
from satulayar.visits import bookings, office, services
from satulayar.visits.choices import BookingStatus, TicketChannel, TicketResult, TicketStatus
from satulayar.visits.models import Booking, KioskDevice, OfficeHours, Service, ServiceOutcome, Ticket

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def desk(org, personas, city):
    ktp = Service.objects.create(city=city, code="ktp", prefix="A", name="Surat Pengantar KTP-el", order=1,
                                 requirements="Surat pengantar RT/RW\nFotokopi KK")
    kk = Service.objects.create(city=city, code="kk", prefix="B", name="Surat Pengantar KK", order=2)
    return SimpleNamespace(kuin=org.kuin, lurah=personas.lurah_kuin_cerucuk, ktp=ktp, kk=kk,
                           ktp_done=ServiceOutcome.objects.create(service=ktp, name="Perekaman KTP-el"),
                           one=services.counter_ensure(actor=None, kelurahan=org.kuin, number=1))


@pytest.fixture
def open_today(desk):
    """Whatever day and hour the test runs, the office is open today (a special work day, open all day)."""
    today = local_date(desk.kuin.kecamatan.city)
    CalendarDay.objects.create(city=desk.kuin.kecamatan.city, date=today, kind=CalendarDayKind.WORK_DAY,
                               name="Hari kerja uji")
    OfficeHours.objects.create(kelurahan=desk.kuin, weekday=today.weekday(), opens=dt.time(0),
                               closes=dt.time(23, 59, 59))
    return today


@pytest.fixture
def kiosk(desk):
    device, token = office.kiosk_register(actor=desk.lurah, kelurahan=desk.kuin, name="Anjungan lobi")
    return SimpleNamespace(device=device, token=token, url=f"/antrean/anjungan/{token}/")


def test_the_kiosk_prints_a_ticket_without_a_login(desk, kiosk, open_today):
    page = Client().get(kiosk.url)
    assert page.status_code == 200 and 'data-testid="kiosk-service"' in text(page)
    taken = Client().post(kiosk.url + "ambil/", {"service": desk.ktp.pk, "priority": "lansia"})
    ticket = Ticket.objects.get()
    assert taken.status_code == 302 and taken["Location"].endswith(f"/cetak/{ticket.token}/?gulungan=58")
    slip = Client().get(taken["Location"])
    assert slip.status_code == 200
    assert 'data-testid="slip-number">A-001<' in text(slip) and "<svg" in text(slip)
    assert "ticket_print_58.css" in text(slip)
    assert (ticket.channel, ticket.priority, ticket.prints) == (TicketChannel.KIOSK, "lansia", 1)
    assert "ticket_print_80.css" in text(Client().get(taken["Location"].replace("gulungan=58", "gulungan=80")))


def test_an_unknown_or_retired_kiosk_gets_nothing(desk, kiosk):
    assert Client().get("/antrean/anjungan/bukan-token/").status_code == 404
    KioskDevice.objects.update(active=False)
    assert Client().get(kiosk.url).status_code == 404
    assert Client().post(kiosk.url + "ambil/", {"service": desk.ktp.pk}).status_code == 404


def test_the_kiosk_of_a_closed_office_says_so_and_prints_nothing(desk, kiosk):
    today = local_date(desk.kuin.kecamatan.city)
    CalendarDay.objects.create(city=desk.kuin.kecamatan.city, date=today, kind=CalendarDayKind.CITY_HOLIDAY,
                               name="Libur uji")
    assert "tutup pada" in text(Client().get(kiosk.url))
    refused = Client().post(kiosk.url + "ambil/", {"service": desk.ktp.pk})
    assert refused.status_code == 422 and "tiket tidak dapat dicetak" in text(refused)
    assert not Ticket.objects.exists()


def test_a_booking_is_made_on_the_public_page_and_checked_in_at_the_kiosk(desk, kiosk, open_today):
    tomorrow = open_today + dt.timedelta(days=1)
    CalendarDay.objects.create(city=desk.kuin.kecamatan.city, date=tomorrow, kind=CalendarDayKind.WORK_DAY,
                               name="Hari kerja uji")
    OfficeHours.objects.create(kelurahan=desk.kuin, weekday=tomorrow.weekday(), opens=dt.time(8), closes=dt.time(12))
    citizen = Client()
    form = citizen.get(f"/antrean/{desk.kuin.code}/pesan/?layanan={desk.ktp.pk}&tanggal={tomorrow.isoformat()}")
    assert 'data-testid="book-hour-9"' in text(form) and 'data-testid="book-hour-12"' not in text(form)
    made = citizen.post(f"/antrean/{desk.kuin.code}/pesan/", {"service": desk.ktp.pk, "date": tomorrow.isoformat(),
                                                             "hour": "9", "name": "Ibu Aminah"})
    booking = Booking.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/antrean/pesan/{booking.code}/"
    assert booking.code in text(citizen.get(made["Location"]))
    outside = citizen.post(f"/antrean/{desk.kuin.code}/pesan/", {"service": desk.ktp.pk, "date": tomorrow.isoformat(),
                                                                "hour": "13"})
    assert outside.status_code == 422 and "di luar jam layanan" in text(outside)
    unknown = citizen.post(f"/antrean/{desk.kuin.code}/pesan/", {"service": "999999", "date": tomorrow.isoformat(),
                                                                "hour": "9"})
    assert unknown.status_code == 422 and "Pilih layanan yang tersedia." in text(unknown)
    Booking.objects.update(date=open_today)  # the day has come
    checked = Client().post(kiosk.url + "hadir/", {"code": booking.code})
    assert checked.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN and booking.ticket.visitor_name == "Ibu Aminah"
    again = Client().post(kiosk.url + "hadir/", {"code": booking.code})
    assert again.status_code == 422 and f"Pemesanan {booking.code} sudah lapor hadir." in text(again)


def test_the_public_page_shows_hours_closed_days_folded_requirements_and_the_queue_per_service(desk, open_today):
    CalendarDay.objects.create(city=desk.kuin.kecamatan.city, date=open_today + dt.timedelta(days=7),
                               kind=CalendarDayKind.CITY_HOLIDAY, name="Hari Jadi Kota")
    services.ticket_issue(kelurahan=desk.kuin, service=desk.ktp, channel=TicketChannel.DESK)
    page = Client().get(f"/antrean/{desk.kuin.code}/")
    body = text(page)
    assert 'data-testid="office-hours"' in body and "00.00–23.59" in body
    assert '<details class="mb-3" data-testid="take-requirements"> <summary>Persyaratan (2)</summary>' in body
    assert "1 menunggu untuk layanan ini" in body and "perkiraan tunggu ± 15 menit" in body
    assert page.cookies["sl_peramban"].value


def test_the_public_limit_follows_the_browser_cookie(desk, settings):
    settings.VISITS_PUBLIC_TICKETS_PER_HOUR = 1
    first, second = Client(), Client()
    for browser in (first, second):
        browser.get(f"/antrean/{desk.kuin.code}/")  # sets the browser's token
        assert browser.post(f"/antrean/{desk.kuin.code}/", {"service": desk.ktp.pk}).status_code == 302
    assert first.post(f"/antrean/{desk.kuin.code}/", {"service": desk.ktp.pk}).status_code == 429


def test_the_desk_finishes_with_an_outcome_transfers_marks_priority_and_reprints(desk, client_for, open_today):
    lurah = client_for("lurah_kuin_cerucuk")
    base = f"/layanan/loket/{desk.kuin.code}/1/"
    waiting = services.ticket_issue(kelurahan=desk.kuin, service=desk.kk, channel=TicketChannel.DESK)
    marked = lurah.post(f"{base}tiket/{waiting.pk}/prioritas/", {"priority": "ibu_hamil"}, **HTMX)
    assert marked.status_code == 200
    waiting.refresh_from_db()
    assert waiting.priority == "ibu_hamil"
    lurah.post(f"{base}panggil/", **HTMX)
    lurah.post(f"{base}tiket/{waiting.pk}/mulai/", **HTMX)
    moved = lurah.post(f"{base}tiket/{waiting.pk}/pindah/", {"service": desk.ktp.pk}, **HTMX)
    assert "B-001: Menunggu." in text(moved)
    lurah.post(f"{base}panggil/", **HTMX)
    lurah.post(f"{base}tiket/{waiting.pk}/mulai/", **HTMX)
    no_result = lurah.post(f"{base}tiket/{waiting.pk}/selesai/", **HTMX)
    assert "Pilih hasil layanan sebelum menyelesaikan B-001." in text(no_result)
    lurah.post(f"{base}tiket/{waiting.pk}/selesai/", {"result": TicketResult.PRODUCED, "outcome": desk.ktp_done.pk},
               **HTMX)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.result, waiting.outcome, waiting.transfers) == (
        TicketStatus.DONE, TicketResult.PRODUCED, desk.ktp_done, 1)
    slip = lurah.post(f"{base}tiket/{waiting.pk}/cetak/", {"gulungan": "80"})
    assert slip.status_code == 200 and "ticket_print_80.css" in text(slip)
    waiting.refresh_from_db()
    assert waiting.prints == 1


def test_roles_that_may_not_work_the_desk_are_refused_its_new_actions(desk, client_for, kiosk):
    ticket = services.ticket_issue(kelurahan=desk.kuin, service=desk.kk, channel=TicketChannel.DESK)
    base = f"/layanan/loket/{desk.kuin.code}/1/"
    for persona in ("walikota", "outsider"):
        client = client_for(persona)
        for url, data in ((f"{base}tiket/{ticket.pk}/prioritas/", {"priority": "lansia"}),
                          (f"{base}tiket/{ticket.pk}/cetak/", {}), (f"{base}pemesanan/", {"code": "X"}),
                          (f"{base}anjungan/", {"name": "x"})):
            assert client.post(url, data).status_code in (403, 404), (persona, url)
    assert Client().post(f"{base}tiket/{ticket.pk}/cetak/").status_code == 302  # to the login page
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.prints) == ("", 0)
    assert KioskDevice.objects.count() == 1
    assert bookings.booking_by_code(code="X") is None


@pytest.mark.usefixtures("mid_morning")  # half an hour back stays on today
def test_the_report_and_the_one_screen_show_priority_transfers_bookings_and_outcomes(desk, client_for, open_today):
    now = timezone.now()
    lurah = desk.lurah
    first = services.ticket_issue(kelurahan=desk.kuin, service=desk.ktp, channel=TicketChannel.DESK, priority="lansia",
                                  actor=lurah, now=now - dt.timedelta(minutes=30))
    second = services.ticket_issue(kelurahan=desk.kuin, service=desk.kk, channel=TicketChannel.DESK,
                                   now=now - dt.timedelta(minutes=29))
    services.ticket_call_next(actor=lurah, kelurahan=desk.kuin, counter=desk.one, now=now - dt.timedelta(minutes=20))
    services.ticket_start(actor=lurah, ticket=first, now=now - dt.timedelta(minutes=19))
    services.ticket_finish(actor=lurah, ticket=first, now=now - dt.timedelta(minutes=15),
                           result=TicketResult.PRODUCED, outcome=desk.ktp_done)
    services.ticket_call_next(actor=lurah, kelurahan=desk.kuin, counter=desk.one, now=now - dt.timedelta(minutes=14))
    services.ticket_transfer(actor=lurah, ticket=second, service=desk.ktp, now=now - dt.timedelta(minutes=12))
    services.ticket_call_next(actor=lurah, kelurahan=desk.kuin, counter=desk.one, now=now - dt.timedelta(minutes=10))
    services.ticket_start(actor=lurah, ticket=second, now=now - dt.timedelta(minutes=9))
    services.ticket_finish(actor=lurah, ticket=second, now=now - dt.timedelta(minutes=5),
                           result=TicketResult.MISSING_PAPERS)
    Booking.objects.create(kelurahan=desk.kuin, service=desk.ktp, date=open_today, hour=0, code="ABCDEF",
                           created_at=now - dt.timedelta(days=1))  # its hour is over: a no-show
    report = text(client_for("walikota").get("/layanan/laporan/"))
    code = re.escape(desk.kuin.code)
    row = re.search(rf'data-testid="report-desk-row" data-code="{code}">(.*?)</tr>', report)
    cells = re.findall(r'<td class="text-end">([^<]*)', row.group(1))
    assert [c.strip() for c in cells] == ["1", "1", "1 (0 / 1)", "1", "1", "0"]
    assert "Perekaman KTP-el 1" in row.group(1) and "(50,0 %)" in row.group(1)
    panel = text(client_for("walikota").get("/satu-layar/panel/services/"))
    for testid, value in (("services-priority", "1"), ("services-transferred", "1"), ("services-bookings", "1"),
                          ("services-produced", "1")):
        assert f'data-testid="{testid}">{value}<' in panel
    assert "1 ditolak: persyaratan kurang (50,0 %)" in panel


def test_the_office_sets_its_booking_quota_per_service_and_hour(desk, client_for):
    from satulayar.audit.models import AuditEntry
    from satulayar.visits.models import BookingCapacity

    url = f"/layanan/loket/{desk.kuin.code}/kuota/"
    lurah = client_for("lurah_kuin_cerucuk")
    page = text(lurah.get(url))
    assert 'data-testid="booking-capacity"' in page and "08.00" in page
    assert f'name="kuota-{desk.ktp.pk}-8" value="4"' in page  # VISITS_BOOKING_CAPACITY until the office sets its own
    assert f'href="{url}"' in text(lurah.get(f"/layanan/loket/{desk.kuin.code}/1/"))  # linked from the desk
    refused = lurah.post(url, {f"kuota-{desk.ktp.pk}-8": "7", f"kuota-{desk.ktp.pk}-9": "banyak",
                               f"kuota-{desk.kk.pk}-10": "501"})
    assert refused.status_code == 422
    body = text(refused)
    assert "2 isian belum benar; belum ada yang disimpan." in body and body.count("Isi angka 0–500.") == 2
    assert 'value="banyak"' in body and not BookingCapacity.objects.exists()  # what was typed stays, nothing saved
    saved = lurah.post(url, {f"kuota-{desk.ktp.pk}-8": "7", f"kuota-{desk.kk.pk}-10": "0"})
    assert saved.status_code == 302
    assert sorted(BookingCapacity.objects.values_list("service_id", "hour", "capacity")) == sorted(
        [(desk.ktp.pk, 8, 7), (desk.kk.pk, 10, 0)])
    assert AuditEntry.objects.filter(object_type__icontains="bookingcapacity").count() == 2
    for persona in ("walikota", "outsider"):
        assert client_for(persona).post(url, {f"kuota-{desk.ktp.pk}-8": "1"}).status_code in (403, 404)
    assert BookingCapacity.objects.get(service=desk.ktp, hour=8).capacity == 7
