"""The service report (/layanan/laporan/): every kelurahan in the user's scope over a date range, the weekday-by-hour
visits of one of them, and the table as CSV. Numbers come from `selectors`, the same the API and dashboard use."""

import datetime as dt
import io
from dataclasses import dataclass, field

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.core.decorators import capability_required, is_htmx
from satulayar.core.forms import form_errors_add
from satulayar.core.nav import NavItem, register
from satulayar.core.spreadsheet import spreadsheet_csv_writer
from satulayar.org import access
from satulayar.org.models import Kelurahan
from satulayar.visits import selectors
from satulayar.visits.access import kelurahan_for_metrics

HEAT_LEVELS = ((0.2, "10"), (0.4, "25"), (0.6, "50"), (0.8, "75"), (1.0, "100"))  # share of the busiest hour
WEEKDAYS = (gettext_lazy("Senin"), gettext_lazy("Selasa"), gettext_lazy("Rabu"), gettext_lazy("Kamis"),
            gettext_lazy("Jumat"), gettext_lazy("Sabtu"), gettext_lazy("Minggu"))
OFFICE_HOURS = range(8, 16)


def report_nav() -> None:
    """The report in the navigation, for roles that read regions; called from VisitsConfig.ready()."""
    register(NavItem("visits_report:metrics", gettext_lazy("Laporan layanan"), "list-search", "view_regions",
                     order=36))


class RangeForm(forms.Form):
    mulai = forms.DateField(label=gettext_lazy("Dari tanggal"), required=False,
                            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))
    sampai = forms.DateField(label=gettext_lazy("Sampai tanggal"), required=False,
                             widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                                    format="%Y-%m-%d"))

    def dates(self, *, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen range, checked; the last 30 days when nothing (or something wrong) was chosen."""
        default = selectors.default_range(today=today)
        if not self.is_valid():
            return default
        end = self.cleaned_data["sampai"] or default[1]
        start = self.cleaned_data["mulai"] or selectors.default_range(today=end)[0]
        try:
            return selectors.range_check(start=start, end=end)
        except forms.ValidationError as exc:
            form_errors_add(self, exc, fields={"start": "mulai", "end": "sampai"})
            return default


@dataclass
class ReportRow:
    kelurahan: Kelurahan
    metrics: selectors.VisitMetrics
    desk: selectors.DeskFigures = field(default_factory=selectors.DeskFigures)
    bookings: dict = field(default_factory=dict)


def _report(request) -> tuple[RangeForm, dt.date, dt.date, list[ReportRow]]:
    form = RangeForm(request.GET or None)
    start, end = form.dates(today=timezone.localdate())
    if not form.is_bound:
        form = RangeForm(initial={"mulai": start, "sampai": end})
    kelurahan = {k.pk: k for k in kelurahan_for_metrics(request.user).select_related("kecamatan").order_by("code")}
    found = {m.kelurahan_id: m for m in selectors.visit_metrics(kelurahan_ids=list(kelurahan), start=start, end=end)}
    desk = selectors.desk_figures(kelurahan_ids=list(kelurahan), start=start, end=end)
    booked = selectors.booking_counts(kelurahan_ids=list(kelurahan), start=start, end=end)
    rows = [ReportRow(k, found.get(pk) or selectors.VisitMetrics(kelurahan_id=pk),
                      desk.get((pk,), selectors.DeskFigures()), dict(booked.get((pk,), {})))
            for pk, k in kelurahan.items()]
    return form, start, end, rows


def _heat_table(*, kelurahan: Kelurahan, start: dt.date, end: dt.date) -> dict:
    counts = selectors.visits_heat(kelurahan_ids=[kelurahan.pk], start=start, end=end)
    hours = sorted(set(OFFICE_HOURS) | {hour for _day, hour in counts})
    days = sorted({1, 2, 3, 4, 5} | {day for day, _hour in counts})
    busiest = max(counts.values(), default=0)
    rows = []
    for day in days:
        cells = []
        for hour in hours:
            n = counts.get((day, hour), 0)
            level = next(level for share, level in HEAT_LEVELS if n <= share * busiest) if n else ""
            cells.append({"hour": hour, "visits": n, "level": level})
        rows.append({"day": WEEKDAYS[day - 1], "cells": cells, "total": sum(c["visits"] for c in cells)})
    return {"heat_kelurahan": kelurahan, "hours": hours, "heat_rows": rows, "heat_total": sum(counts.values())}


@capability_required("view_regions")
def metrics(request):
    form, start, end, rows = _report(request)
    chosen = request.GET.get("kelurahan")
    if chosen:
        heat_for = access.kelurahan_get_for_user(user=request.user, pk=chosen)
    else:  # the busiest office of the range, so the heat table opens on something to see
        heat_for = max(rows, key=lambda r: r.metrics.visits).kelurahan if rows else None
    context = {"form": form, "start": start, "end": end, "rows": rows,
               "has_visits": any(r.metrics.visits for r in rows),
               "range_query": f"mulai={start:%Y-%m-%d}&sampai={end:%Y-%m-%d}"}
    if heat_for is not None:
        context |= _heat_table(kelurahan=heat_for, start=start, end=end)
    if is_htmx(request) and chosen:
        return render(request, "visits/report_heat.html", context)
    return render(request, "visits/report_metrics.html", context)


def _minutes(seconds: float | None) -> float | str:
    return "" if seconds is None else round(seconds / 60, 1)


@capability_required("view_regions")
def metrics_csv(request):
    _form, start, end, rows = _report(request)
    out = io.StringIO()
    writer = spreadsheet_csv_writer(out, lineterminator="\r\n")
    writer.writerow([_("Kode"), _("Kelurahan"), _("Kecamatan"), _("Kunjungan"), _("Dilayani"),
                     _("Tunggu median (menit)"), _("Tunggu p90 (menit)"), _("Layanan median (menit)"),
                     _("Layanan p90 (menit)"), _("Melebihi target"), _("Melebihi target (%)"), _("Tidak hadir"),
                     _("Dibatalkan"), _("IKM"), _("Mutu IKM"), _("Responden IKM"), _("Prioritas"),
                     _("Dipindahkan"), _("Hasil diberikan"), _("Persyaratan belum lengkap"), _("Dirujuk"),
                     _("Pemesanan"), _("Pemesanan hadir"), _("Pemesanan tidak hadir")])
    for row in rows:
        m = row.metrics
        writer.writerow([row.kelurahan.code, row.kelurahan.name, row.kelurahan.kecamatan.name, m.visits, m.served,
                         _minutes(m.wait.median_s), _minutes(m.wait.p90_s), _minutes(m.service.median_s),
                         _minutes(m.service.p90_s), m.sla_breaches,
                         "" if m.sla_breach_pct is None else round(m.sla_breach_pct, 1), m.no_shows, m.cancelled,
                         "" if m.ikm.index is None else m.ikm.index,
                         f"{m.ikm.grade} ({m.ikm.label})" if m.ikm.grade else "", m.ikm.respondents,
                         row.desk.priority, row.desk.transferred, row.desk.produced, row.desk.missing_papers,
                         row.desk.referred, row.bookings.get("booked", 0), row.bookings.get("checked_in", 0),
                         row.bookings.get("no_show", 0)])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="layanan-kelurahan-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    return response
