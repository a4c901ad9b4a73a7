"""The live demo day: a small seeded city whose history ends on Tuesday 24 November 2026, played on Wednesday 25
November at explicit moments (no sleeping), through the real attendance ingest, /iclock/ and desk services."""

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F

from satulayar.attendance.choices import PunchSource, RequestStatus
from satulayar.attendance.models import DeviceUpload, LeaveRequest, Punch, Shift
from satulayar.demo import live as demo_live
from satulayar.demo.generator import city_yesterday, seed_city
from satulayar.demo.live import (
    CALL,
    FINISH,
    ISSUE,
    LEAVE,
    NO_SHOW_EVENT,
    RATE,
    START,
    TRANSFER,
    LiveDemo,
    attendance_day,
    visits_day,
)
from satulayar.org.models import City
from satulayar.visits import services as desk
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.models import Counter as VisitsCounter
from satulayar.visits.models import Rating, Service, Ticket

pytestmark = pytest.mark.django_db
SEED = 2018
DAY = dt.date(2026, 11, 25)  # a Wednesday
SATURDAY = dt.date(2026, 11, 28)
ZONE = ZoneInfo("Asia/Makassar")
FIRST = dt.datetime.combine(DAY, dt.time(8, 15), ZONE)  # offices open at 08:00: a short queue already
LATER = dt.datetime.combine(DAY, dt.time(8, 45), ZONE)  # the late ones come in
AFTERNOON = dt.datetime.combine(DAY, dt.time(9, 45), ZONE)


def _stored(city: City, day: dt.date) -> SimpleNamespace:
    start = dt.datetime.combine(day, dt.time(0), ZONE)
    tickets = Ticket.objects.filter(kelurahan__kecamatan__city=city, date=day)
    return SimpleNamespace(
        punches={(e, at) for e, at in Punch.objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
                 .values_list("employee_id", "at")},
        sources=Counter(Punch.objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
                        .values_list("source", flat=True)),
        tickets={(k, s, at) for k, s, at in tickets.values_list("kelurahan_id", "service_id", "issued_at")},
        statuses=Counter(tickets.values_list("status", flat=True)),
        ratings=Rating.objects.filter(ticket__in=tickets).count(),
        shifts=set(Shift.objects.filter(date=day).values_list("employee_id", flat=True)),
        leaves=set(LeaveRequest.objects.filter(start_date__lte=day, end_date__gte=day, status=RequestStatus.APPROVED)
                   .values_list("employee_id", "kind")),
    )


def _a_person_takes_a_free_counter(city: City, desk_events) -> int:
    """An officer issues a ticket and calls it to a counter that is free, and never finishes it."""
    busy = set(Ticket.objects.filter(date=DAY, status__in=("called", "serving")).values_list("counter_id", flat=True))
    event = next(e for e in desk_events if e.kind == CALL and e.at > LATER + dt.timedelta(seconds=5)
                 and e.slot[0] not in busy)
    counter = VisitsCounter.objects.select_related("kelurahan__kecamatan__city").get(pk=event.slot[0])
    service = Service.objects.get(pk=next(e.ticket[1] for e in desk_events if e.kind == ISSUE
                                          and e.kelurahan_id == counter.kelurahan_id))
    mine = desk.ticket_issue(kelurahan=counter.kelurahan, service=service, channel="desk",
                             now=LATER + dt.timedelta(seconds=1))
    called = desk.ticket_call_next(actor=None, kelurahan=counter.kelurahan, counter=counter,
                                   now=LATER + dt.timedelta(seconds=2))
    assert called is not None and called.counter_id == counter.pk
    return mine.pk


def _bookings_made_yesterday(city: City) -> int:
    """Citizens booked today's 09:00 places yesterday, through the real service: they check in after LATER."""
    from satulayar.visits.bookings import booking_create
    from satulayar.visits.models import Kelurahan

    yesterday = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(10), ZONE)
    offices = Kelurahan.objects.filter(kecamatan__city=city).select_related("kecamatan__city").order_by("code")[:8]
    for kelurahan in offices:
        booking_create(kelurahan=kelurahan, service=Service.objects.get(city=city, prefix="A"), date=DAY, hour=9,
                       now=yesterday)
    return len(offices)


def _front_desk(day: dt.date) -> dict:
    from satulayar.visits.choices import BookingStatus
    from satulayar.visits.models import Booking

    tickets = Ticket.objects.filter(date=day)
    return {"priority": tickets.exclude(priority="").count(), "transferred": tickets.filter(transfers__gt=0).count(),
            "with_result": tickets.exclude(result="").count(), "done": tickets.filter(status="done").count(),
            "checked_in": Booking.objects.filter(date=day, status=BookingStatus.CHECKED_IN).count(),
            "booked_ahead": Booking.objects.filter(date__gt=day).count(),
            "backwards": tickets.filter(called_at__lt=F("queued_at")).count()}


@pytest.fixture(scope="module")
def live(django_db_setup, django_db_blocker):
    """Seed once, play the day at two moments (and restart in between), read it all back, roll back."""
    # One-day leave is rare (0,3 % a person a day): 300 ASN may draw none, and who draws depends on the ids the
    # database hands out, so the test raises the chance to be sure of a few.
    with django_db_blocker.unblock(), transaction.atomic(), mock.patch.object(demo_live, "LEAVE_CHANCE", 0.02):
        seed_city(city_slug="banjarmasin", employees=300, days=3, seed=SEED, on=DAY - dt.timedelta(days=1))
        city = City.objects.get(slug="banjarmasin")
        services_seed_default(city=city)
        wednesday = attendance_day(city=city, seed=SEED, date=DAY)
        data = SimpleNamespace(punches=wednesday.punches, team=wednesday.shift_team, leaves=wednesday.leaves,
                               desk=visits_day(city=city, seed=SEED, date=DAY),
                               replanned=attendance_day(city=city, seed=SEED, date=DAY).punches,
                               thursday=attendance_day(city=city, seed=SEED, date=DAY + dt.timedelta(days=1)).punches)
        data.booked = _bookings_made_yesterday(city)
        simulator = LiveDemo(city=city, seed=SEED)
        data.first = simulator.apply(FIRST)
        data.after_first = _stored(city, DAY)
        data.again = LiveDemo(city=city, seed=SEED).apply(FIRST)  # a restart at the same moment
        data.after_again = _stored(city, DAY)
        data.later = simulator.apply(LATER)
        data.after_later = _stored(city, DAY)
        data.human = _a_person_takes_a_free_counter(city, data.desk)
        data.interfered = simulator.apply(AFTERNOON)
        data.interfered_again = simulator.apply(AFTERNOON)
        data.front_desk = _front_desk(DAY)
        saturday = dt.datetime.combine(SATURDAY, dt.time(10), ZONE)
        data.saturday_team = attendance_day(city=city, seed=SEED, date=SATURDAY).shift_team
        data.saturday_desk = visits_day(city=city, seed=SEED, date=SATURDAY)
        data.saturday = simulator.apply(saturday)
        data.after_saturday = _stored(city, SATURDAY)
        transaction.set_rollback(True)
    return data


def _due(events, kind: str, until: dt.datetime, since: dt.datetime | None = None) -> list:
    return [e for e in events if e.kind == kind and e.at <= until and (since is None or e.at > since)]


def test_the_catch_up_stores_exactly_the_punches_planned_by_then(live):
    planned = {(p.row.employee_id, p.row.at) for p in live.punches if p.row.at <= FIRST}
    assert len(planned) > 200  # most of the 300 are in by 08:15
    assert live.after_first.punches == planned
    assert live.first.punches == len(planned)
    assert live.after_first.sources[PunchSource.DEVICE] > live.after_first.sources[PunchSource.MOBILE] > 0
    assert live.after_first.shifts == set(live.team) and live.team  # today's fire brigade team is rostered
    assert live.after_first.leaves == {(leave.employee_id, leave.kind) for leave in live.leaves}
    assert live.first.leaves == len(live.leaves) > 0
    on_leave = {leave.employee_id for leave in live.leaves}
    assert not any(p.source == PunchSource.DEVICE and p.row.employee_id in on_leave for p in live.punches)


def test_the_catch_up_issues_and_serves_exactly_the_tickets_planned_by_then(live):
    issued = _due(live.desk, ISSUE, FIRST)
    assert live.after_first.tickets == {e.ticket for e in issued} and len(issued) > 20
    calls, starts, finishes = (len(_due(live.desk, kind, FIRST)) for kind in (CALL, START, FINISH))
    no_shows, leaves = len(_due(live.desk, NO_SHOW_EVENT, FIRST)), len(_due(live.desk, LEAVE, FIRST))
    assert live.after_first.statuses == Counter({
        "waiting": len(issued) - calls - leaves, "called": calls - starts - no_shows, "serving": starts - finishes,
        "done": finishes, "no_show": no_shows, "cancelled": leaves}) - Counter()
    assert live.after_first.ratings == len(_due(live.desk, RATE, FIRST))
    assert live.first.skipped == 0
    assert live.first.desk == live.first.by_kind["booked"] + sum(len(_due(live.desk, kind, FIRST)) for kind in
                                                                 (ISSUE, LEAVE, CALL, START, FINISH, NO_SHOW_EVENT,
                                                                  RATE))


def test_running_it_again_adds_nothing(live):
    assert not live.again and live.again.skipped == 0
    assert live.after_again == live.after_first


def test_a_later_moment_applies_only_what_became_due_since(live):
    new_punches = [p for p in live.punches if FIRST < p.row.at <= LATER]
    assert live.later.punches == len(new_punches) > 0
    assert live.after_later.punches - live.after_first.punches == {(p.row.employee_id, p.row.at)
                                                                    for p in new_punches}
    for kind in (ISSUE, CALL, START, FINISH):
        assert live.later.by_kind[kind] == len(_due(live.desk, kind, LATER, since=FIRST)), kind
    assert live.later.by_kind[ISSUE] > 0
    assert len(live.after_later.tickets) == len(_due(live.desk, ISSUE, LATER))


def test_a_counter_someone_else_uses_is_skipped_once_and_the_day_goes_on(live):
    assert live.interfered.skipped >= 1  # the planned call to the counter the officer holds is refused
    # Each booking checked in meanwhile takes the office's next planned arrival's place (the queue keeps the plan's
    # length); that arrival may fall after AFTERNOON.
    due = len(_due(live.desk, ISSUE, AFTERNOON, since=LATER))
    assert due - live.interfered.by_kind["booking"] <= live.interfered.by_kind[ISSUE] < due
    assert live.interfered.by_kind[FINISH] > 50
    assert not live.interfered_again and live.interfered_again.skipped == 0  # refused once, not retried


def test_the_desk_replays_the_plan_first_come_first_served(live):
    waiting = 0
    for event in live.desk:
        waiting += {ISSUE: 1, TRANSFER: 1, LEAVE: -1, CALL: -1}.get(event.kind, 0)
        assert waiting >= 0  # never a call with nobody waiting, never a departure of a ticket already called
    transfers = [e for e in live.desk if e.kind == TRANSFER]
    for moved in transfers:  # a transferred visit is called again at the same counter, not by another's call
        again = next(e for e in live.desk if e.kind == CALL and e.at > moved.at and e.slot[0] == moved.slot[0])
        assert again.at - moved.at < dt.timedelta(minutes=30)
    assert [e.at for e in live.desk] == sorted(e.at for e in live.desk)


def test_on_a_saturday_only_the_fire_brigade_works(live):
    assert live.saturday_desk == [] and live.after_saturday.tickets == set()
    employees = {e for e, _at in live.after_saturday.punches}
    assert employees and employees <= set(live.saturday_team) | set(live.team)  # on duty, or going home at 08:00
    assert live.after_saturday.shifts == set(live.saturday_team)


def test_the_plan_is_the_same_for_the_same_seed_and_day_and_differs_the_next_day(live):
    assert [(p.row, p.source) for p in live.replanned] == [(p.row, p.source) for p in live.punches]
    wednesday = {(p.row.employee_id, p.row.at.astimezone(ZONE).time()) for p in live.punches}
    thursday = {(p.row.employee_id, p.row.at.astimezone(ZONE).time()) for p in live.thursday}
    assert len(thursday) > 200 and len(wednesday & thursday) < len(thursday) // 10


@pytest.mark.django_db(transaction=True)
def test_fingerprint_punches_go_to_the_server_as_adms_lines(live_server):
    seed_city(city_slug="banjarmasin", employees=300, days=1, seed=SEED, on=DAY - dt.timedelta(days=1))
    city = City.objects.get(slug="banjarmasin")
    simulator = LiveDemo(city=city, seed=SEED, server=live_server.url)
    simulator.apply(dt.datetime.combine(DAY, dt.time(6), ZONE), desk=False)  # the catch-up stores directly
    assert not DeviceUpload.objects.exists()
    applied = simulator.apply(FIRST, push=True, desk=False)
    planned = [p for p in simulator.punches if dt.datetime.combine(DAY, dt.time(6), ZONE) < p.row.at <= FIRST]
    device = [p for p in planned if p.source == PunchSource.DEVICE]
    pushed = [p for p in device if p.row.employee_id in simulator._pins]  # employees without a NIP have no PIN
    assert applied.punches == len(planned) and device
    uploads = DeviceUpload.objects.filter(table="ATTLOG")
    assert sum(u.accepted for u in uploads) == len(pushed) and not any(u.rejected or u.flagged for u in uploads)
    stored = set(Punch.objects.filter(source=PunchSource.DEVICE, at__gt=dt.datetime.combine(DAY, dt.time(6), ZONE))
                 .values_list("employee_id", "at", "device__site_id"))
    assert stored == {(p.row.employee_id, p.row.at, p.row.site_id) for p in device}


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_server_falls_back_to_the_ingest():
    seed_city(city_slug="banjarmasin", employees=300, days=1, seed=SEED, on=DAY - dt.timedelta(days=1))
    city = City.objects.get(slug="banjarmasin")
    simulator = LiveDemo(city=city, seed=SEED, server="http://127.0.0.1:9")  # nothing listens on the discard port
    applied = simulator.apply(FIRST, push=True, desk=False)
    assert applied.punches == len([p for p in simulator.punches if p.row.at <= FIRST]) > 200
    assert not DeviceUpload.objects.exists()


def test_history_ends_yesterday_in_the_city_zone():
    # 17:00 UTC on 30 November is already 01:00 on 1 December in Banjarmasin.
    assert city_yesterday("banjarmasin", now=dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)) == dt.date(2026, 11, 30)
    assert city_yesterday("banjarmasin", now=dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC)) == dt.date(2026, 11, 29)


def test_seed_refuses_a_date_that_is_not_one():
    with pytest.raises(CommandError, match="tidak sah"):
        call_command("seed", "--employees", "300", "--until", "2026-13-01")


def test_the_live_day_marks_priority_transfers_outcomes_and_checks_bookings_in(live):
    figures = live.front_desk
    assert figures["priority"] > 0 and figures["transferred"] > 0 and 0 < figures["checked_in"] <= live.booked
    assert figures["booked_ahead"] > 0  # tomorrow's, booked during the day
    assert figures["with_result"] == figures["done"] > 50
    assert figures["backwards"] == 0
