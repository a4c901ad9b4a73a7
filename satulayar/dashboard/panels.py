"""The overview's panels: each is a template, the live event kinds that refresh it, and a context builder.

The overview page, the wall mode and the htmx-free live refresh (`panel` view) all render panels from here, so a
panel looks and counts the same everywhere. A panel with a chart also answers ?unduh=csv with that chart's rows.

`panel_html` caches a panel's HTML (Django's cache) per viewer scope and version: the version is the newest live
event on the channels whose events change it, read before the panel is built, so the event that follows a change
makes the next viewer build it again, and the city's minute (normal-day rates and waits move with the clock). A
panel carrying the viewer's own form token (alerts) is not shared.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from satulayar.core.events import (
    attendance_channel,
    cctv_channel,
    event_last_id,
    inspections_channel,
    integrations_channel,
    queue_channel,
)
from satulayar.core.time import local_now
from satulayar.dashboard import charts, selectors
from satulayar.dashboard.access import alerts_for, can_manage_rules
from satulayar.dashboard.choices import AlertKind
from satulayar.inspections.access import may_inspect
from satulayar.org.access import scope_for
from satulayar.visits.access import kelurahan_for_metrics
from satulayar.visits.selectors import desk_today

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    kinds: tuple[str, ...]  # live event kinds (prefixes) that refresh it
    build: Callable
    min_interval_ms: int = 0  # at most one refresh this often (camera frames arrive every few seconds)
    channels: Callable | None = None  # (user, city) -> the channels whose events change it; None: never cached
    shown_to: Callable | None = None  # (user) -> whether the overview shows it at all; None: everyone


def _attendance(request, now=None) -> dict:
    today = selectors.attendance_today(user=request.user, city=request.city, now=now)
    if today is None:
        return {"attendance": None}
    rows = [[row.unit.label, row.present_rate, today.normal.get(row.unit.pk), row.present, row.expected, row.late,
             row.absent] for row in today.rows]
    chart = charts.bar_chart(
        slug="kehadiran-hari-ini", title=_("Kehadiran hari ini per unit"),
        columns=[_("Unit"), _("Hadir (%)"), _("Hari normal (%)"), _("Hadir"), _("Wajib hadir"), _("Terlambat"),
                 _("TK")],
        rows=rows, series=[(_("Hari ini"), 1, charts.GREEN)], markers=(_("Hari normal"), 2),
        horizontal=True, percent=True)
    # The wall reads from five metres: the five units furthest below 100 % in large type, not 35 thin bars.
    weakest = sorted((row for row in today.rows if row.present_rate is not None),
                     key=lambda row: (row.present_rate, -row.not_in, row.unit.label))[:5]
    return {"attendance": today, "attendance_chart": chart, "late": today.late, "weakest": weakest}


def _services(request, now=None) -> dict:
    today = selectors.services_today(user=request.user, city=request.city, now=now)
    busiest = [row for row in today.rows if row.metrics.visits or row.queue.waiting][:12]
    chart = charts.bar_chart(
        slug="kunjungan-hari-ini", title=_("Kunjungan hari ini per kelurahan"),
        columns=[_("Kelurahan"), _("Kunjungan"), _("Selesai"), _("Menunggu sekarang")],
        rows=[[row.kelurahan.name, row.metrics.visits, row.metrics.served, row.queue.waiting] for row in busiest],
        series=[(_("Kunjungan"), 1, charts.BLUE), (_("Selesai"), 2, charts.GREEN),
                (_("Menunggu"), 3, charts.ORANGE)], horizontal=True)
    return {"services": today, "services_chart": chart, "services_rows": busiest[:8],
            "services_desk": desk_today(kelurahan_ids=[row.kelurahan.pk for row in today.rows], date=today.date)}


def _cameras(request, now=None) -> dict:
    cameras = selectors.cameras(user=request.user, city=request.city)
    return {"cameras": cameras, "cameras_offline": sum(1 for c in cameras if not c.get("online"))}


def _indicators(request, now=None) -> dict:
    found = selectors.indicators(user=request.user, city=request.city)
    for item in found:
        item["sparkline"] = charts.sparkline([value for _period, value in item.get("series") or ()])
    return {"indicators": found}


def _alerts(request, now=None) -> dict:
    open_alerts = alerts_for(request.user).filter(resolved_at__isnull=True).select_related("rule")
    return {"alerts": list(open_alerts[:6]), "alerts_count": open_alerts.count(), "kinds": AlertKind,
            "can_manage_rules": can_manage_rules(request.user)}


def _inspections(request, now=None) -> dict:
    found = selectors.inspections(user=request.user, city=request.city)
    for item in found:
        item["findings_total"] = sum((item.get("findings") or {}).values())
    return {"inspections": found}


def _queues(user, city) -> list[str]:
    return [queue_channel(pk) for pk in kelurahan_for_metrics(user).values_list("pk", flat=True)]


PANELS = {panel.name: panel for panel in (
    # status.changed follows every write of today's statuses (a punch's, a leave decision's, the clock's).
    Panel("attendance", "dashboard/_panel_attendance.html", ("status.",), _attendance,
          channels=lambda user, city: [attendance_channel(city)]),
    Panel("services", "dashboard/_panel_services.html", ("ticket.", "rating.", "booking."), _services,
          channels=_queues),
    Panel("alerts", "dashboard/_panel_alerts.html", ("alert.",), _alerts),
    # Kinds and channels: core.events.EVENT_KINDS.
    Panel("cameras", "dashboard/_panel_cameras.html", ("camera.",), _cameras, min_interval_ms=3000,
          channels=lambda user, city: [cctv_channel(city)]),
    Panel("indicators", "dashboard/_panel_indicators.html", ("integration.",), _indicators,
          channels=lambda user, city: [integrations_channel(city)]),
    # Only for who may inspect: a command-centre operator had "Sidak terakhir — Belum ada sidak" forever.
    Panel("inspections", "dashboard/_panel_inspections.html", ("inspection.",), _inspections,
          channels=lambda user, city: [inspections_channel(city)], shown_to=may_inspect),
)}


def _scope_key(user) -> str:
    scope = scope_for(user)
    parts = (sorted(scope.roles), sorted(scope.capabilities), scope.city_wide, scope.unit_paths, scope.kelurahan_ids,
             scope.employee_id, scope.city_ids)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _cache_key(request, panel: Panel, wall: bool) -> str:
    version = event_last_id(channels=panel.channels(request.user, request.city))
    minute = local_now(request.city).strftime("%Y%m%d%H%M")
    return (f"panel:{panel.name}:{int(wall)}:{translation.get_language()}:{request.city.pk}:"
            f"{_scope_key(request.user)}:{version}:{minute}")


def panel_html(request, panel: Panel, *, wall: bool = False) -> str:
    """The panel's HTML for this viewer: from the cache when nothing that changes it happened since."""
    if panel.channels is None or request.city is None:
        return render_to_string(panel.template, {**panel.build(request), "wall": wall}, request=request)
    key = _cache_key(request, panel, wall)
    html = cache.get(key)
    if html is None:
        html = render_to_string(panel.template, {**panel.build(request), "wall": wall}, request=request)
        cache.set(key, html, CACHE_SECONDS)
    return html
