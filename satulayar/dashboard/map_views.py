"""The kelurahan map (Leaflet over our own boundaries, no tile server) and the kelurahan page it opens."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from satulayar.attendance.reports import today_by_unit
from satulayar.core.decorators import capability_required
from satulayar.core.events import event_last_id
from satulayar.dashboard import charts, selectors
from satulayar.dashboard.choices import MapMetric
from satulayar.dashboard.drill_views import _render, _visits_daily_chart, date_range
from satulayar.dashboard.views import stream_channels
from satulayar.org import access
from satulayar.org.models import Unit
from satulayar.visits import selectors as visits


def _office_attendance(user) -> dict[int, tuple]:
    """Today's attendance of each kelurahan office the user may see: {kelurahan id: UnitToday}."""
    if not access.scope_for(user).can("view_employees"):
        return {}
    return {row.unit.kelurahan_id: row for row in today_by_unit(user=user) if row.unit.kelurahan_id}


def map_features(*, user, city) -> dict:
    """GeoJSON of the user's kelurahan with every map metric in the properties."""
    today = selectors.services_today(user=user, city=city)
    offices = _office_attendance(user)
    features = []
    for row in today.rows:
        k = row.kelurahan
        office = offices.get(k.pk)
        properties = {
            "id": k.pk, "code": k.code, "name": k.name, "kecamatan": k.kecamatan.name,
            "url": reverse("dashboard:kelurahan", args=[k.pk]),
            "visits": row.metrics.visits, "waiting": row.queue.waiting,
            "wait": None if row.metrics.wait.median_min is None else round(row.metrics.wait.median_min, 1),
            "ikm": None if row.ikm.index is None else float(row.ikm.index),
            "attendance": None if office is None or office.present_rate is None else float(office.present_rate),
        }
        geometry = k.boundary or ({"type": "Point", "coordinates": [k.centroid_lon, k.centroid_lat]}
                                  if k.centroid_lat is not None else None)
        if geometry:
            features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


@capability_required("view_regions")
@require_GET
def map_page(request):
    metric = request.GET.get("ukuran", MapMetric.VISITS)
    return render(request, "dashboard/map.html", {
        "metrics": MapMetric, "metric": metric if metric in MapMetric.values else MapMetric.VISITS,
        "center": [request.city.centroid_lat, request.city.centroid_lon],
        "last_event": event_last_id(channels=stream_channels(request.user, request.city))})


@never_cache
@capability_required("view_regions")
@require_GET
def map_data(request):
    """The boundaries with today's values; with ?nilai=1 only the values by kelurahan code (what a live update
    needs: the page keeps the shapes it loaded once)."""
    features = map_features(user=request.user, city=request.city)
    if request.GET.get("nilai"):
        return JsonResponse({"values": {f["properties"]["code"]: f["properties"] for f in features["features"]}})
    return JsonResponse(features)


@capability_required("view_regions")
@require_GET
def kelurahan(request, pk: int):
    """One kelurahan: today's visits and queue, its camera, its office's attendance, and the range's visits."""
    found = access.kelurahan_get_for_user(user=request.user, pk=pk)
    period = date_range(request)
    [today] = selectors.services_today(user=request.user, city=request.city, kelurahan_ids=[found.pk]).rows
    metrics = visits.visit_metrics(kelurahan_ids=[found.pk], start=period.start, end=period.end)
    daily = _visits_daily_chart([found.pk], period)
    by_service = visits.visit_metrics(kelurahan_ids=[found.pk], start=period.start, end=period.end, by="service")
    service_names = dict(found.kecamatan.city.services.values_list("pk", "name"))
    service_chart = charts.bar_chart(
        slug="kunjungan-per-layanan", title=_("Kunjungan per layanan"),
        columns=[_("Layanan"), _("Kunjungan"), _("Median tunggu (menit)"), _("Median layanan (menit)")],
        rows=[[service_names.get(m.service_id, "?"), m.visits, m.wait.median_min, m.service.median_min]
              for m in by_service], series=[(_("Kunjungan"), 1, charts.BLUE)], horizontal=True)
    all_cameras = selectors.cameras(user=request.user, city=request.city)
    cameras = [c for c in all_cameras if c.get("kelurahan_id") == pk]
    offices = Unit.objects.filter(kelurahan=found, active=True)
    office_today = _office_attendance(request.user).get(found.pk)
    return _render(request, "dashboard/kelurahan.html", {
        "kelurahan": found, "period": period, "today": today, "range": metrics[0] if metrics else None,
        "charts": [daily, service_chart], "daily_chart": daily, "service_chart": service_chart,
        "cameras": cameras, "cctv_ready": all_cameras is not None, "offices": offices,
        "office_today": office_today,
        "last_event": event_last_id(channels=stream_channels(request.user, request.city))})

