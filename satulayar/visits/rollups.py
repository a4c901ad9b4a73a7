"""Visits per kelurahan per local hour and service (`KelurahanHour`), from the tickets, with the definitions of
`visits.selectors` (served, no-show, waiting and service time, target-time breach).

`kelurahan_hours_refresh` recomputes whole office days (a day has a few dozen tickets): every ticket write calls
it for its day, inside the same transaction, so the rollup never lags the queue. A target-time breach is judged
against the target in force when the day was rolled up; `satulayar rollups_rebuild` re-judges a range.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour

from satulayar.core.periods import month_spans
from satulayar.core.rollups import rollup_register
from satulayar.core.time import zone_named
from satulayar.org.models import Kelurahan
from satulayar.visits.choices import OPEN_STATUSES, TicketStatus
from satulayar.visits.models import KelurahanHour, Ticket
from satulayar.visits.selectors import MEASURES, SLA_BREACH, _resolved_sla, milliseconds_between

DATES_PER_QUERY = 60
COUNTS = ("issued", "served", "no_shows", "cancelled", "open", "sla_breaches", "wait_count", "wait_ms",
          "service_count", "service_ms")


def _aggregates() -> dict:
    (wait_from, wait_to, waited), (served_from, served_to, served) = MEASURES["wait"], MEASURES["service"]
    return dict(
        issued=Count("pk"), served=Count("pk", filter=Q(status=TicketStatus.DONE)),
        no_shows=Count("pk", filter=Q(status=TicketStatus.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=TicketStatus.CANCELLED)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)), sla_breaches=Count("pk", filter=SLA_BREACH),
        wait_count=Count("pk", filter=waited),
        wait_ms=Sum(milliseconds_between(wait_from, wait_to), filter=waited, default=0),
        service_count=Count("pk", filter=served),
        service_ms=Sum(milliseconds_between(served_from, served_to), filter=served, default=0))


def _compute(tickets, zones: dict[str, list[int]]) -> list[KelurahanHour]:
    rows = []
    for zone, ids in zones.items():
        grouped = (tickets.filter(kelurahan_id__in=ids).alias(sla=_resolved_sla())
                   .annotate(hour=ExtractHour("issued_at", tzinfo=zone_named(zone)))
                   .values("kelurahan_id", "date", "hour", "service_id").annotate(**_aggregates()).order_by())
        rows += [KelurahanHour(**row) for row in grouped]
    return rows


def _zones(ids: Iterable[int] | None = None) -> dict[str, list[int]]:
    kelurahan = Kelurahan.objects.all() if ids is None else Kelurahan.objects.filter(pk__in=set(ids))
    zones: dict[str, list[int]] = defaultdict(list)
    for pk, zone in kelurahan.values_list("pk", "kecamatan__city__timezone"):
        zones[zone].append(pk)
    return zones


def _upsert(rows: list[KelurahanHour]) -> None:
    KelurahanHour.objects.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                      unique_fields=["kelurahan", "date", "hour", "service"], update_fields=COUNTS)


def kelurahan_hours_refresh(*, days: Iterable[tuple[int, dt.date]], zone: str | None = None) -> int:
    """Recompute the rollups of those (kelurahan id, local date) office days. `zone` (their one time zone) saves
    a query. A ticket never changes its day, hour or service, so an upsert is enough: no group disappears."""
    by_date: dict[dt.date, set[int]] = defaultdict(set)
    for kelurahan_id, date in days:
        by_date[date].add(kelurahan_id)
    if not by_date:
        return 0
    ids = set().union(*by_date.values())
    zones = {zone: sorted(ids)} if zone else _zones(ids)
    dates, written = sorted(by_date), 0
    for start in range(0, len(dates), DATES_PER_QUERY):  # an import may bring a year: keep the SQL short
        where = Q(pk__in=[])
        for date in dates[start:start + DATES_PER_QUERY]:
            where |= Q(date=date, kelurahan_id__in=by_date[date])
        rows = _compute(Ticket.objects.filter(where), zones)
        _upsert(rows)
        written += len(rows)
    return written


def kelurahan_hours_rebuild(*, start: dt.date, end: dt.date, city_id: int | None = None) -> int:
    """Recompute every office day of [start, end] (of one city if given), a month at a time."""
    ids = None if city_id is None else list(Kelurahan.objects.filter(kecamatan__city_id=city_id)
                                            .values_list("pk", flat=True))
    zones = _zones(ids)
    written = 0
    for first, last in month_spans(start, end):
        tickets = Ticket.objects.filter(date__range=(first, last))
        stale = KelurahanHour.objects.filter(date__range=(first, last))
        if ids is not None:
            tickets, stale = tickets.filter(kelurahan_id__in=ids), stale.filter(kelurahan_id__in=ids)
        rows = _compute(tickets, zones)
        with transaction.atomic():
            stale.delete()
            KelurahanHour.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    return written


# `satulayar rollups_rebuild` asks every app to rebuild its own.
rollup_register(label="kunjungan per kelurahan per jam", model=Ticket, rebuild=kelurahan_hours_rebuild)
