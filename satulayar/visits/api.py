"""The visit numbers for the dashboard and other systems: metrics per kelurahan, the catalogue, the queue now.

Session login like the rest of the API (anonymous: 401). Everything is limited to the kelurahan the caller may
read (`kelurahan_for_metrics`): a kelurahan outside answers 404, a caller without any gets empty lists.
Durations are in seconds (median and p90, linear interpolation; see `selectors`).
"""

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema

from satulayar.org import access
from satulayar.visits import selectors
from satulayar.visits.access import kelurahan_for_metrics
from satulayar.visits.catalogue import service_catalogue_for
from satulayar.visits.models import Service

router = Router(tags=["layanan kelurahan"])


class RangeIn(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


class DurationOut(Schema):
    count: int
    median_s: float | None
    p90_s: float | None


class IkmOut(Schema):
    respondents: int
    index: float | None  # 25–100, two decimals
    grade: str | None
    label: str
    element_means: list[float]


class MetricsOut(Schema):
    visits: int
    served: int
    no_shows: int
    cancelled: int
    sla_breaches: int
    sla_breach_pct: float | None
    wait: DurationOut
    service: DurationOut
    ikm: IkmOut


class KelurahanMetricsOut(MetricsOut):
    kelurahan_id: int
    code: str
    name: str


class ServiceMetricsOut(MetricsOut):
    service_id: int
    prefix: str
    name: str


class DailyOut(Schema):
    date: dt.date
    service_id: int
    visits: int
    served: int


class HourlyOut(Schema):
    hour: int
    service_id: int
    visits: int
    served: int


class KelurahanDetailOut(KelurahanMetricsOut):
    start: dt.date
    end: dt.date
    services: list[ServiceMetricsOut]
    daily: list[DailyOut]
    hourly: list[HourlyOut]


class ServiceOut(Schema):
    id: int
    code: str
    prefix: str
    name: str
    requirements: list[str]
    sla_minutes: int
    active: bool


class QueueOut(Schema):
    kelurahan_id: int
    code: str
    name: str
    waiting: int
    at_counter: int
    done_today: int
    oldest_issued_at: dt.datetime | None
    longest_wait_s: float | None


def _range(query: RangeIn) -> tuple[dt.date, dt.date]:
    """The asked range; without an end, up to today (the city's day); without a start, the 30 days up to the end."""
    end = query.end or timezone.localdate()
    start = query.start or selectors.default_range(today=end)[0]
    return selectors.range_check(start=start, end=end)


def _metrics(m: selectors.VisitMetrics) -> dict:
    return {"visits": m.visits, "served": m.served, "no_shows": m.no_shows, "cancelled": m.cancelled,
            "sla_breaches": m.sla_breaches, "sla_breach_pct": m.sla_breach_pct,
            "wait": m.wait, "service": m.service,
            "ikm": {"respondents": m.ikm.respondents,
                    "index": None if m.ikm.index is None else float(m.ikm.index), "grade": m.ikm.grade,
                    "label": m.ikm.label, "element_means": list(m.ikm.element_means)}}


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


@router.get("/metrics", response=list[KelurahanMetricsOut],
            summary="Kunjungan, waktu tunggu dan layanan, pelanggaran target, tidak hadir dan IKM per kelurahan")
def metrics_list(request, query: Query[RangeIn]):
    start, end = _range(query)
    kelurahan = {k.pk: k for k in kelurahan_for_metrics(request.user).order_by("code")}
    found = {m.kelurahan_id: m for m in selectors.visit_metrics(kelurahan_ids=list(kelurahan), start=start, end=end)}
    return [{"kelurahan_id": pk, "code": k.code, "name": k.name,
             **_metrics(found.get(pk) or selectors.VisitMetrics(kelurahan_id=pk))} for pk, k in kelurahan.items()]


@router.get("/kelurahan/{kelurahan_id}/metrics", response=KelurahanDetailOut,
            summary="Angka satu kelurahan: per layanan, per hari dan per jam")
def metrics_detail(request, kelurahan_id: int, query: Query[RangeIn]):
    kelurahan = access.kelurahan_get_for_user(user=request.user, pk=kelurahan_id)
    start, end = _range(query)
    ids = [kelurahan.pk]
    [total] = selectors.visit_metrics(kelurahan_ids=ids, start=start, end=end) or [
        selectors.VisitMetrics(kelurahan_id=kelurahan.pk)]
    services = Service.objects.filter(city_id=kelurahan.kecamatan.city_id).in_bulk()
    return {"kelurahan_id": kelurahan.pk, "code": kelurahan.code, "name": kelurahan.name, "start": start, "end": end,
            **_metrics(total),
            "services": [{"service_id": m.service_id, "prefix": services[m.service_id].prefix,
                          "name": services[m.service_id].name, **_metrics(m)}
                         for m in selectors.visit_metrics(kelurahan_ids=ids, start=start, end=end, by="service")],
            "daily": selectors.visits_daily(kelurahan_ids=ids, start=start, end=end),
            "hourly": selectors.visits_hourly(kelurahan_ids=ids, start=start, end=end)}


@router.get("/services", response=list[ServiceOut],
            summary="Katalog layanan kota; dengan ?kelurahan= sebagaimana kelurahan itu menawarkannya")
def services_list(request, kelurahan: int | None = None):
    if kelurahan is not None:
        office = access.kelurahan_get_for_user(user=request.user, pk=kelurahan)
        return [{"id": service.pk, "code": service.code, "prefix": service.prefix, "name": service.name,
                 "requirements": _lines(requirements), "sla_minutes": sla, "active": True}
                for service, requirements, sla in service_catalogue_for(kelurahan=office)]
    cities = kelurahan_for_metrics(request.user).values("kecamatan__city")
    return [{"id": s.pk, "code": s.code, "prefix": s.prefix, "name": s.name, "requirements": _lines(s.requirements),
             "sla_minutes": s.sla_minutes, "active": s.active} for s in Service.objects.filter(city__in=cities)]


@router.get("/queue", response=list[QueueOut], summary="Antrean saat ini per kelurahan: menunggu dan tunggu terlama")
def queue(request):
    kelurahan = {k.pk: k for k in kelurahan_for_metrics(request.user).order_by("code")}
    return [{"code": kelurahan[row.kelurahan_id].code, "name": kelurahan[row.kelurahan_id].name, **vars(row)}
            for row in selectors.queue_now(kelurahan_ids=list(kelurahan))]
