"""The demo's history of the kelurahan front offices: a simulation written through `visits.imports.tickets_import`.

`visits_history_seed` simulates every kelurahan office of a city, day by day, up to the demo's reference date:
arrivals through the office hours (08:00–15:00 local, a short Friday that goes quiet after the Friday prayer),
more visitors on Mondays and after long holidays, none on weekends and calendar holidays, a first-come queue per
office with one to three counters, service times around each service's target time, no-shows, a few
cancellations, and the IKM survey from about three in ten served citizens. A few offices get more visitors than
their single counter can serve: long waits, target-time breaches, lower ratings.

The same seed gives the same history, and one office's day does not depend on the range asked: each (kelurahan,
date) draws from its own random stream. Only the tickets' public tokens are random (they are credentials).

A few finished visits are sent on to another service midway (a KTP-el recording that turns out to need a KK change
first), as the desk's transfer leaves them: the first service's step kept (`TicketStep`), the ticket queued again
and finished at the other service. Those draws come from their own random stream, so the rest of the history is
the same with or without them. The live day (demo/live.py) plays `office_day` through the desk services.
"""

import datetime as dt
import math
import random
import secrets
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.attendance.calendar import calendar_seed, is_work_day
from satulayar.attendance.models import CalendarDay
from satulayar.org.models import City, Kelurahan
from satulayar.visits.catalogue import service_catalogue_for, services_seed_default
from satulayar.visits.choices import BookingStatus, TicketChannel
from satulayar.visits.imports import CANCELLED, DONE, NO_SHOW, ImportResult, StepRow, TicketRow, tickets_import
from satulayar.visits.models import Booking, ServiceOutcome, Ticket
from satulayar.visits.services import counter_ensure

# --- the simulation ---------------------------------------------------------------------------------------------------

OPEN_MINUTE, LAST_CALL_MINUTE = 8 * 60, 16 * 60 + 30  # the desk calls until 16:30; who still waits is sent home
# Arrival windows (local minutes from midnight, weight): a dip over the 12:00–13:00 break; on Friday the office
# is busy until the Friday prayer and quiet afterwards.
ARRIVALS_WEEKDAY = ((480, 540, 16), (540, 600, 22), (600, 660, 20), (660, 720, 14), (720, 780, 5), (780, 840, 13),
                    (840, 900, 10))
ARRIVALS_FRIDAY = ((480, 540, 30), (540, 600, 32), (600, 660, 24), (660, 690, 8), (810, 870, 5), (870, 900, 1))
BREAK_START, BREAK_END = {False: (715, 725), True: (680, 690)}, {False: (765, 780), True: (795, 810)}
DAY_FACTOR = {0: 1.4, 1: 1.1, 2: 1.0, 3: 0.95, 4: 0.6, 5: 0.5, 6: 0.5}  # Monday peaks; a Saturday only when declared
MONTH_FACTOR = {1: 1.15, 2: 1.0, 3: 1.0, 4: 0.95, 5: 1.0, 6: 1.05, 7: 1.2, 8: 1.0, 9: 0.95, 10: 1.0, 11: 1.0, 12: 0.9}
AFTER_LONG_BREAK = 1.3  # the first work day after three or more days closed
SERVICE_MIX = {"A": 22, "B": 20, "C": 14, "D": 12, "E": 9, "F": 6, "G": 3, "H": 3, "I": 5, "J": 6}
JULY_BOOST = {"C": 1.6, "D": 2.0}  # school registration: domisili and SKTM
CHANNEL_VALUES, CHANNEL_WEIGHTS = (TicketChannel.DESK.value, TicketChannel.KIOSK_QR.value,
                                   TicketChannel.ONLINE.value), (72, 18, 10)
OVERLOADED_OFFICES = 4
RATED_SHARE = 0.3
ELEMENT_BIAS = (0.0, 0.0, -0.05, 0.35, 0.05, 0.05, 0.1, -0.2, -0.1)  # biaya (free) high, complaints handling low
CLOSED_NOTE = "Layanan hari ini ditutup"
LEFT_NOTE = "Pengunjung pulang sebelum dipanggil"


@dataclass(frozen=True)
class Office:
    kelurahan: Kelurahan
    counters: tuple[int, ...]  # Counter pks
    visitors: float  # mean visits on an ordinary Wednesday
    speed: float  # service time relative to a typical office
    no_show_rate: float
    quality: float  # how citizens rate the office, -0.5 … 0.5
    overloaded: bool = False


def office_day(*, office: Office, date: dt.date, services: dict[str, tuple[int, int]], seed: int,
               factor: float = 1.0, outcomes: dict[int, list[int]] | None = None) -> list[TicketRow]:
    """One office's tickets on one work day: arrivals, the first-come queue over its counters, outcomes; with
    `outcomes` (service id: its outcome ids) also priority marks and what each finished visit produced."""
    rng = random.Random(f"{seed}/visits/{office.kelurahan.code}/{date.isoformat()}")
    zone = office.kelurahan.kecamatan.city.zone
    midnight = dt.datetime.combine(date, dt.time(0), zone).astimezone(dt.UTC)
    mean = office.visitors * DAY_FACTOR[date.weekday()] * MONTH_FACTOR[date.month] * factor
    count = max(2, min(80, round(rng.gauss(mean, math.sqrt(mean) + 0.08 * mean))))
    friday = date.weekday() == 4
    windows = ARRIVALS_FRIDAY if friday else ARRIVALS_WEEKDAY
    arrivals = sorted(rng.uniform(start, end) for start, end, _weight in
                      rng.choices(windows, weights=[weight for _start, _end, weight in windows], k=count))
    mix = [(prefix, weight * (JULY_BOOST.get(prefix, 1.0) if date.month == 7 else 1.0))
           for prefix, weight in SERVICE_MIX.items() if prefix in services]
    prefixes = rng.choices([prefix for prefix, _weight in mix], weights=[weight for _prefix, weight in mix], k=count)
    channels = rng.choices(CHANNEL_VALUES, weights=CHANNEL_WEIGHTS, k=count)

    # Minutes after midnight: the counters open between 08:00 and 08:20 and close for the midday break (on Friday
    # for the Friday prayer, longer, all together); on other days a second counter takes its break when the first
    # is back, and a third stays open through it.
    free_at = [OPEN_MINUTE + rng.uniform(0, 20) for _ in office.counters]
    breaks = [(-1.0, -1.0) if n == 2 else (rng.uniform(*BREAK_START[friday]), rng.uniform(*BREAK_END[friday]))
              for n in range(len(office.counters))]
    if len(breaks) > 1 and not friday:
        breaks[1] = (breaks[0][1], breaks[0][1] + breaks[1][1] - breaks[1][0])
    numbers: dict[str, int] = defaultdict(int)
    rows = []
    for arrived, prefix, channel in zip(arrivals, prefixes, channels, strict=True):
        service_id, sla = services[prefix]
        numbers[prefix] += 1
        row = TicketRow(kelurahan_id=office.kelurahan.pk, service_id=service_id, prefix=prefix,
                        number=numbers[prefix], date=date, status=DONE, issued_at=_at(midnight, arrived),
                        channel=channel)
        rows.append(row)
        ready = [_available(max(arrived, free), pause) for free, pause in zip(free_at, breaks, strict=True)]
        counter = min(range(len(ready)), key=ready.__getitem__)
        call = max(arrived + rng.uniform(0.2, 1.5), ready[counter])
        waited, patience = call - arrived, rng.uniform(50, 160)
        left = patience if waited > patience and rng.random() < 0.5 else None  # gave up on a long queue
        if left is None and waited > 3 and rng.random() < 0.006:  # papers incomplete: back another day
            left = rng.uniform(2, min(25.0, waited))
        if left is not None:
            row.status, row.note, row.finished_at = CANCELLED, LEFT_NOTE, _at(midnight, arrived + left)
            continue
        if call > LAST_CALL_MINUTE:
            row.status, row.note, row.finished_at = CANCELLED, CLOSED_NOTE, _at(midnight, LAST_CALL_MINUTE)
            continue
        row.called_at, row.counter_id = _at(midnight, call), office.counters[counter]
        if rng.random() < office.no_show_rate + min(0.08, waited / 1200):
            free_at[counter] = call + rng.uniform(3, 6)
            row.status, row.finished_at = NO_SHOW, _at(midnight, free_at[counter])
            continue
        start = call + rng.uniform(0.3, 2.0)
        duration = max(2.0, rng.lognormvariate(math.log(0.55 * sla * office.speed), 0.35))
        row.serving_at, row.finished_at = _at(midnight, start), _at(midnight, start + duration)
        free_at[counter] = start + duration + rng.uniform(0.2, 1.0)
        if rng.random() < RATED_SHARE:
            row.scores = _scores(rng, office.quality - (0.5 if waited > 60 else 0.0))
    if outcomes is not None:
        _desk_marks(rows, outcomes, random.Random(f"{seed}/visits-desk/{office.kelurahan.code}/{date.isoformat()}"))
    _rating_addresses(rows, office, random.Random(f"{seed}/visits-rating/{office.kelurahan.code}/{date.isoformat()}"))
    return rows


OFFICE_WIFI_SHARE = 0.3  # surveys sent over the kelurahan's public Wi-Fi: one address for everyone on it


def _rating_addresses(rows: list[TicketRow], office: Office, rng: random.Random) -> None:
    """Where each survey came from: the office's public Wi-Fi (the same address all day), else the citizen's own
    mobile connection."""
    wifi = f"103.{office.kelurahan.pk % 200 + 20}.{office.kelurahan.pk // 200}.10"
    for row in rows:
        if row.scores is not None:
            row.rating_address = wifi if rng.random() < OFFICE_WIFI_SHARE else (
                f"114.{rng.randint(120, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")


PRIORITY_SHARE = 0.06
TRANSFER_SHARE = 0.03
PRIORITY_CODES = ("lansia", "lansia", "disabilitas", "ibu_hamil")
RESULT_SHARES = ((0.86, "produced"), (0.95, "missing"), (1.0, "referred"))  # cumulative


def _desk_marks(rows: list[TicketRow], outcomes: dict[int, list[int]], rng: random.Random) -> None:
    """Priority marks and results, from their own random stream (the day's queue draws stay as they were)."""
    for row in rows:
        if rng.random() < PRIORITY_SHARE:
            row.priority = rng.choice(PRIORITY_CODES)
        if row.status != DONE:
            continue
        draw = rng.random()
        row.result = next(result for share, result in RESULT_SHARES if draw < share)
        others = [service_id for service_id in outcomes if service_id != row.service_id]
        if others and rng.random() < TRANSFER_SHARE:
            row.transfer_to = rng.choice(sorted(others))
        if row.result == "produced" and outcomes.get(row.service_id):
            row.outcome_id = rng.choice(outcomes[row.service_id])


TRANSFER_AT = (0.35, 0.65)  # how far into the visit the first service sends it on
TRANSFER_WAIT = (0.05, 0.2)  # the share of the rest spent waiting for the other service


def transfers_apply(rows: list[TicketRow], *, offered: set[int], outcomes: dict[int, list[int]],
                    rng: random.Random) -> None:
    """The finished visits the plan sends on (`transfer_to`, a service this office offers), as `ticket_transfer`
    leaves them: the first service's step kept, the ticket queued again for the other service and finished there
    at the planned end. It stays at its counter, so the counter's day stays as simulated (one visitor at a time);
    what it produced is the last service's outcome. Draws from `rng` alone."""
    for row in rows:
        if row.status != DONE or row.transfer_to not in offered or row.serving_at is None:
            continue
        moved = _second(row.serving_at + (row.finished_at - row.serving_at) * rng.uniform(*TRANSFER_AT))
        called = _second(moved + (row.finished_at - moved) * rng.uniform(*TRANSFER_WAIT))
        serving = _second(called + (row.finished_at - called) * rng.uniform(0.05, 0.15))
        row.steps = (StepRow(service_id=row.service_id, counter_id=row.counter_id, queued_at=row.issued_at,
                             called_at=row.called_at, serving_at=row.serving_at, finished_at=moved),)
        row.service_id, row.queued_at, row.called_at, row.serving_at = row.transfer_to, moved, called, serving
        if row.outcome_id is not None:
            row.outcome_id = rng.choice(outcomes[row.transfer_to])


def _second(at: dt.datetime) -> dt.datetime:
    """Whole seconds, as the rest of the history (rounding down keeps the times in order)."""
    return at.replace(microsecond=0)


def _available(at: float, pause: tuple[float, float]) -> float:
    return pause[1] if pause[0] <= at < pause[1] else at


def _at(midnight: dt.datetime, minutes: float) -> dt.datetime:
    return midnight + dt.timedelta(seconds=round(minutes * 60))


def _scores(rng: random.Random, quality: float) -> tuple[int, ...]:
    mood = rng.gauss(0, 0.3)  # one citizen rates all nine elements in one frame of mind
    return tuple(max(1, min(4, round(rng.gauss(3.3 + 0.45 * quality + bias + mood, 0.45)))) for bias in ELEMENT_BIAS)


def offices_plan(*, city: City, seed: int) -> list[Office]:
    """Each kelurahan office's size, counters and character, the same for the same seed."""
    kelurahan = list(Kelurahan.objects.filter(kecamatan__city=city).select_related("kecamatan__city").order_by("code"))
    overloaded = set(random.Random(f"{seed}/visits/overloaded").sample(
        [k.code for k in kelurahan], min(OVERLOADED_OFFICES, len(kelurahan))))
    offices = []
    for kel in kelurahan:
        rng = random.Random(f"{seed}/visits/{kel.code}")
        busy = kel.code in overloaded
        visitors = rng.uniform(26, 31) if busy else rng.uniform(12, 40)
        counters = 1 if busy or visitors < 20 else (3 if visitors > 34 else 2)
        numbers = tuple(counter_ensure(actor=None, kelurahan=kel, number=n).pk for n in range(1, counters + 1))
        offices.append(Office(kelurahan=kel, counters=numbers, visitors=visitors,
                              speed=rng.uniform(1.1, 1.2) if busy else rng.uniform(0.85, 1.05),
                              no_show_rate=rng.uniform(0.03, 0.06), overloaded=busy,
                              quality=rng.uniform(-0.5, -0.3) if busy else rng.uniform(-0.2, 0.8)))
    return offices


def service_outcome_ids(*, city: City) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for service_id, pk in ServiceOutcome.objects.filter(service__city=city, active=True).order_by("pk").values_list(
            "service_id", "pk"):
        found[service_id].append(pk)
    return dict(found)


BOOKED_SHARE = 0.5  # of the online tickets: booked the day before, then checked in
NO_SHOW_BOOKINGS = 0.12  # bookings nobody came for, per checked-in booking


def _bookings_seed(rows: list[TicketRow], rng: random.Random, zone: zoneinfo.ZoneInfo) -> int:
    """Bookings behind some online tickets (checked in on their day) and the no-shows beside them."""
    booked = [row for row in rows if row.channel == TicketChannel.ONLINE and rng.random() < BOOKED_SHARE]
    if not booked:
        return 0
    ids = {(row.kelurahan_id, row.date, row.prefix, row.number): pk for row, pk in zip(
        booked, _ids_of(booked), strict=True)}
    made = []
    for row in booked:
        hour = row.issued_at.astimezone(zone).hour
        booked_for = row.steps[0].service_id if row.steps else row.service_id  # before any transfer
        made.append(Booking(kelurahan_id=row.kelurahan_id, service_id=booked_for, date=row.date, hour=hour,
                            code=_booking_code(), status=BookingStatus.CHECKED_IN,
                            ticket_id=ids[(row.kelurahan_id, row.date, row.prefix, row.number)],
                            created_at=row.issued_at - dt.timedelta(days=1)))
        if rng.random() < NO_SHOW_BOOKINGS:
            made.append(Booking(kelurahan_id=row.kelurahan_id, service_id=booked_for, date=row.date, hour=hour,
                                code=_booking_code(), created_at=row.issued_at - dt.timedelta(days=1)))
    Booking.objects.bulk_create(made, batch_size=500)
    return len(made)


UPCOMING_DAYS = 3
UPCOMING_PER_DAY = (0, 4)  # bookings per office and day, made before the history ends


def _upcoming_bookings(office: Office, *, after: dt.date, rng: random.Random) -> int:
    """Bookings for the office's next work days after the history, still to come: the live day checks them in."""
    city = office.kelurahan.kecamatan.city
    offered = sorted(service.pk for service, _req, _sla in service_catalogue_for(kelurahan=office.kelurahan))
    made, day = [], after
    created = dt.datetime.combine(after, dt.time(12), city.zone)
    for _n in range(UPCOMING_DAYS):
        day += dt.timedelta(days=1)
        if not offered or not is_work_day(city=city, date=day):
            continue
        made += [Booking(kelurahan=office.kelurahan, service_id=rng.choice(offered), date=day,
                         hour=rng.randint(8, 14), code=_booking_code(), created_at=created)
                 for _i in range(rng.randint(*UPCOMING_PER_DAY))]
    Booking.objects.bulk_create(made)
    return len(made)


def _ids_of(rows: list[TicketRow]) -> list[int]:
    keys = {(row.kelurahan_id, row.date, row.prefix, row.number) for row in rows}
    window = Ticket.objects.filter(kelurahan_id__in={row.kelurahan_id for row in rows},
                                   date__range=(min(row.date for row in rows), max(row.date for row in rows)))
    found = {(k, d, p, n): pk for k, d, p, n, pk in window.values_list("kelurahan_id", "date", "prefix", "number", "pk")
             if (k, d, p, n) in keys}
    return [found[(row.kelurahan_id, row.date, row.prefix, row.number)] for row in rows]


def _booking_code() -> str:
    """Random like the tickets' tokens (a code opens its booking); two letters longer than the desk's, so a year of
    demo bookings cannot collide."""
    from satulayar.visits.bookings import CODE_ALPHABET

    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))


def work_days(*, city: City, start: dt.date, end: dt.date) -> list[tuple[dt.date, float]]:
    """(date, demand factor) for the city's work days; the first day after three or more closed days is busier.
    Makes sure the work calendar holds those years' holidays first."""
    years = range(start.year, end.year + 1)
    missing = [year for year in years if not CalendarDay.objects.filter(city=city, date__year=year).exists()]
    if missing:
        calendar_seed(city=city, years=missing)
    days, closed = [], 0
    for offset in range((end - start).days + 1):
        date = start + dt.timedelta(days=offset)
        if is_work_day(city=city, date=date):
            days.append((date, AFTER_LONG_BREAK if closed >= 3 else 1.0))
            closed = 0
        else:
            closed += 1
    return days


def visits_history_seed(*, city: City, days: int, seed: int, end_date: dt.date | None = None,
                        progress: Callable[[str], None] = lambda message: None,
                        tick: Callable[[int], None] = lambda n: None) -> dict:
    """A history of `days` days up to `end_date` (the demo's reference date) for every kelurahan office of the city,
    through the standard catalogue, the desk's counters and `tickets_import`. Refuses a range that has tickets."""
    from satulayar.demo.generator import REFERENCE_DATE  # the generator imports this module

    end = end_date or REFERENCE_DATE
    start = end - dt.timedelta(days=days - 1)
    if Ticket.objects.filter(kelurahan__kecamatan__city=city, date__range=(start, end)).exists():
        raise ValidationError(_("Sudah ada tiket antrean %(city)s antara %(start)s dan %(end)s; riwayat demo hanya "
                                "diisi sekali.") % {"city": city, "start": start, "end": end})
    with transaction.atomic():
        services_seed_default(city=city)
        offices = offices_plan(city=city, seed=seed)
        calendar = work_days(city=city, start=start, end=end)
        outcome_ids = service_outcome_ids(city=city)
        result = ImportResult()
        for office in offices:
            tick(1)
            catalogue = {service.prefix: (service.pk, sla)
                         for service, _req, sla in service_catalogue_for(kelurahan=office.kelurahan)}
            rows = []
            for date, factor in calendar:
                day = office_day(office=office, date=date, services=catalogue, seed=seed, factor=factor,
                                 outcomes=outcome_ids)
                transfers_apply(day, offered={pk for pk, _sla in catalogue.values()}, outcomes=outcome_ids,
                                rng=random.Random(f"{seed}/visits-transfers/{office.kelurahan.code}/{date.isoformat()}"))
                rows += day
            imported = tickets_import(rows=rows)
            result.bookings += _bookings_seed(rows, random.Random(f"{seed}/visits-bookings/{office.kelurahan.code}"),
                                              office.kelurahan.kecamatan.city.zone)
            result.tickets += imported.tickets
            result.ratings += imported.ratings
            result.transfers += imported.transfers
            result.bookings += _upcoming_bookings(office, after=end, rng=random.Random(
                f"{seed}/visits-bookings-ahead/{office.kelurahan.code}/{end.isoformat()}"))
    return {"start": start, "end": end, "work_days": len(calendar), "kelurahan": len(offices),
            "tickets": result.tickets, "ratings": result.ratings, "bookings": result.bookings,
            "transfers": result.transfers,
            "overloaded": [office.kelurahan.name for office in offices if office.overloaded]}
