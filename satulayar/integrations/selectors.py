"""Reads of the integration hub, for its pages, the dashboard, the open-data page and the alerts.

Periods: `period` is the start of the indicator's period in the city's zone — a date for daily and monthly
indicators, an aware datetime (city zone) for hourly ones.
"""

import datetime as dt
import zoneinfo

from django.db.models import Count, Max, Q
from django.utils import timezone

from satulayar.integrations.access import indicators_for
from satulayar.integrations.choices import ConnectorKind, Granularity, Health
from satulayar.integrations.models import Connector, Indicator, IndicatorValue
from satulayar.integrations.runs import connector_health

SERIES_POINTS = 14


def _zone(city) -> zoneinfo.ZoneInfo:
    return city.zone


def period_local(period: dt.datetime, granularity: str, zone) -> dt.date | dt.datetime:
    local = period.astimezone(zone)
    return local if granularity == Granularity.HOUR else local.date()


def connectors_health(*, city, now: dt.datetime | None = None) -> list[dict]:
    """Every connector of the city with its health: fresh, stale or failing."""
    now = now or timezone.now()
    rows = []
    for connector in Connector.objects.filter(city=city).select_related("department").order_by("name"):
        rows.append({"id": connector.pk, "name": connector.name, "department": connector.department.name,
                     "kind": connector.kind, "health": connector_health(connector, now=now),
                     "last_success_at": connector.last_success_at, "last_error": connector.last_error,
                     "active": connector.active})
    return rows


def _indicator_health(indicator: Indicator, connectors: list[Connector], now: dt.datetime) -> str:
    """The worst health among the connectors feeding the indicator; stale when none feeds it."""
    feeding = [c for c in connectors if any(p["indicator"] == indicator.code for p in (c.mapping or {}).get(
        "values", []))]
    if not feeding:
        return Health.STALE
    states = {connector_health(c, now=now) for c in feeding}
    for state in (Health.FAILING, Health.STALE):
        if state in states:
            return state
    return Health.FRESH


def indicator_series(*, indicator: Indicator, points: int = SERIES_POINTS) -> list[tuple]:
    """The last `points` periods, each the indicator's aggregation over its dimensions (sum of kelurahan, …)."""
    zone = _zone(indicator.city)
    periods = list(IndicatorValue.objects.filter(indicator=indicator).values_list("period", flat=True)
                   .distinct().order_by("-period")[:points])
    if not periods:
        return []
    by_period: dict[dt.datetime, list[float]] = {}
    for period, value in IndicatorValue.objects.filter(indicator=indicator, period__in=periods).values_list(
            "period", "value"):
        by_period.setdefault(period, []).append(value)
    series = []
    for period in sorted(by_period):
        series.append((period_local(period, indicator.granularity, zone),
                       _aggregate(indicator.aggregation, by_period[period])))
    return series


def _aggregate(how: str, numbers: list[float]) -> float:
    if how == "avg":
        return round(sum(numbers) / len(numbers), 4)
    if how == "max":
        return max(numbers)
    if how == "min":
        return min(numbers)
    if how == "last":
        return numbers[-1]
    return round(sum(numbers), 4)


def indicators_latest(*, user, city, public_only: bool = False, now: dt.datetime | None = None) -> list[dict]:
    """Each indicator the user may see with its latest value (over all dimensions), health and recent series."""
    now = now or timezone.now()
    indicators = (Indicator.objects.filter(city=city, public=True) if public_only or user is None
                  else indicators_for(user, city=city).filter(city=city))
    connectors = list(Connector.objects.filter(city=city, active=True)) if not public_only else []
    rows = []
    for indicator in indicators.select_related("owner", "city").annotate(updated=Max("values__updated_at")):
        series = indicator_series(indicator=indicator)
        rows.append({
            "id": indicator.pk, "code": indicator.code, "name": indicator.name,
            "unit": indicator.unit_of_measure, "owner": indicator.owner.name,
            "value": series[-1][1] if series else None, "period": series[-1][0] if series else None,
            "updated_at": indicator.updated, "series": series, "public": indicator.public,
            "health": (_indicator_health(indicator, connectors, now) if not public_only
                       else _public_health(indicator, now)),
        })
    return rows


def _public_health(indicator: Indicator, now: dt.datetime) -> str:
    from satulayar.integrations.choices import UpdateFrequency

    updated = getattr(indicator, "updated", None)
    limit = dt.timedelta(minutes=UpdateFrequency(indicator.update_frequency).stale_after_minutes)
    return Health.FRESH if updated and now - updated <= limit else Health.STALE


def public_indicator_values(*, city, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Every value of the public indicators (optionally of periods from `start` to `end`, city dates)."""
    zone = _zone(city)
    values = IndicatorValue.objects.filter(indicator__city=city, indicator__public=True)
    if start:
        values = values.filter(period__gte=dt.datetime.combine(start, dt.time(), zone))
    if end:
        values = values.filter(period__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))
    rows = []
    for value in values.select_related("indicator").order_by("indicator__code", "period", "dimension"):
        indicator = value.indicator
        rows.append({"code": indicator.code, "name": indicator.name, "unit": indicator.unit_of_measure,
                     "period": period_local(value.period, indicator.granularity, zone),
                     "dimension": value.dimension_label, "dimension_key": value.dimension, "value": value.value})
    return rows


def catalogue(*, user, city, query: str = "", now: dt.datetime | None = None) -> dict:
    """The data catalogue: datasets (connectors) and indicators with owner, frequency, last update, licence and
    description; searchable. Who may not view the hub sees the public indicators only, and no datasets."""
    now = now or timezone.now()
    indicators = indicators_for(user, city=city).filter(city=city).select_related("owner").annotate(
        updated=Max("values__updated_at"), value_count=Count("values"))
    datasets = Connector.objects.none()
    from satulayar.integrations.access import can_view

    if can_view(user):
        datasets = Connector.objects.filter(city=city).select_related("department")
    if query:
        words = Q()
        for word in query.split():
            words &= (Q(name__icontains=word) | Q(description__icontains=word) | Q(code__icontains=word)
                      | Q(owner__name__icontains=word) | Q(owner__short_name__icontains=word))
        indicators = indicators.filter(words)
        dataset_words = Q()
        for word in query.split():
            dataset_words &= (Q(name__icontains=word) | Q(description__icontains=word)
                              | Q(department__name__icontains=word) | Q(department__short_name__icontains=word))
        datasets = datasets.filter(dataset_words)
    connectors = list(Connector.objects.filter(city=city, active=True))
    indicator_rows = [{"indicator": i, "health": _indicator_health(i, connectors, now) if can_view(user)
                       else _public_health(i, now)} for i in indicators]
    dataset_rows = [{"connector": c, "health": connector_health(c, now=now), "kind": ConnectorKind(c.kind)}
                    for c in datasets]
    return {"indicators": indicator_rows, "datasets": dataset_rows}
