"""The public open-data page and its downloads (no login): aggregates only, small counts suppressed."""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from satulayar.core.city import request_city
from satulayar.core.spreadsheet import csv_writer, open_data_cell
from satulayar.dashboard import charts
from satulayar.opendata import columns, selectors
from satulayar.visits.selectors import range_check

DEFAULT_DAYS = 30


def _range(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=DEFAULT_DAYS - 1), today
    try:
        start = dt.date.fromisoformat(request.GET["mulai"]) if request.GET.get("mulai") else start
        end = dt.date.fromisoformat(request.GET["sampai"]) if request.GET.get("sampai") else end
        range_check(start=start, end=end)
    except ValueError:
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today, _("Tanggal tidak dapat dibaca; gunakan "
                                                                     "format TTTT-BB-HH.")
    except ValidationError as exc:
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today, " ".join(exc.messages)
    return start, end, ""


@require_GET
def page(request):
    city = request_city(request)
    start, end, error = _range(request)
    daily = selectors.visits_per_day(city=city, start=start, end=end)
    per_day: dict[dt.date, int] = defaultdict(int)
    per_kelurahan: dict[str, int] = defaultdict(int)
    for row in daily:
        per_day[row["date"]] += row["visits"] or 0
        per_kelurahan[row["kelurahan_code"]] += row["visits"] or 0
    chart = charts.line_chart(
        slug="kunjungan-per-hari", title=_("Kunjungan per hari (sel yang dipublikasikan)"),
        columns=[_("Tanggal"), _("Kunjungan")], rows=[[d.isoformat(), per_day[d]] for d in sorted(per_day)],
        series=[(_("Kunjungan"), 1, charts.BLUE)])
    times = {row["kelurahan_code"]: row for row in selectors.times_per_kelurahan(city=city, start=start, end=end)}
    ikm = {row["kelurahan_code"]: row for row in selectors.ikm_per_kelurahan(city=city, start=start, end=end)}
    codes = sorted(set(per_kelurahan) | set(times) | set(ikm))
    names = {row["kelurahan_code"]: (row["kelurahan"], row["kecamatan"]) for row in [*daily, *times.values(),
                                                                                      *ikm.values()]}
    summary = [{"code": code, "kelurahan": names[code][0], "kecamatan": names[code][1],
                "visits": per_kelurahan.get(code, 0), "times": times.get(code), "ikm": ikm.get(code)}
               for code in codes]
    indicators = indicator_summary(selectors.public_indicators(city=city, start=start, end=end))
    return render(request, "opendata/page.html", {
        "start": start, "end": end, "error": error, "chart": chart, "summary": summary,
        "indicators": indicators, "min_count": selectors.min_count(),
        "query": f"mulai={start:%Y-%m-%d}&sampai={end:%Y-%m-%d}",
        "datasets": [("kunjungan", _("Kunjungan per kelurahan per hari")),
                     ("waktu-layanan", _("Waktu tunggu dan layanan per kelurahan")),
                     ("ikm", _("IKM per kelurahan")), ("indikator", _("Indikator publik dinas"))],
        "dictionary": columns.COLUMNS})


@require_GET
def download(request, dataset: str, fmt: str):
    function = selectors.DATASETS.get(dataset)
    if function is None or fmt not in ("csv", "json"):
        raise Http404(dataset)
    city = request_city(request)
    start, end, error = _range(request)
    if error:
        return JsonResponse({"detail": error}, status=422)
    rows = function(city=city, start=start, end=end) or []
    if fmt == "json":
        response = JsonResponse({"dataset": dataset, "city": city.name, "start": start, "end": end,
                                 "min_count": selectors.min_count(), "columns": columns.described(dataset),
                                 "rows": rows})
    else:
        response = _open_csv(filename=f"{city.slug}-{dataset}-{start}-{end}", names=columns.names(dataset),
                             rows=rows)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _open_csv(*, filename: str, names: list[str], rows: list[dict]) -> HttpResponse:
    """Machine-readable CSV: the documented columns always (also with no rows), commas, decimal points, true/false,
    empty for a hidden or missing value."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    response.write("\ufeff")
    writer = csv_writer(response, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([open_data_cell(row.get(name)) for name in names])
    return response


def indicator_summary(rows: list[dict]) -> list[dict]:
    """One line per public indicator: how many values the range holds and the latest period's values (rows come
    ordered by indicator and period); every value is in the download."""
    found: dict[str, dict] = {}
    for row in rows:
        item = found.setdefault(row["code"], {"name": row["name"], "unit": row["unit"], "count": 0, "latest": []})
        item["count"] += 1
        if not item["latest"] or item["latest"][0]["period"] != row["period"]:
            item["latest"] = []
        item["latest"].append(row)
    return list(found.values())
