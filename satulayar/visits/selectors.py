"""What the kelurahan front offices did: visits, waiting and service times, target-time breaches, no-shows, IKM.

Every function takes a date range (the offices' local dates, both ends included) and `kelurahan_ids` that the
caller has already scoped (`access.kelurahan_for_metrics(user)`, a queryset or ids). Counts over a range (visits,
served, no-shows, cancelled, target-time breaches, per day, hour or weekday) are sums of the per-hour rollups
(`visits.rollups`, kept with every ticket write), so they cost offices × days × hours, not tickets. Percentiles
and IKM are not additive: they are computed in the database from the range's tickets and ratings (indexed by
kelurahan and date), two rows per group come back for the percentiles, whatever the number of tickets.

Definitions (the same on SQLite and PostgreSQL):

* visit: an issued ticket (any status); served: a ticket whose service was finished (status done).
* waiting time: called_at - queued_at, over every ticket that was called (served, no-show, or still at a counter);
  queued_at is the issue time, or for a transferred ticket the moment it joined its last service's queue (the
  earlier steps' times are in `TicketStep`).
* service time: finished_at - serving_at, over served tickets. Durations are whole milliseconds, each timestamp
  rounded to the millisecond by the database (SQLite's date functions keep no more), so both backends see the same
  numbers; a year of demo tickets gives identical metrics on both.
* median and p90: linear interpolation between the two nearest ranks (PostgreSQL's percentile_cont, numpy's
  default): over the n sorted values x[0..n-1], h = (n - 1) * p and the value is
  x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]). The median of 4, 6, 8, 30 is therefore 7.
* target-time (SLA) breach: a served ticket whose service time exceeded the service's target time as this
  kelurahan resolves it (its override, else the city catalogue). Waiting is measured separately.
* IKM (Permenpan RB No. 14 Tahun 2017): the mean score (1–4) of each of the nine elements over the respondents,
  each weighted 1/9, summed, times 25: IKM = 25 x (sum of the nine element means) / 9, from 25 to 100. The
  regulation's worked example rounds the weight to 0.111 (which would cap the index at 99.9); the exact 1/9 is
  used here. Categories: A 88.31–100 Sangat baik, B 76.61–88.30 Baik, C 65.00–76.60 Kurang baik,
  D 25.00–64.99 Tidak baik, on the index rounded half-up to two decimals.
"""

import datetime as dt
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Count, F, Func, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, ExtractIsoWeekDay, RowNumber
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.core.time import zone_named
from satulayar.org.models import Kelurahan
from satulayar.visits.choices import IKM_ELEMENTS, BookingStatus, TicketResult, TicketStatus
from satulayar.visits.models import Booking, KelurahanHour, Rating, ServiceOverride, Ticket

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30
MEDIAN, P90 = Fraction(1, 2), Fraction(9, 10)
GROUPINGS = {"kelurahan": ("kelurahan_id",), "service": ("service_id",),
             "kelurahan_service": ("kelurahan_id", "service_id")}
IKM_GRADES = (  # (lowest index, grade, label, Tabler colour)
    (Decimal("88.31"), "A", gettext_lazy("Sangat baik"), "green"),
    (Decimal("76.61"), "B", gettext_lazy("Baik"), "blue"),
    (Decimal("65.00"), "C", gettext_lazy("Kurang baik"), "orange"),
    (Decimal("25.00"), "D", gettext_lazy("Tidak baik"), "red"),
)
MEASURES = {  # (from, to, which tickets)
    "wait": ("queued_at", "called_at", Q(called_at__isnull=False)),
    "service": ("serving_at", "finished_at",
                Q(status=TicketStatus.DONE, serving_at__isnull=False, finished_at__isnull=False)),
}


# --- the range and the kelurahan ---------------------------------------------------------------------------------


def default_range(*, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 30 days, today included."""
    return today - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def range_check(*, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if start > end:
        raise ValidationError({"start": _("Tanggal mulai harus sebelum atau sama dengan tanggal akhir.")})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError({"end": _("Rentang paling panjang %(days)s hari.") % {"days": MAX_RANGE_DAYS}})
    return start, end


def _ids(kelurahan_ids: QuerySet | Iterable[int]) -> list[int]:
    if isinstance(kelurahan_ids, QuerySet):
        return list(kelurahan_ids.values_list("pk", flat=True))
    return sorted({int(pk) for pk in kelurahan_ids})


def _zones(ids: list[int]) -> dict[str, list[int]]:
    """The kelurahan grouped by their city's time zone (hours and 'today' are local)."""
    zones: dict[str, list[int]] = defaultdict(list)
    for pk, tz in Kelurahan.objects.filter(pk__in=ids).values_list("pk", "kecamatan__city__timezone"):
        zones[tz].append(pk)
    return zones


def _tickets(ids: list[int], start: dt.date, end: dt.date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(kelurahan_id__in=ids, date__range=(start, end))


# --- durations and percentiles ------------------------------------------------------------------------------------


class EpochMilliseconds(Func):
    """A timestamp as whole milliseconds since 1970 (UTC), computed by the database itself.

    Durations are differences of these integers: native arithmetic on both backends (Django's own datetime
    subtraction calls back into Python for every row on SQLite, ten times slower over a year of tickets).
    SQLite's date functions keep milliseconds, so both backends measure to the millisecond.
    """

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra,
                           template="CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400000) AS INTEGER)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra,
                           template="CAST(ROUND(EXTRACT(EPOCH FROM %(expressions)s) * 1000) AS BIGINT)")


def milliseconds_between(start: str, end: str):
    return EpochMilliseconds(end) - EpochMilliseconds(start)


def percentile(values: Iterable[float], p: Fraction) -> float | None:
    """Linear interpolation between the nearest ranks of the sorted values (see the module's docstring)."""
    ordered = sorted(values)
    return _interpolate(dict(enumerate(ordered)), len(ordered), p) if ordered else None


@dataclass(frozen=True)
class DurationStats:
    count: int = 0
    median_s: float | None = None
    p90_s: float | None = None

    @property
    def median_min(self) -> float | None:
        return None if self.median_s is None else self.median_s / 60

    @property
    def p90_min(self) -> float | None:
        return None if self.p90_s is None else self.p90_s / 60


def _near_rank(p: Fraction) -> Q:
    """Rows whose 0-based rank is floor(h) or floor(h) + 1 with h = p(n - 1), in integers:
    rn - 1 > h - 1 and rn - 1 <= h + 1, times p's denominator."""
    num, den = p.numerator, p.denominator
    return Q(GreaterThan(F("rn") * den, F("n") * num - num)) & Q(LessThanOrEqual(F("rn") * den,
                                                                                 F("n") * num - num + 2 * den))


def duration_stats(*, kelurahan_ids, start: dt.date, end: dt.date, measure: str,
                   by: str = "kelurahan") -> dict[tuple, DurationStats]:
    """Median and p90 of waiting ("wait") or service ("service") time, in seconds, per group of `by`.

    The database ranks each group's durations with window functions and returns only the rows around the
    two percentiles; the interpolation between them is exact (fractions), so SQLite and PostgreSQL agree.
    """
    ids, fields = _ids(kelurahan_ids), GROUPINGS[by]
    since, until, condition = MEASURES[measure]
    partition = [F(name) for name in fields]
    ranked = (_tickets(ids, start, end).filter(condition)
              .annotate(d=milliseconds_between(since, until))
              .annotate(n=Window(Count("pk"), partition_by=partition),
                        rn=Window(RowNumber(), partition_by=partition, order_by=[F("d").asc(), F("pk").asc()]))
              .filter(_near_rank(MEDIAN) | _near_rank(P90))
              .values_list(*fields, "n", "rn", "d"))
    rows: dict[tuple, dict[int, float]] = defaultdict(dict)
    sizes: dict[tuple, int] = {}
    for *key, n, rn, milliseconds in ranked:
        rows[tuple(key)][rn - 1] = Fraction(milliseconds, 1000)
        sizes[tuple(key)] = n
    return {key: DurationStats(count=sizes[key], median_s=_interpolate(values, sizes[key], MEDIAN),
                               p90_s=_interpolate(values, sizes[key], P90))
            for key, values in rows.items()}


def _interpolate(near: dict[int, Fraction | float], n: int, p: Fraction) -> float:
    h = p * (n - 1)
    lo = h.numerator // h.denominator
    if lo + 1 >= n:
        return float(near[lo])
    return float(Fraction(near[lo]) + (h - lo) * (Fraction(near[lo + 1]) - Fraction(near[lo])))


# --- IKM -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ikm:
    respondents: int = 0
    element_means: tuple[float, ...] = ()
    index: Decimal | None = None  # 25–100, two decimals

    @property
    def grade(self) -> str | None:
        return ikm_grade(self.index)[0] if self.index is not None else None

    @property
    def label(self) -> str:
        return str(ikm_grade(self.index)[1]) if self.index is not None else ""

    @property
    def colour(self) -> str:
        return ikm_grade(self.index)[2] if self.index is not None else "secondary"


def ikm_index(*, element_sums: Iterable[int], respondents: int) -> Decimal | None:
    """25 x (sum of the nine element means) / 9 = 25 x (all scores) / (9 x respondents), rounded half-up."""
    if not respondents:
        return None
    exact = Fraction(25 * sum(element_sums), 9 * respondents)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def ikm_grade(index: Decimal) -> tuple[str, str, str]:
    """(grade, label, colour) of an IKM index: A Sangat baik … D Tidak baik."""
    for lowest, grade, label, colour in IKM_GRADES:
        if index >= lowest:
            return grade, label, colour
    return IKM_GRADES[-1][1], IKM_GRADES[-1][2], IKM_GRADES[-1][3]


def ikm_by(*, kelurahan_ids, start: dt.date, end: dt.date, by: str = "kelurahan") -> dict[tuple, Ikm]:
    """The IKM of the ratings given to the range's tickets, per group of `by`."""
    ids, fields = _ids(kelurahan_ids), [f"ticket__{name}" for name in GROUPINGS[by]]
    codes = [code for code, _label in IKM_ELEMENTS]
    rows = (Rating.objects.filter(ticket__kelurahan_id__in=ids, ticket__date__range=(start, end))
            .values(*fields).annotate(respondents=Count("pk"), **{code: Sum(code) for code in codes})
            .order_by())
    result = {}
    for row in rows:
        n, sums = row["respondents"], [row[code] for code in codes]
        result[tuple(row[name] for name in fields)] = Ikm(
            respondents=n, element_means=tuple(s / n for s in sums), index=ikm_index(element_sums=sums, respondents=n))
    return result


# --- counts ---------------------------------------------------------------------------------------------------------


def _resolved_sla():
    """The target minutes of each ticket's service at its kelurahan: the override's, else the catalogue's."""
    override = (ServiceOverride.objects.filter(kelurahan_id=OuterRef("kelurahan_id"), service_id=OuterRef("service_id"),
                                               sla_minutes__gt=0).values("sla_minutes")[:1])
    return Coalesce(Subquery(override), F("service__sla_minutes"))


SLA_BREACH = Q(Q(status=TicketStatus.DONE, serving_at__isnull=False, finished_at__isnull=False)
               & Q(GreaterThan(milliseconds_between("serving_at", "finished_at"), F("sla") * 60_000)))


def _hours(ids: list[int], start: dt.date, end: dt.date) -> QuerySet[KelurahanHour]:
    return KelurahanHour.objects.filter(kelurahan_id__in=ids, date__range=(start, end))


def ticket_counts(*, kelurahan_ids, start: dt.date, end: dt.date, by: str = "kelurahan") -> dict[tuple, dict]:
    """visits, served, no_shows, cancelled and sla_breaches per group of `by`, in one query over the rollups."""
    ids, fields = _ids(kelurahan_ids), GROUPINGS[by]
    rows = (_hours(ids, start, end).values(*fields)
            .annotate(visits=Sum("issued"), served=Sum("served"), no_shows=Sum("no_shows"),
                      cancelled=Sum("cancelled"), sla_breaches=Sum("sla_breaches"))
            .order_by())
    return {tuple(row.pop(name) for name in fields): row for row in rows}


@dataclass
class VisitMetrics:
    """One kelurahan's (or service's) numbers over a range."""

    kelurahan_id: int | None = None
    service_id: int | None = None
    visits: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    sla_breaches: int = 0
    wait: DurationStats = field(default_factory=DurationStats)
    service: DurationStats = field(default_factory=DurationStats)
    ikm: Ikm = field(default_factory=Ikm)

    @property
    def sla_breach_pct(self) -> float | None:
        return 100 * self.sla_breaches / self.served if self.served else None

    @property
    def no_show_pct(self) -> float | None:
        return 100 * self.no_shows / self.visits if self.visits else None


def visit_metrics(*, kelurahan_ids, start: dt.date, end: dt.date, by: str = "kelurahan") -> list[VisitMetrics]:
    """Everything the report table shows, per kelurahan (or service, or both) that had visits; five queries."""
    ids, fields = _ids(kelurahan_ids), GROUPINGS[by]
    args = {"kelurahan_ids": ids, "start": start, "end": end, "by": by}
    counts = ticket_counts(**args)
    waits = duration_stats(measure="wait", **args)
    services = duration_stats(measure="service", **args)
    ikm = ikm_by(**args)
    metrics = []
    for key in sorted(counts):
        metrics.append(VisitMetrics(**dict(zip(fields, key, strict=True)), **counts[key],
                                    wait=waits.get(key, DurationStats()), service=services.get(key, DurationStats()),
                                    ikm=ikm.get(key, Ikm())))
    return metrics


def visits_daily(*, kelurahan_ids, start: dt.date, end: dt.date) -> list[dict]:
    """{kelurahan_id, date, service_id, visits, served} per kelurahan, local day and service."""
    return list(_hours(_ids(kelurahan_ids), start, end).values("kelurahan_id", "date", "service_id")
                .annotate(visits=Sum("issued"), served=Sum("served"))
                .order_by("kelurahan_id", "date", "service_id"))


def visits_hourly(*, kelurahan_ids, start: dt.date, end: dt.date) -> list[dict]:
    """{kelurahan_id, hour, service_id, visits, served} per kelurahan, local hour of issue (0–23) and service."""
    return list(_hours(_ids(kelurahan_ids), start, end).values("kelurahan_id", "hour", "service_id")
                .annotate(visits=Sum("issued"), served=Sum("served"))
                .order_by("kelurahan_id", "hour", "service_id"))


def visits_heat(*, kelurahan_ids, start: dt.date, end: dt.date) -> dict[tuple[int, int], int]:
    """{(ISO weekday 1–7, local hour): visits} over the given kelurahan (the report passes one)."""
    return {(weekday, hour): visits for weekday, hour, visits in (
        _hours(_ids(kelurahan_ids), start, end).annotate(weekday=ExtractIsoWeekDay("date"))
        .values("weekday", "hour").annotate(visits=Sum("issued")).values_list("weekday", "hour", "visits")
        .order_by())}


# --- the front desk: priority, transfers, outcomes ---------------------------------------------------------------


@dataclass
class DeskFigures:
    """What the desk did beyond the counts: priority tickets, transfers and what the finished visits produced."""

    priority: int = 0
    transferred: int = 0
    produced: int = 0
    missing_papers: int = 0
    referred: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome name: tickets

    @property
    def recorded(self) -> int:
        return self.produced + self.missing_papers + self.referred

    @property
    def missing_pct(self) -> float | None:
        """The share of recorded visits turned away for missing papers."""
        return 100 * self.missing_papers / self.recorded if self.recorded else None


def desk_figures(*, kelurahan_ids, start: dt.date, end: dt.date, by: str = "kelurahan",
                 outcomes: bool = True) -> dict[tuple, DeskFigures]:
    """Per group of `by`: priority tickets, transferred tickets, results recorded on finish and (with `outcomes`)
    the tickets of each outcome."""
    ids, fields = _ids(kelurahan_ids), GROUPINGS[by]
    rows = (_tickets(ids, start, end).values(*fields).annotate(
        priority=Count("pk", filter=~Q(priority="")), transferred=Count("pk", filter=Q(transfers__gt=0)),
        produced=Count("pk", filter=Q(result=TicketResult.PRODUCED)),
        missing_papers=Count("pk", filter=Q(result=TicketResult.MISSING_PAPERS)),
        referred=Count("pk", filter=Q(result=TicketResult.REFERRED))).order_by())
    found = {tuple(row.pop(name) for name in fields): DeskFigures(**row) for row in rows}
    if not outcomes:
        return found
    for row in (_tickets(ids, start, end).filter(outcome__isnull=False).values(*fields, "outcome__name")
                .annotate(n=Count("pk")).order_by()):
        key = tuple(row[name] for name in fields)
        found.setdefault(key, DeskFigures()).outcomes[row["outcome__name"]] = row["n"]
    return found


@dataclass
class DeskToday:
    figures: DeskFigures
    bookings: dict


def desk_today(*, kelurahan_ids, date: dt.date, now: dt.datetime | None = None) -> DeskToday:
    """The one screen's line on the desks: the day's priority, transfers, results and bookings, all offices."""
    ids = _ids(kelurahan_ids)
    total = DeskFigures()
    for part in desk_figures(kelurahan_ids=ids, start=date, end=date, outcomes=False).values():
        for name in ("priority", "transferred", "produced", "missing_papers", "referred"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
    booked: dict = {}
    for tally in booking_counts(kelurahan_ids=ids, start=date, end=date, now=now).values():
        for name, n in tally.items():
            booked[name] = booked.get(name, 0) + n
    return DeskToday(total, booked)


# --- the queue now ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueNow:
    kelurahan_id: int
    waiting: int = 0
    at_counter: int = 0  # called or being served
    done_today: int = 0
    oldest_issued_at: dt.datetime | None = None
    longest_wait_s: float | None = None


def queue_now(*, kelurahan_ids, now: dt.datetime | None = None) -> list[QueueNow]:
    """Per kelurahan, today (its local day): how many wait, and how long the longest has waited."""
    now = now or timezone.now()
    found = {}
    for tz, ids in _zones(_ids(kelurahan_ids)).items():
        today = timezone.localtime(now, zone_named(tz)).date()
        for row in (Ticket.objects.filter(kelurahan_id__in=ids, date=today).values("kelurahan_id")
                    .annotate(waiting=Count("pk", filter=Q(status=TicketStatus.WAITING)),
                              at_counter=Count("pk", filter=Q(status__in=(TicketStatus.CALLED, TicketStatus.SERVING))),
                              done_today=Count("pk", filter=Q(status=TicketStatus.DONE)),
                              oldest_issued_at=Min("issued_at", filter=Q(status=TicketStatus.WAITING)))
                    .order_by()):
            oldest = row["oldest_issued_at"]
            found[row["kelurahan_id"]] = QueueNow(
                **row, longest_wait_s=max(0.0, (now - oldest).total_seconds()) if oldest else None)
    return [found.get(pk, QueueNow(kelurahan_id=pk)) for pk in _ids(kelurahan_ids)]


# --- bookings ---------------------------------------------------------------------------------------------------------


def _slot_end(booking: Booking, zone) -> dt.datetime:
    return dt.datetime.combine(booking.date, dt.time(booking.hour), zone) + dt.timedelta(hours=1)


def is_no_show(booking: Booking, now: dt.datetime) -> bool:
    return (booking.status == BookingStatus.BOOKED
            and now >= _slot_end(booking, booking.kelurahan.kecamatan.city.zone))


def booking_counts(*, kelurahan_ids, start: dt.date, end: dt.date, now: dt.datetime | None = None,
                   by: str = "kelurahan") -> dict[tuple, Tally]:
    """Per kelurahan (or (kelurahan, service)): booked (all), checked_in, no_show, cancelled and open (still to
    come) over a date range."""
    now = now or timezone.now()
    found: dict[tuple, Tally] = {}
    rows = (Booking.objects.filter(kelurahan_id__in=list(kelurahan_ids), date__range=(start, end))
            .select_related("kelurahan__kecamatan__city"))
    for booking in rows:
        key = (booking.kelurahan_id,) if by == "kelurahan" else (booking.kelurahan_id, booking.service_id)
        tally = found.setdefault(key, Tally())
        tally["booked"] += 1
        state = "open" if booking.status == BookingStatus.BOOKED else booking.status
        tally["no_show" if is_no_show(booking, now) else state] += 1
    return found
