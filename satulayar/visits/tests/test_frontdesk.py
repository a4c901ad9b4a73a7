"""The front desk as offices run it: priority with its fairness rule, transfers, outcomes, times that only run
forward, kiosks and their closed-office refusals, the public limit per browser, bookings."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.visits import bookings, office, selectors, services
from satulayar.visits.choices import BookingStatus, TicketChannel, TicketResult, TicketStatus
from satulayar.visits.models import Booking, Service, ServiceOutcome, ServiceOverride, Ticket, TicketStep
from tests.factories import kelurahan_named

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def at(hour: int, minute: int = 0, day: int = 5) -> dt.datetime:
    """5 March 2025 is a Wednesday."""
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def desk(org, personas, city):
    ktp = Service.objects.create(city=city, code="ktp", prefix="A", name="Surat Pengantar KTP-el", order=1)
    kk = Service.objects.create(city=city, code="kk", prefix="B", name="Surat Pengantar KK", order=2)
    return SimpleNamespace(
        kuin=org.kuin, lurah=personas.lurah_kuin_cerucuk, ktp=ktp, kk=kk,
        ktp_done=ServiceOutcome.objects.create(service=ktp, name="Perekaman KTP-el"),
        kk_done=ServiceOutcome.objects.create(service=kk, name="Perubahan KK"),
        one=services.counter_ensure(actor=None, kelurahan=org.kuin, number=1),
        two=services.counter_ensure(actor=None, kelurahan=org.kuin, number=2),
    )


def issue(desk, service, now, **extra):
    extra.setdefault("channel", TicketChannel.DESK)
    return services.ticket_issue(kelurahan=desk.kuin, service=service, now=now, **extra)


def call(desk, counter, now):
    return services.ticket_call_next(actor=desk.lurah, kelurahan=desk.kuin, counter=counter, now=now)


def close(desk, ticket, now):
    services.ticket_no_show(actor=desk.lurah, ticket=ticket, now=now)


# --- priority ------------------------------------------------------------------------------------------------


def test_a_priority_ticket_goes_before_the_regular_tickets_of_its_service_only(desk):
    regular_a = issue(desk, desk.ktp, at(8, 0))
    regular_b = issue(desk, desk.kk, at(8, 1))
    issue(desk, desk.ktp, at(8, 2))
    lansia = issue(desk, desk.kk, at(8, 3), priority="lansia", actor=desk.lurah)
    order = []
    for minute in range(4):
        ticket = call(desk, desk.one, at(9, minute * 2))
        order.append(ticket.code)
        close(desk, ticket, at(9, minute * 2 + 1))
    # the lansia's KK ticket goes before the KK regular, not before the older KTP-el regular
    assert order == [regular_a.code, lansia.code, regular_b.code, "A-002"]


def test_the_fairness_rule_lets_a_regular_ticket_through_after_n_priority_calls(desk, settings):
    settings.VISITS_PRIORITY_FAIRNESS = 2
    regular = issue(desk, desk.ktp, at(8, 0))
    for minute in range(1, 4):
        issue(desk, desk.ktp, at(8, minute), priority="ibu_hamil", actor=desk.lurah)
    order = []
    for minute in range(4):
        ticket = call(desk, desk.one, at(9, minute * 2))
        order.append((ticket.code, bool(ticket.priority)))
        close(desk, ticket, at(9, minute * 2 + 1))
    assert order == [("A-002", True), ("A-003", True), (regular.code, False), ("A-004", True)]


def test_next_in_line_is_a_plain_rule():
    t = dt.datetime(2025, 3, 5, 8, tzinfo=WITA)
    waiting = [services.Waiting(1, 10, t, ""), services.Waiting(2, 20, t + dt.timedelta(minutes=1), ""),
               services.Waiting(3, 20, t + dt.timedelta(minutes=2), "lansia")]
    assert services.next_in_line(waiting, {}, 3) == 1
    assert services.next_in_line(waiting[1:], {}, 3) == 3
    assert services.next_in_line(waiting[1:], {20: 3}, 3) == 2
    assert services.next_in_line([], {}, 3) is None


def test_an_officer_marks_priority_and_a_role_that_may_not_is_refused(desk, personas,
                                                                     django_capture_on_commit_callbacks):
    ticket = issue(desk, desk.ktp, at(8))
    with pytest.raises(PermissionDenied) as refused:
        services.ticket_priority_set(actor=personas.walikota, ticket=ticket, priority="lansia")
    assert "Hanya petugas loket Kelurahan Kuin Cerucuk" in str(refused.value)
    with pytest.raises(PermissionDenied):
        issue(desk, desk.ktp, at(8, 1), priority="lansia", actor=personas.inspektur)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_priority_set(actor=desk.lurah, ticket=ticket, priority="disabilitas")
    ticket.refresh_from_db()
    assert ticket.priority == "disabilitas"
    assert AuditEntry.objects.filter(object_type="visits.ticket", object_id=str(ticket.pk)).count() == 1
    assert Event.objects.filter(kind="ticket.prioritised").count() == 1
    with pytest.raises(ValidationError) as unknown:
        services.ticket_priority_set(actor=desk.lurah, ticket=ticket, priority="pejabat")
    assert unknown.value.message_dict["priority"] == ["Kelompok prioritas pejabat tidak dikenal."]


def test_the_public_web_may_not_mark_priority(desk):
    with pytest.raises(ValidationError) as refused:
        issue(desk, desk.ktp, at(8), channel=TicketChannel.ONLINE, priority="lansia")
    assert "tidak lewat halaman daring" in refused.value.message_dict["priority"][0]


# --- transfer ----------------------------------------------------------------------------------------------------


def test_a_transfer_keeps_the_number_priority_and_the_time_of_each_step(desk, django_capture_on_commit_callbacks):
    ticket = issue(desk, desk.ktp, at(8), priority="lansia", actor=desk.lurah)
    issue(desk, desk.kk, at(8, 5))  # an older-looking queue for KK does not pass the transferred ticket
    call(desk, desk.one, at(9))
    services.ticket_start(actor=desk.lurah, ticket=ticket, now=at(9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transfer(actor=desk.lurah, ticket=ticket, service=desk.kk, counter=desk.two, now=at(9, 10))
    ticket.refresh_from_db()
    assert (ticket.code, ticket.service, ticket.status, ticket.priority, ticket.transfers) == (
        "A-001", desk.kk, TicketStatus.WAITING, "lansia", 1)
    step = TicketStep.objects.get(ticket=ticket)
    assert (step.service, step.counter, step.queued_at, step.called_at, step.serving_at, step.finished_at) == (
        desk.ktp, desk.one, at(8), at(9), at(9, 1), at(9, 10))
    assert call(desk, desk.one, at(9, 11)).code == "B-001"  # sent to counter 2, so counter 1 takes the next
    again = call(desk, desk.two, at(9, 12))
    assert again.pk == ticket.pk and again.called_at == at(9, 12) and again.queued_at == at(9, 10)
    assert Event.objects.filter(kind="ticket.transferred", data__to_counter=2).count() == 1


@pytest.mark.usefixtures("mid_morning")
def test_the_display_shows_where_a_transferred_ticket_goes(desk, client):
    ticket = issue(desk, desk.ktp, timezone.now() - dt.timedelta(minutes=5))
    call(desk, desk.one, timezone.now() - dt.timedelta(minutes=4))
    services.ticket_transfer(actor=desk.lurah, ticket=ticket, service=desk.kk, counter=desk.two)
    board = client.get(f"/antrean/{desk.kuin.code}/layar/isi/").content.decode()
    assert 'A-001 <small data-testid="display-next-counter">→ Loket 2</small>' in board


def test_a_transfer_to_a_service_the_office_does_not_offer_is_refused_with_the_reason(desk):
    ServiceOverride.objects.create(kelurahan=desk.kuin, service=desk.kk, active=False)
    ticket = issue(desk, desk.ktp, at(8))
    call(desk, desk.one, at(9))
    with pytest.raises(ValidationError) as refused:
        services.ticket_transfer(actor=desk.lurah, ticket=ticket, service=desk.kk, now=at(9, 5))
    assert refused.value.message_dict["service"] == [
        "Layanan Surat Pengantar KK tidak tersedia di Kelurahan Kuin Cerucuk."]
    waiting = issue(desk, desk.ktp, at(9, 6))
    with pytest.raises(ValidationError, match="sedang dipanggil atau dilayani"):
        services.ticket_transfer(actor=desk.lurah, ticket=waiting, service=desk.ktp, counter=desk.two, now=at(9, 7))


# --- outcomes ------------------------------------------------------------------------------------------------------


def test_finishing_records_what_was_produced_or_why_not(desk):
    done, turned_away = issue(desk, desk.ktp, at(8)), issue(desk, desk.ktp, at(8, 1))
    for ticket, counter in ((done, desk.one), (turned_away, desk.two)):
        call(desk, counter, at(9))
        services.ticket_start(actor=desk.lurah, ticket=ticket, now=at(9, 1))
    with pytest.raises(ValidationError) as missing:
        services.ticket_finish(actor=desk.lurah, ticket=done, now=at(9, 9), result=TicketResult.PRODUCED)
    assert missing.value.message_dict["outcome"] == ["Pilih hasil layanan Surat Pengantar KTP-el yang diberikan."]
    with pytest.raises(ValidationError, match="bukan hasil layanan"):
        services.ticket_finish(actor=desk.lurah, ticket=done, now=at(9, 9), result=TicketResult.PRODUCED,
                               outcome=desk.kk_done)
    services.ticket_finish(actor=desk.lurah, ticket=done, now=at(9, 10), result=TicketResult.PRODUCED,
                           outcome=desk.ktp_done)
    services.ticket_finish(actor=desk.lurah, ticket=turned_away, now=at(9, 10),
                           result=TicketResult.MISSING_PAPERS)
    assert sorted(Ticket.objects.values_list("result", "outcome__name")) == [
        (TicketResult.MISSING_PAPERS, None), (TicketResult.PRODUCED, "Perekaman KTP-el")]


# --- times run forward ---------------------------------------------------------------------------------------


def test_a_step_dated_before_the_last_one_is_refused(desk):
    ticket = issue(desk, desk.ktp, at(9))
    assert call(desk, desk.one, at(8, 59)) is None  # issued after that moment: not callable then
    call(desk, desk.one, at(9, 5))
    with pytest.raises(ValidationError) as refused:
        services.ticket_start(actor=desk.lurah, ticket=ticket, now=at(9, 4))
    assert refused.value.messages == ["Waktu langkah 09:04:00 lebih awal dari langkah terakhir tiket A-001 "
                                      "(09:05:00); waktu tiket hanya boleh maju."]


@pytest.mark.parametrize("field, value", [("called_at", at(7)), ("serving_at", at(8, 30)), ("finished_at", at(8, 45)),
                                          ("queued_at", at(7))])
def test_the_database_refuses_times_that_run_backwards(desk, field, value):
    ticket = issue(desk, desk.ktp, at(8))
    call(desk, desk.one, at(9))
    services.ticket_start(actor=desk.lurah, ticket=ticket, now=at(9, 1))
    services.ticket_finish(actor=desk.lurah, ticket=ticket, now=at(9, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(**{field: value})


# --- kiosk ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def kiosk(desk):
    device, token = office.kiosk_register(actor=desk.lurah, kelurahan=desk.kuin, name="Anjungan lobi")
    return SimpleNamespace(device=device, token=token)


def test_a_registered_kiosk_prints_tickets_without_the_public_limit(desk, kiosk, settings):
    settings.VISITS_PUBLIC_TICKETS_PER_HOUR = 1
    assert office.kiosk_by_token(kiosk.token) == kiosk.device
    tickets = [issue(desk, desk.ktp, at(9, n), channel=TicketChannel.KIOSK, kiosk=kiosk.device, ip="10.0.0.5")
               for n in range(3)]
    assert [t.code for t in tickets] == ["A-001", "A-002", "A-003"]
    services.ticket_print_record(actor=None, ticket=tickets[0], kiosk=kiosk.device)
    with pytest.raises(PermissionDenied):  # a second copy is the officer's
        services.ticket_print_record(actor=None, ticket=tickets[0], kiosk=kiosk.device)
    services.ticket_print_record(actor=desk.lurah, ticket=tickets[0])
    tickets[0].refresh_from_db()
    assert tickets[0].prints == 2


@pytest.mark.parametrize("moment, reason", [
    (at(10, day=9), "tutup pada Minggu, 9 Maret 2025"),
    (at(7, 30), "buka pukul 08.00–16.00"),
    (at(10, day=6), "tutup pada Kamis, 6 Maret 2025"),  # the calendar's holiday
])
def test_a_printed_ticket_for_a_closed_office_is_refused(desk, kiosk, moment, reason):
    CalendarDay.objects.create(city=desk.kuin.kecamatan.city, date=dt.date(2025, 3, 6),
                               kind=CalendarDayKind.NATIONAL_HOLIDAY, name="Hari uji")
    with pytest.raises(ValidationError) as refused:
        issue(desk, desk.ktp, moment, channel=TicketChannel.KIOSK, kiosk=kiosk.device)
    assert reason in refused.value.messages[0]


def test_a_kiosk_of_another_office_is_refused(desk, kiosk):
    with pytest.raises(PermissionDenied):
        services.ticket_issue(kelurahan=kelurahan_named("Kuin Utara"), service=desk.ktp, channel=TicketChannel.KIOSK,
                              kiosk=kiosk.device, now=at(9))


def test_the_public_limit_keys_on_the_browser_so_a_shared_address_is_not_refused(desk, settings):
    settings.VISITS_PUBLIC_TICKETS_PER_HOUR = 2
    for browser in ("browser-a", "browser-b"):
        for minute in range(2):
            issue(desk, desk.ktp, at(9, minute), channel=TicketChannel.ONLINE, ip="10.1.1.1", browser=browser)
    with pytest.raises(services.TicketRateLimited):
        issue(desk, desk.ktp, at(9, 5), channel=TicketChannel.ONLINE, ip="10.1.1.1", browser="browser-a")
    settings.VISITS_PUBLIC_TICKETS_PER_ADDRESS_HOUR = 4
    with pytest.raises(services.TicketRateLimited):  # the address's own ceiling still holds
        issue(desk, desk.ktp, at(9, 6), channel=TicketChannel.ONLINE, ip="10.1.1.1", browser="browser-c")
    with pytest.raises(services.TicketRateLimited):  # no browser token: the address's limit
        issue(desk, desk.ktp, at(9, 7), channel=TicketChannel.ONLINE, ip="10.1.1.1")


# --- bookings --------------------------------------------------------------------------------------------------


def book(desk, date, hour, now=None):
    return bookings.booking_create(kelurahan=desk.kuin, service=desk.ktp, date=date, hour=hour,
                                   now=now or at(10, day=3))


def test_a_booking_gets_a_code_and_checks_in_on_the_day_for_a_ticket(desk, kiosk):
    booking = book(desk, dt.date(2025, 3, 5), 9)
    assert len(booking.code) == 6 and booking.status == BookingStatus.BOOKED
    with pytest.raises(ValidationError, match="lapor hadir pada hari itu"):
        bookings.booking_check_in(code=booking.code, kelurahan=desk.kuin, kiosk=kiosk.device, now=at(9, day=4))
    ticket = bookings.booking_check_in(code=booking.code.lower(), kelurahan=desk.kuin, kiosk=kiosk.device,
                                       now=at(8, 50))
    booking.refresh_from_db()
    assert (booking.status, booking.ticket, ticket.channel) == (BookingStatus.CHECKED_IN, ticket, TicketChannel.KIOSK)
    with pytest.raises(ValidationError, match="sudah lapor hadir"):
        bookings.booking_check_in(code=booking.code, kelurahan=desk.kuin, actor=desk.lurah, now=at(8, 55))


def test_a_booking_over_capacity_outside_hours_or_on_a_closed_day_is_refused(desk, personas):
    bookings.booking_capacity_set(actor=desk.lurah, kelurahan=desk.kuin, service=desk.ktp, hour=9, capacity=1)
    with pytest.raises(PermissionDenied):
        bookings.booking_capacity_set(actor=personas.walikota, kelurahan=desk.kuin, service=desk.ktp, hour=9,
                                      capacity=9)
    book(desk, dt.date(2025, 3, 5), 9)
    with pytest.raises(ValidationError) as full:
        book(desk, dt.date(2025, 3, 5), 9)
    assert full.value.message_dict["hour"] == [
        "Kuota Surat Pengantar KTP-el pukul 09.00 pada 5 Maret 2025 sudah penuh (1 orang). Pilih jam atau hari lain."]
    with pytest.raises(ValidationError, match="di luar jam layanan"):
        book(desk, dt.date(2025, 3, 5), 16)
    with pytest.raises(ValidationError, match="tutup pada Sabtu"):
        book(desk, dt.date(2025, 3, 8), 9)
    with pytest.raises(ValidationError, match="hari esok"):
        book(desk, dt.date(2025, 3, 3), 9)


def test_a_booking_not_checked_in_by_the_end_of_its_hour_is_a_no_show(desk):
    kept, missed = book(desk, dt.date(2025, 3, 5), 9), book(desk, dt.date(2025, 3, 5), 10)
    bookings.booking_check_in(code=kept.code, kelurahan=desk.kuin, actor=desk.lurah, now=at(9, 5))
    counts = selectors.booking_counts(kelurahan_ids=[desk.kuin.pk], start=dt.date(2025, 3, 5),
                                     end=dt.date(2025, 3, 5), now=at(10, 30))
    assert dict(counts[(desk.kuin.pk,)]) == {"booked": 2, "checked_in": 1, "open": 1}
    later = selectors.booking_counts(kelurahan_ids=[desk.kuin.pk], start=dt.date(2025, 3, 5),
                                    end=dt.date(2025, 3, 5), now=at(11, 0))
    assert (later[(desk.kuin.pk,)]["no_show"], later[(desk.kuin.pk,)]["checked_in"]) == (1, 1)
    assert [b.no_show for b in bookings.bookings_of_day(kelurahan=desk.kuin, date=dt.date(2025, 3, 5),
                                                         now=at(11))] == [False, True]
    assert Booking.objects.get(pk=missed.pk).status == BookingStatus.BOOKED
