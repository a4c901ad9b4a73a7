"""Drill-down: the city, then an SKPD or a kecamatan, then a sub-unit or a kelurahan, then a person.

Every page takes a date range (?mulai=&sampai=, the city's days, at most a year) and offers each chart's numbers
as CSV (?unduh=<chart>).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.reports import days_summary, late_today, not_in_today
from satulayar.core.decorators import capability_required
from satulayar.core.time import local_date, local_now
from satulayar.dashboard import charts, selectors
from satulayar.org import access
from satulayar.visits import selectors as visits
from satulayar.visits.access import kelurahan_for_metrics


@dataclass
class DateRange:
    start: dt.date
    end: dt.date
    error: str = ""

    @property
    def query(self) -> str:
        return f"mulai={self.start:%Y-%m-%d}&sampai={self.end:%Y-%m-%d}"


def date_range(request, *, days: int = 30) -> DateRange:
    """The asked range, or the last `days` days up to today with a clear message when the asked one is wrong."""
    today = local_now(request.city).date()
    default = DateRange(start=today - dt.timedelta(days=days - 1), end=today)
    raw_start, raw_end = request.GET.get("mulai", ""), request.GET.get("sampai", "")
    if not raw_start and not raw_end:
        return default
    try:
        start = dt.date.fromisoformat(raw_start) if raw_start else default.start
        end = dt.date.fromisoformat(raw_end) if raw_end else default.end
    except ValueError:
        return DateRange(default.start, default.end, _("Tanggal tidak dapat dibaca; gunakan format TTTT-BB-HH."))
    try:
        visits.range_check(start=start, end=end)
    except ValidationError as exc:
        return DateRange(default.start, default.end, " ".join(exc.messages))
    return DateRange(start, end)


def _render(request, template: str, context: dict):
    """The page, or the chart asked for by ?unduh=<slug> as CSV."""
    wanted = request.GET.get("unduh")
    if wanted:
        chart = next((c for c in context.get("charts", ()) if c.slug == wanted), None)
        if chart is None:
            raise Http404(wanted)
        return charts.chart_csv(chart)
    return render(request, template, context)


def _attendance_daily_chart(request, period: DateRange, unit=None) -> charts.Chart:
    days = days_summary(user=request.user, start=period.start, end=period.end, unit=unit)
    return charts.line_chart(
        slug="kehadiran-harian", title=_("Kehadiran per hari"),
        columns=[_("Tanggal"), _("Hadir (%)"), _("Tepat waktu (%)"), _("Wajib hadir"), _("Hadir"), _("Terlambat"),
                 _("TK"), _("Cuti/izin")],
        rows=[[d.date.isoformat(), d.present_rate, d.on_time_rate, d.expected, d.present, d.late, d.absent,
               d.on_leave] for d in days],
        series=[(_("Hadir"), 1, charts.GREEN), (_("Tepat waktu"), 2, charts.BLUE)], percent=True)


def _today_chart(today) -> charts.Chart:
    return charts.bar_chart(
        slug="kehadiran-hari-ini", title=_("Kehadiran hari ini"),
        columns=[_("Unit"), _("Hadir (%)"), _("Hari normal (%)"), _("Hadir"), _("Wajib hadir"), _("Terlambat")],
        rows=[[row.unit.label, row.present_rate, today.normal.get(row.unit.pk), row.present, row.expected, row.late]
              for row in today.rows],
        series=[(_("Hari ini"), 1, charts.GREEN)], markers=(_("Hari normal"), 2), horizontal=True, percent=True)


@capability_required("view_employees")
@require_GET
def units(request):
    """The city (or what the user sees of it): today per SKPD and the range day by day."""
    return _unit_page(request, unit=None)


@capability_required("view_employees")
@require_GET
def unit(request, pk: int):
    return _unit_page(request, unit=access.unit_get_for_user(user=request.user, pk=pk))


def _unit_page(request, *, unit):
    period = date_range(request)
    today = selectors.attendance_today(user=request.user, city=request.city, parent=unit)
    unit = today.parent if unit is None else unit
    daily = _attendance_daily_chart(request, period, unit)
    staff = []
    if unit is not None:
        date = local_date(request.city)
        marks = {e.pk: (_("terlambat %(m)d menit") % {"m": m}, "orange")
                 for e, m in late_today(unit_ids=[unit.pk], date=date, limit=None)}
        marks |= {e.pk: (DayStatus(status).label, DayStatus(status).colour)
                  for e, status in not_in_today(unit_ids=[unit.pk], date=date, limit=None)}
        staff = [(e, marks.get(e.pk)) for e in access.employees_for(request.user).filter(unit=unit, active=True)
                 .order_by("name")]
    ancestors = []
    if unit is not None:
        ids = unit.ancestor_ids[:-1]
        visible = access.units_for(request.user).in_bulk(ids)
        ancestors = [visible[pk] for pk in ids if pk in visible]
    return _render(request, "dashboard/unit.html", {
        "unit": unit, "ancestors": ancestors, "today": today, "period": period, "staff": staff,
        "charts": [_today_chart(today), daily], "today_chart": _today_chart(today), "daily_chart": daily})


def _kelurahan_rows(kelurahan: dict, period: DateRange):
    metrics = {m.kelurahan_id: m for m in visits.visit_metrics(kelurahan_ids=list(kelurahan), start=period.start,
                                                               end=period.end)}
    return [(k, metrics.get(pk) or visits.VisitMetrics(kelurahan_id=pk)) for pk, k in kelurahan.items()]


def _visits_daily_chart(kelurahan_ids, period: DateRange) -> charts.Chart:
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for row in visits.visits_daily(kelurahan_ids=kelurahan_ids, start=period.start, end=period.end):
        per_day[row["date"]][0] += row["visits"]
        per_day[row["date"]][1] += row["served"]
    return charts.line_chart(
        slug="kunjungan-harian", title=_("Kunjungan per hari"), columns=[_("Tanggal"), _("Kunjungan"), _("Selesai")],
        rows=[[date.isoformat(), *per_day[date]] for date in sorted(per_day)],
        series=[(_("Kunjungan"), 1, charts.BLUE), (_("Selesai"), 2, charts.GREEN)])


@capability_required("view_regions")
@require_GET
def kecamatan_list(request):
    period = date_range(request)
    kelurahan = {k.pk: k for k in kelurahan_for_metrics(request.user).select_related("kecamatan").order_by("name")}
    rows = _kelurahan_rows(kelurahan, period)
    by_kecamatan: dict[int, dict] = {}
    for k, m in rows:
        entry = by_kecamatan.setdefault(k.kecamatan_id, {"kecamatan": k.kecamatan, "kelurahan": 0, "visits": 0,
                                                         "served": 0, "ikm": []})
        entry["kelurahan"] += 1
        entry["visits"] += m.visits
        entry["served"] += m.served
        entry["ikm"].append(m.ikm)
    summary = sorted(by_kecamatan.values(), key=lambda e: e["kecamatan"].code)
    for entry in summary:
        entry["ikm"] = selectors.ikm_total(entry["ikm"])
    chart = charts.bar_chart(
        slug="kunjungan-per-kecamatan", title=_("Kunjungan per kecamatan"),
        columns=[_("Kecamatan"), _("Kunjungan"), _("Selesai"), _("IKM")],
        rows=[[e["kecamatan"].name, e["visits"], e["served"], e["ikm"].index] for e in summary],
        series=[(_("Kunjungan"), 1, charts.BLUE), (_("Selesai"), 2, charts.GREEN)])
    daily = _visits_daily_chart(list(kelurahan), period)
    return _render(request, "dashboard/kecamatan_list.html", {
        "period": period, "summary": summary, "charts": [chart, daily], "chart": chart, "daily_chart": daily})


@capability_required("view_regions")
@require_GET
def kecamatan(request, pk: int):
    found = access.kecamatan_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(f"kecamatan {pk}")
    period = date_range(request)
    kelurahan = {k.pk: k for k in kelurahan_for_metrics(request.user).filter(kecamatan=found).order_by("name")}
    rows = _kelurahan_rows(kelurahan, period)
    chart = charts.bar_chart(
        slug="kunjungan-per-kelurahan", title=_("Kunjungan per kelurahan"),
        columns=[_("Kelurahan"), _("Kunjungan"), _("Selesai"), _("Median tunggu (menit)"), _("IKM")],
        rows=[[k.name, m.visits, m.served, m.wait.median_min, m.ikm.index] for k, m in rows],
        series=[(_("Kunjungan"), 1, charts.BLUE), (_("Selesai"), 2, charts.GREEN)], horizontal=True)
    daily = _visits_daily_chart(list(kelurahan), period)
    return _render(request, "dashboard/kecamatan.html", {
        "kecamatan": found, "period": period, "rows": rows, "charts": [chart, daily], "chart": chart,
        "daily_chart": daily})


@capability_required("view_units")
@require_GET
def person(request, pk: int):
    employee = access.employee_get_for_user(user=request.user, pk=pk)
    period = date_range(request)
    days = list(DailyStatus.objects.filter(employee=employee, date__range=(period.start, period.end))
                .order_by("date"))
    zone = local_now(request.city).tzinfo

    def clock(value):
        return value.astimezone(zone).strftime("%H:%M") if value else ""

    def minutes(value):
        local = value.astimezone(zone) if value else None
        return round(local.hour + local.minute / 60, 2) if local else None

    chart = charts.line_chart(
        slug="jam-datang-pulang", title=_("Jam datang dan pulang"),
        columns=[_("Tanggal"), _("Datang (jam)"), _("Pulang (jam)"), _("Status"), _("Terlambat (menit)"),
                 _("Datang"), pgettext("attendance", "Pulang")],
        rows=[[d.date.isoformat(), minutes(d.first_in), minutes(d.last_out), d.get_status_display(),
               d.late_minutes, clock(d.first_in), clock(d.last_out)] for d in days],
        series=[(_("Datang"), 1, charts.BLUE), (pgettext("attendance", "Pulang"), 2, charts.GREEN)], kind="clock")
    # Whole hours up the axis (05.00, 07.00 … 19.00), early at the bottom: a day reads bottom to top.
    chart.option["yAxis"] = {"type": "value", "min": 5, "max": 19, "interval": 2, "minInterval": 1}
    return _render(request, "dashboard/person.html", {
        "employee": employee, "period": period, "days": days, "charts": [chart], "chart": chart,
        "statuses": DayStatus})
