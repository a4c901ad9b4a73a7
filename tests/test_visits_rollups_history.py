"""The per-hour visit rollups give the numbers the tickets give, kept with every ticket write or rebuilt (on the
demo's kelurahan history, which is why this lives outside the visits app)."""

import datetime as dt
import zoneinfo
from collections import defaultdict

import pytest
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour

from satulayar.demo.visits_history import visits_history_seed
from satulayar.visits import selectors, services
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.models import KelurahanHour, Service, Ticket
from satulayar.visits.rollups import COUNTS, kelurahan_hours_rebuild
from satulayar.visits.selectors import SLA_BREACH, _resolved_sla

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
END = dt.date(2026, 11, 27)  # a Friday
START = END - dt.timedelta(days=9)


@pytest.fixture
def history(org):
    seeded = visits_history_seed(city=org.city, days=10, seed=7, end_date=END)
    assert seeded["tickets"] > 1000
    return seeded


def raw_counts(by: tuple[str, ...]) -> dict[tuple, dict]:
    """What ticket_counts answered before the rollups: the same query on the tickets themselves."""
    rows = (Ticket.objects.filter(date__range=(START, END)).alias(sla=_resolved_sla()).values(*by)
            .annotate(visits=Count("pk"), served=Count("pk", filter=Q(status=TicketStatus.DONE)),
                      no_shows=Count("pk", filter=Q(status=TicketStatus.NO_SHOW)),
                      cancelled=Count("pk", filter=Q(status=TicketStatus.CANCELLED)),
                      sla_breaches=Count("pk", filter=SLA_BREACH)).order_by())
    return {tuple(row.pop(name) for name in by): row for row in rows}


def rolled_up() -> dict[tuple, dict]:
    return {(r.kelurahan_id, r.date, r.hour, r.service_id): {name: getattr(r, name) for name in COUNTS}
            for r in KelurahanHour.objects.all()}


def test_range_counts_from_rollups_equal_the_tickets(history):
    every = list(Ticket.objects.values_list("kelurahan_id", flat=True).distinct())
    for by, fields in selectors.GROUPINGS.items():
        assert selectors.ticket_counts(kelurahan_ids=every, start=START, end=END, by=by) == raw_counts(fields)


def test_daily_hourly_and_heat_equal_the_tickets(history):
    every = list(Ticket.objects.values_list("kelurahan_id", flat=True).distinct())
    daily = defaultdict(int)
    hourly = defaultdict(int)
    for ticket in Ticket.objects.filter(date__range=(START, END)):
        daily[(ticket.kelurahan_id, ticket.date)] += 1
        hourly[(ticket.kelurahan_id, ticket.issued_at.astimezone(WITA).hour)] += 1
    from_rollups = defaultdict(int)
    for row in selectors.visits_daily(kelurahan_ids=every, start=START, end=END):
        from_rollups[(row["kelurahan_id"], row["date"])] += row["visits"]
    assert from_rollups == daily
    from_rollups = defaultdict(int)
    for row in selectors.visits_hourly(kelurahan_ids=every, start=START, end=END):
        from_rollups[(row["kelurahan_id"], row["hour"])] += row["visits"]
    assert from_rollups == hourly
    heat = defaultdict(int)
    for weekday, hour in (Ticket.objects.filter(date__range=(START, END))
                          .annotate(h=ExtractHour("issued_at", tzinfo=WITA)).values_list("date__iso_week_day", "h")):
        heat[(weekday, hour)] += 1
    assert selectors.visits_heat(kelurahan_ids=every, start=START, end=END) == heat


def test_mean_durations_kept_as_sums_match_the_tickets(history):
    totals = defaultdict(int)
    for row in KelurahanHour.objects.all():
        totals["wait_count"] += row.wait_count
        totals["wait_ms"] += row.wait_ms
    waited = Ticket.objects.filter(called_at__isnull=False)
    assert totals["wait_count"] == waited.count()
    assert waited.filter(transfers__gt=0).exists()  # their wait runs from joining the last service's queue
    exact_ms = sum(round((t.called_at - t.queued_at).total_seconds() * 1000) for t in waited)
    assert abs(totals["wait_ms"] - exact_ms) <= waited.count()  # each timestamp rounded to the millisecond


def test_every_desk_action_keeps_the_hour_then_a_rebuild_agrees(org, personas):
    kelurahan = org.kuin
    from satulayar.visits.catalogue import services_seed_default

    services_seed_default(city=org.city)
    service = Service.objects.get(code="pengantar-ktp-el")
    counter = services.counter_ensure(actor=None, kelurahan=kelurahan, number=1)
    now = dt.datetime(2026, 11, 30, 8, 5, tzinfo=WITA)
    first = services.ticket_issue(kelurahan=kelurahan, service=service, channel=TicketChannel.DESK, now=now)
    second = services.ticket_issue(kelurahan=kelurahan, service=service, channel=TicketChannel.ONLINE, now=now)
    key = (kelurahan.pk, now.date(), 8, service.pk)
    assert (rolled_up()[key]["issued"], rolled_up()[key]["open"]) == (2, 2)
    officer = personas.lurah_kuin_cerucuk
    services.ticket_call_next(actor=officer, kelurahan=kelurahan, counter=counter, now=now + dt.timedelta(minutes=4))
    services.ticket_start(actor=officer, ticket=first, now=now + dt.timedelta(minutes=5))
    services.ticket_finish(actor=officer, ticket=first, now=now + dt.timedelta(minutes=25))
    services.ticket_cancel(actor=officer, ticket=second, now=now + dt.timedelta(minutes=30))
    row = rolled_up()[key]
    assert (row["served"], row["cancelled"], row["open"], row["wait_count"], row["wait_ms"]) == (1, 1, 0, 1, 240_000)
    assert (row["service_count"], row["service_ms"], row["sla_breaches"]) == (1, 1_200_000, 1)
    kept = rolled_up()
    kelurahan_hours_rebuild(start=now.date(), end=now.date())
    assert rolled_up() == kept
