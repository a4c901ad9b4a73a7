"""Demo history of the kelurahan front offices, and the validated bulk path that stores past tickets.

`visits_history_seed` simulates every kelurahan office of a city, day by day, up to the demo's reference date:
arrivals through the office hours (08:00–15:00 local, a short Friday that goes quiet after the Friday prayer),
more visitors on Mondays and after long holidays, none on weekends and calendar holidays, a first-come queue per
office with one to three counters, service times around each service's target time, no-shows, a few
cancellations, and the IKM survey from about three in ten served citizens. A few offices get more visitors than
their single counter can serve: long waits, target-time breaches, lower ratings.

The same seed gives the same history, and one office's day does not depend on the range asked: each (kelurahan,
date) draws from its own random stream. Only the tickets' public tokens are random (they are credentials).

`tickets_import` is the one way past tickets are written in bulk: it checks each row as the desk services do
(offered service, its prefix, the status's timestamps in order, the office's local date, numbering) and
refuses the whole batch when a row is wrong.
"""

import datetime as dt
import itertools
import math
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, DateTimeField, Max
from django.utils.translation import gettext as _

from satulayar.attendance.calendar import calendar_seed, is_work_day
from satulayar.attendance.models import CalendarDay
from satulayar.org.models import City, Kelurahan
from satulayar.visits.catalogue import service_catalogue_for, services_seed_default
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel, TicketStatus
from satulayar.visits.models import Counter, Rating, Service, Ticket, TicketSequence, public_token
from satulayar.visits.rollups import kelurahan_hours_refresh
from satulayar.visits.services import counter_ensure

IMPORT_CHUNK = 5000
MAX_ERRORS_SHOWN = 10

# --- the validated bulk path -------------------------------------------------------------------------------------


@dataclass(slots=True)
class TicketRow:
    """A past ticket. Visitor details are not imported (privacy by default)."""

    kelurahan_id: int
    service_id: int
    prefix: str
    number: int
    date: dt.date  # the office's local date of issued_at
    status: str
    issued_at: dt.datetime
    called_at: dt.datetime | None = None
    serving_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    counter_id: int | None = None
    channel: str = TicketChannel.DESK
    note: str = ""
    scores: tuple[int, ...] | None = None  # the nine IKM elements, 1–4, for a served ticket
    comment: str = ""


CHANNELS_KNOWN = frozenset(TicketChannel.values)
DONE, NO_SHOW, CANCELLED = TicketStatus.DONE.value, TicketStatus.NO_SHOW.value, TicketStatus.CANCELLED.value
# Which timestamps each status has: True set, False empty, None either (a ticket cancelled before or after its call).
STAMPS = {
    TicketStatus.WAITING: (False, False, False),
    TicketStatus.CALLED: (True, False, False),
    TicketStatus.SERVING: (True, True, False),
    TicketStatus.DONE: (True, True, True),
    TicketStatus.NO_SHOW: (True, False, True),
    TicketStatus.CANCELLED: (None, False, True),
}


@dataclass
class ImportResult:
    tickets: int = 0
    ratings: int = 0


@dataclass
class _Catalogue:
    """What the rows are checked against, loaded once per batch."""

    zones: dict[int, zoneinfo.ZoneInfo]
    offered: dict[int, set[int]]
    prefixes: dict[int, str]
    counters: dict[int, int]
    last_numbers: dict[tuple[int, dt.date, str], int]
    sequences: set[tuple[int, dt.date, str]]  # the days and prefixes that have a TicketSequence row
    days: dict[tuple[int, dt.date], tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)

    def local_day(self, kelurahan_id: int, date: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The office's local day as an instant range [start, end)."""
        key = (kelurahan_id, date)
        if key not in self.days:
            zone = self.zones[kelurahan_id]
            self.days[key] = (dt.datetime.combine(date, dt.time(0), zone),
                              dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), zone))
        return self.days[key]

    @classmethod
    def load(cls, rows: list[TicketRow]) -> "_Catalogue":
        kelurahan_ids = {row.kelurahan_id for row in rows}
        kelurahan = list(Kelurahan.objects.filter(pk__in=kelurahan_ids).select_related("kecamatan__city"))
        dates = [row.date for row in rows if isinstance(row.date, dt.date)]
        last_numbers: dict[tuple[int, dt.date, str], int] = {}
        sequences = set()
        if dates:
            window = {"kelurahan_id__in": kelurahan_ids, "date__range": (min(dates), max(dates))}
            for kel_id, date, prefix, last in TicketSequence.objects.filter(**window).values_list(
                    "kelurahan_id", "date", "prefix", "last_number"):
                last_numbers[(kel_id, date, prefix)] = last
                sequences.add((kel_id, date, prefix))
            for row in Ticket.objects.filter(**window).values("kelurahan_id", "date", "prefix").annotate(
                    last=Max("number")).order_by():
                key = (row["kelurahan_id"], row["date"], row["prefix"])
                last_numbers[key] = max(last_numbers.get(key, 0), row["last"])
        return cls(
            zones={k.pk: zoneinfo.ZoneInfo(k.kecamatan.city.timezone) for k in kelurahan},
            offered={k.pk: {service.pk for service, _req, _sla in service_catalogue_for(kelurahan=k)}
                     for k in kelurahan},
            prefixes=dict(Service.objects.filter(pk__in={row.service_id for row in rows}).values_list("pk", "prefix")),
            counters=dict(Counter.objects.filter(kelurahan_id__in=kelurahan_ids).values_list("pk", "kelurahan_id")),
            last_numbers=last_numbers, sequences=sequences,
        )


def _row_errors(row: TicketRow, catalogue: _Catalogue) -> list[str]:
    if row.kelurahan_id not in catalogue.zones:
        return [_("kelurahan %(id)s tidak dikenal") % {"id": row.kelurahan_id}]
    errors = []
    if row.service_id not in catalogue.offered[row.kelurahan_id]:
        errors.append(_("layanan %(id)s tidak tersedia di kelurahan ini") % {"id": row.service_id})
    elif row.prefix != catalogue.prefixes[row.service_id]:
        errors.append(_("awalan %(prefix)s bukan awalan layanannya (%(expected)s)")
                      % {"prefix": row.prefix, "expected": catalogue.prefixes[row.service_id]})
    if row.channel not in CHANNELS_KNOWN:
        errors.append(_("saluran %(channel)s tidak dikenal") % {"channel": row.channel})
    rule = STAMPS.get(row.status)
    if rule is None:
        return [*errors, _("status %(status)s tidak dikenal") % {"status": row.status}]
    stamps = (("issued_at", row.issued_at), ("called_at", row.called_at), ("serving_at", row.serving_at),
              ("finished_at", row.finished_at))
    present = [(name, value) for name, value in stamps if value is not None]
    if any(value.tzinfo is None for _name, value in present):
        return [*errors, _("waktu harus berzona waktu")]
    for (name, value), wanted in zip(stamps[1:], rule, strict=True):
        if wanted is not None and (value is not None) != wanted:
            errors.append(_("status %(status)s %(rule)s %(field)s")
                          % {"status": row.status, "rule": _("wajib berisi") if wanted else _("tidak boleh berisi"),
                             "field": name})
    for (before, earlier), (after, later) in itertools.pairwise(present):
        if later < earlier:
            errors.append(_("%(after)s sebelum %(before)s") % {"after": after, "before": before})
    day_start, day_end = catalogue.local_day(row.kelurahan_id, row.date)
    if not day_start <= row.issued_at < day_end:
        errors.append(_("tanggal %(date)s bukan tanggal lokal waktu ambil nomor") % {"date": row.date})
    if row.status != CANCELLED:  # a cancellation may come later; calling and serving only on the ticket's day
        errors += [_("%(field)s tidak pada hari tiket (tiket kemarin tidak dilayani hari ini)") % {"field": name}
                   for name, value in present[1:] if not day_start <= value < day_end]
    if row.called_at is not None and catalogue.counters.get(row.counter_id) != row.kelurahan_id:
        errors.append(_("tiket yang dipanggil harus menyebut loket kelurahan ini"))
    if row.scores is not None:
        if row.status != DONE:
            errors.append(_("penilaian hanya untuk tiket yang selesai"))
        if len(row.scores) != len(IKM_ELEMENTS) or not all(type(score) is int and 1 <= score <= 4
                                                           for score in row.scores):
            errors.append(_("penilaian harus berisi sembilan nilai 1–4"))
    return errors


def _numbering_errors(rows: list[TicketRow], catalogue: _Catalogue) -> list[tuple[int, str]]:
    """Per office, day and prefix the numbers continue the day's sequence, one by one in the order of issue."""
    groups: dict[tuple[int, dt.date, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[(row.kelurahan_id, row.date, row.prefix)].append(index)
    errors = []
    for key, indexes in groups.items():
        expected = catalogue.last_numbers.get(key, 0) + 1
        for index in sorted(indexes, key=lambda i: (rows[i].issued_at, rows[i].number)):
            if rows[index].number != expected:
                errors.append((index, _("nomor %(prefix)s-%(number)03d seharusnya %(prefix)s-%(expected)03d "
                                        "(urut menurut waktu ambil nomor, melanjutkan nomor hari itu)")
                               % {"prefix": rows[index].prefix, "number": rows[index].number,
                                  "expected": expected}))
            expected += 1
    return errors


def tickets_import(*, rows: list[TicketRow]) -> ImportResult:
    """Store past tickets (and their IKM ratings) in bulk, after checking every row. All or nothing: a batch
    with a wrong row is refused, with the first rows' reasons, and nothing is written."""
    if not rows:
        return ImportResult()
    with transaction.atomic():
        catalogue = _Catalogue.load(rows)
        errors = [(index, message) for index, row in enumerate(rows) for message in _row_errors(row, catalogue)]
        errors += _numbering_errors(rows, catalogue) if not errors else []
        if errors:
            shown = [_("Baris %(row)s: %(reason)s.") % {"row": index + 1, "reason": message}
                     for index, message in sorted(errors)[:MAX_ERRORS_SHOWN]]
            if len(errors) > MAX_ERRORS_SHOWN:
                shown.append(_("… dan %(n)s kesalahan lain.") % {"n": len(errors) - MAX_ERRORS_SHOWN})
            raise ValidationError(shown)
        try:
            _insert(Ticket, TICKET_COLUMNS, [_ticket_values(row) for row in rows])
            ids = _ticket_ids(rows)
            rated = [row for row in rows if row.scores]
            # The survey is filled in when the service ends: that is its time, not the import's.
            _insert(Rating, RATING_COLUMNS, [(ids[(row.kelurahan_id, row.date, row.prefix, row.number)],
                                              row.comment, row.finished_at, *row.scores) for row in rated])
            _sequences_advance(rows, catalogue)
            kelurahan_hours_refresh(days={(row.kelurahan_id, row.date) for row in rows})
        except IntegrityError as exc:
            raise ValidationError(_("Nomor tiket bentrok dengan tiket yang sudah ada: %(error)s") % {"error": exc}) \
                from None
    return ImportResult(tickets=len(rows), ratings=len(rated))


TICKET_COLUMNS = ("kelurahan", "service", "date", "prefix", "number", "status", "channel", "visitor_name",
                  "visitor_nik", "counter", "officer", "issued_at", "called_at", "serving_at", "finished_at", "token",
                  "issued_by_ip", "note")
RATING_COLUMNS = ("ticket", "comment", "created_at", *(code for code, _label in IKM_ELEMENTS))


def _ticket_values(row: TicketRow) -> tuple:
    return (row.kelurahan_id, row.service_id, row.date, row.prefix, row.number, str(row.status), str(row.channel), "",
            "", row.counter_id, None, row.issued_at, row.called_at, row.serving_at, row.finished_at, public_token(),
            None, row.note)


def _insert(model, columns: tuple[str, ...], values: list[tuple]) -> None:
    """Insert checked rows the fast way of each backend: COPY on PostgreSQL, one prepared INSERT run over the rows
    (executemany) on SQLite. Django's bulk_create binds at most 999 parameters a statement on SQLite and prepares
    every value through its field: about 90 µs a ticket, a minute for the demo year, against about 15 µs here.
    On SQLite dates and times go through Django's adapters, as the fields would send them; COPY adapts its own."""
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    table = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        adapters = [connection.ops.adapt_datetimefield_value if isinstance(f, DateTimeField)
                    else connection.ops.adapt_datefield_value if isinstance(f, DateField) else None for f in fields]
        sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(values), IMPORT_CHUNK):
            cursor.executemany(sql, [tuple(value if adapt is None or value is None else adapt(value)
                                           for adapt, value in zip(adapters, row, strict=True))
                                     for row in values[start:start + IMPORT_CHUNK]])


def _ticket_ids(rows: list[TicketRow]) -> dict[tuple[int, dt.date, str, int], int]:
    rated = [row for row in rows if row.scores]
    if not rated:
        return {}
    window = Ticket.objects.filter(kelurahan_id__in={row.kelurahan_id for row in rated},
                                   date__range=(min(row.date for row in rated), max(row.date for row in rated)))
    return {(kel_id, date, prefix, number): pk for kel_id, date, prefix, number, pk in window.values_list(
        "kelurahan_id", "date", "prefix", "number", "pk").iterator(chunk_size=IMPORT_CHUNK)}


def _sequences_advance(rows: list[TicketRow], catalogue: _Catalogue) -> None:
    """The desk's next number on an imported day continues after the imported ones."""
    last: dict[tuple[int, dt.date, str], int] = {}
    for row in rows:
        key = (row.kelurahan_id, row.date, row.prefix)
        last[key] = max(last.get(key, 0), row.number)
    _insert(TicketSequence, ("kelurahan", "date", "prefix", "last_number"),
            [(*key, number) for key, number in last.items() if key not in catalogue.sequences])
    for (kelurahan_id, date, prefix), number in last.items():
        if (kelurahan_id, date, prefix) in catalogue.sequences:
            TicketSequence.objects.filter(kelurahan_id=kelurahan_id, date=date, prefix=prefix).update(
                last_number=number)


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
               factor: float = 1.0) -> list[TicketRow]:
    """One office's tickets on one work day: arrivals, the first-come queue over its counters, outcomes."""
    rng = random.Random(f"{seed}/visits/{office.kelurahan.code}/{date.isoformat()}")
    zone = zoneinfo.ZoneInfo(office.kelurahan.kecamatan.city.timezone)
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
    # for the Friday prayer, longer); a third counter stays open through it.
    free_at = [OPEN_MINUTE + rng.uniform(0, 20) for _ in office.counters]
    breaks = [(-1.0, -1.0) if n == 2 else (rng.uniform(*BREAK_START[friday]), rng.uniform(*BREAK_END[friday]))
              for n in range(len(office.counters))]
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
    return rows


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
                        progress: Callable[[str], None] = lambda message: None) -> dict:
    """A history of `days` days up to `end_date` (the demo's reference date) for every kelurahan office of the city,
    through the standard catalogue, the desk's counters and `tickets_import`. Refuses a range that has tickets."""
    from satulayar.demo.generator import REFERENCE_DATE, indonesian_number

    end = end_date or REFERENCE_DATE
    start = end - dt.timedelta(days=days - 1)
    if Ticket.objects.filter(kelurahan__kecamatan__city=city, date__range=(start, end)).exists():
        raise ValidationError(_("Sudah ada tiket antrean %(city)s antara %(start)s dan %(end)s; riwayat demo hanya "
                                "diisi sekali.") % {"city": city, "start": start, "end": end})
    with transaction.atomic():
        services_seed_default(city=city)
        offices = offices_plan(city=city, seed=seed)
        calendar = work_days(city=city, start=start, end=end)
        result = ImportResult()
        for done, office in enumerate(offices, start=1):
            catalogue = {service.prefix: (service.pk, sla)
                         for service, _req, sla in service_catalogue_for(kelurahan=office.kelurahan)}
            rows = [row for date, factor in calendar
                    for row in office_day(office=office, date=date, services=catalogue, seed=seed, factor=factor)]
            imported = tickets_import(rows=rows)
            result.tickets += imported.tickets
            result.ratings += imported.ratings
            if done % 13 == 0 or done == len(offices):
                progress(f"[layanan] Riwayat kunjungan: {done}/{len(offices)} kelurahan, "
                         f"{indonesian_number(result.tickets)} tiket")
    return {"start": start, "end": end, "work_days": len(calendar), "kelurahan": len(offices),
            "tickets": result.tickets, "ratings": result.ratings,
            "overloaded": [office.kelurahan.name for office in offices if office.overloaded]}
