"""The one screen: the overview, its panels (refreshed live), the event stream and the wall mode."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from satulayar.attendance.ingest import punches_channel
from satulayar.cctv.services import cctv_channel
from satulayar.core.decorators import capability_required
from satulayar.core.events import event_last_id, sse_stream
from satulayar.dashboard import charts
from satulayar.dashboard.alerts import alerts_channel
from satulayar.dashboard.panels import PANELS
from satulayar.inspections.services import inspections_channel
from satulayar.integrations.runs import EVENT_CHANNEL as INTEGRATIONS_CHANNEL
from satulayar.org.access import scope_for
from satulayar.visits.access import kelurahan_for_metrics

OVERVIEW_PANELS = ("attendance", "services", "alerts", "cameras", "indicators", "inspections")
WALL_PANELS = ("attendance", "services", "cameras", "indicators", "alerts")


def stream_channels(user, city) -> list[str]:
    """What the viewer's screen listens to: the city's punches (who may see attendance), the queues of the
    kelurahan they may read, the city's alerts, cameras, connectors and inspections. Events carry ids and counts
    only; each panel then fetches what the viewer may see."""
    channels = [alerts_channel(city), cctv_channel(city.pk), INTEGRATIONS_CHANNEL, inspections_channel(city)]
    if scope_for(user).can("view_employees"):
        channels.append(punches_channel(city))
    channels += [f"queue:{pk}" for pk in kelurahan_for_metrics(user).values_list("pk", flat=True)]
    return channels


def _panels(request, names, *, wall: bool = False) -> list[dict]:
    panels = []
    for name in names:
        panel = PANELS[name]
        html = render_to_string(panel.template, {**panel.build(request), "wall": wall}, request=request)
        panels.append({"panel": panel, "html": html})
    return panels


def _page(request, names, *, wall: bool = False) -> dict:
    channels = stream_channels(request.user, request.city)
    return {"panels": _panels(request, names, wall=wall), "last_event": event_last_id(channels=channels)}


@capability_required("view_units")
@require_GET
def overview(request):
    return render(request, "dashboard/overview.html", _page(request, OVERVIEW_PANELS))


@capability_required("view_units")
@require_GET
def wall(request):
    """For the command centre's TV: full screen, dark, large type, the panels in turn."""
    seconds = request.GET.get("detik", "")
    context = _page(request, WALL_PANELS, wall=True)
    context["rotate_seconds"] = int(seconds) if seconds.isdigit() and 5 <= int(seconds) <= 600 else 20
    return render(request, "dashboard/wall.html", context)


@never_cache
@capability_required("view_units")
@require_GET
def panel(request, name: str):
    """One panel's current content (fetched again after a live event), or its chart's numbers as CSV."""
    found = PANELS.get(name)
    if found is None:
        raise Http404(name)
    context = found.build(request)
    if request.GET.get("unduh") == "csv":
        chart = next((value for value in context.values() if isinstance(value, charts.Chart)), None)
        if chart is None:
            raise Http404(f"{name}: no chart")
        return charts.chart_csv(chart)
    return render(request, found.template, {**context, "wall": request.GET.get("layar") == "1"})


@capability_required("view_units")
@require_GET
def stream(request):
    if request.city is None:
        raise PermissionDenied
    return sse_stream(request, channels=stream_channels(request.user, request.city))
