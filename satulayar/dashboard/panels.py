"""The overview's panels: each is a template, the live event kinds that refresh it, and a context builder.

The overview page, the wall mode and the htmx-free live refresh (`panel` view) all render panels from here, so a
panel looks and counts the same everywhere. A panel with a chart also answers ?unduh=csv with that chart's rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from satulayar.dashboard import charts, selectors
from satulayar.dashboard.access import alerts_for, can_manage_rules
from satulayar.dashboard.choices import AlertKind


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    kinds: tuple[str, ...]  # live event kinds (prefixes) that refresh it
    build: Callable
    min_interval_ms: int = 0  # at most one refresh this often (camera frames arrive every few seconds)


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
    return {"attendance": today, "attendance_chart": chart, "late": today.late[:8]}


def _services(request, now=None) -> dict:
    today = selectors.services_today(user=request.user, city=request.city, now=now)
    busiest = [row for row in today.rows if row.metrics.visits or row.queue.waiting][:12]
    chart = charts.bar_chart(
        slug="kunjungan-hari-ini", title=_("Kunjungan hari ini per kelurahan"),
        columns=[_("Kelurahan"), _("Kunjungan"), _("Selesai"), _("Menunggu sekarang")],
        rows=[[row.kelurahan.name, row.metrics.visits, row.metrics.served, row.queue.waiting] for row in busiest],
        series=[(_("Kunjungan"), 1, charts.BLUE), (_("Selesai"), 2, charts.GREEN),
                (_("Menunggu"), 3, charts.ORANGE)], horizontal=True)
    return {"services": today, "services_chart": chart, "services_rows": busiest[:8]}


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


PANELS = {panel.name: panel for panel in (
    Panel("attendance", "dashboard/_panel_attendance.html", ("punch.",), _attendance),
    Panel("services", "dashboard/_panel_services.html", ("ticket.", "rating."), _services),
    Panel("alerts", "dashboard/_panel_alerts.html", ("alert.",), _alerts),
    # The CCTV app publishes "health", "count" and "frame" on cctv:<city>; the integration hub "run" on
    # "integrations"; the sidak app "inspection_closed" on inspections:<city>.
    Panel("cameras", "dashboard/_panel_cameras.html", ("health", "count", "frame"), _cameras, min_interval_ms=3000),
    Panel("indicators", "dashboard/_panel_indicators.html", ("run",), _indicators),
    Panel("inspections", "dashboard/_panel_inspections.html", ("inspection",), _inspections),
)}
