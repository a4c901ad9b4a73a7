"""The one screen: the overview, its panels (refreshed live), the event stream and the wall mode."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from satulayar.core.decorators import capability_required
from satulayar.core.events import (
    alerts_channel,
    attendance_channel,
    cctv_channel,
    event_last_id,
    inspections_channel,
    integrations_channel,
    integrity_channel,
    sse_stream,
)
from satulayar.dashboard import charts
from satulayar.dashboard.panels import PANELS, panel_html
from satulayar.integrity.access import may_review
from satulayar.org.access import scope_for
from satulayar.visits.access import kelurahan_for_metrics

OVERVIEW_PANELS = ("attendance", "services", "alerts", "cameras", "indicators", "inspections")
WALL_PANELS = ("attendance", "services", "cameras", "indicators", "alerts")


def stream_channels(user, city) -> list[str]:
    """What the viewer's screen listens to: the city's punches (who may see attendance), the queues of the
    kelurahan they may read, the city's alerts, cameras, connectors and inspections, and its integrity findings (who
    may review them). Events carry ids and counts only; each panel then fetches what the viewer may see."""
    channels = [alerts_channel(city), cctv_channel(city), integrations_channel(city), inspections_channel(city)]
    if scope_for(user).can("view_employees"):
        channels.append(attendance_channel(city))
    if may_review(user):  # the count of new integrity findings on the screen
        channels.append(integrity_channel(city))
    channels += [f"queue:{pk}" for pk in kelurahan_for_metrics(user).values_list("pk", flat=True)]
    return channels


def _panels(request, names, *, wall: bool = False) -> list[dict]:
    shown = [PANELS[name] for name in names if PANELS[name].shown_to is None or PANELS[name].shown_to(request.user)]
    return [{"panel": panel, "html": panel_html(request, panel, wall=wall)} for panel in shown]


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
    if request.GET.get("unduh") == "csv":
        chart = next((value for value in found.build(request).values() if isinstance(value, charts.Chart)), None)
        if chart is None:
            raise Http404(f"{name}: no chart")
        return charts.chart_csv(chart)
    return HttpResponse(panel_html(request, found, wall=request.GET.get("layar") == "1"))


@capability_required("view_units")
@require_GET
def stream(request):
    if request.city is None:
        raise PermissionDenied
    return sse_stream(request, channels=stream_channels(request.user, request.city))
