"""ECharts options built on the server from the same rows a table shows, and the same rows as CSV.

A chart is a `Chart`: its title, its columns and rows (what the CSV download gives) and the ECharts option drawn
from them. Templates embed the option as JSON in `data-chart`; static/dashboard/dashboard.js draws it.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.text import slugify

from satulayar.core.spreadsheet import spreadsheet_csv_writer

GREEN, BLUE, ORANGE, RED, GREY = "#2fb344", "#206bc4", "#f76707", "#d63939", "#9ba9be"


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


@dataclass
class Chart:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    option: dict = field(default_factory=dict)

    @property
    def option_json(self) -> str:
        return json.dumps(self.option, cls=DjangoJSONEncoder, separators=(",", ":"))


def csv_response(*, filename: str, columns: list[str], rows: list[list]) -> HttpResponse:
    """A table's numbers as CSV that opens right in Excel set to Indonesian: UTF-8 with BOM (names read right),
    semicolons between cells and decimal commas (98,75 stays a number)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename) or "data"}.csv"'
    response.write("\ufeff")
    writer = spreadsheet_csv_writer(response, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([[_number(v) if not isinstance(v, str) else v for v in row] for row in rows])
    return response


def chart_csv(chart: Chart) -> HttpResponse:
    return csv_response(filename=chart.slug, columns=chart.columns, rows=chart.rows)


def _grid(**extra) -> dict:
    return {"left": 8, "right": 28, "top": 28, "bottom": 8, "containLabel": True, **extra}  # room for "100 %"


def value_format(option: dict, kind: str, digits: int = 0) -> dict:
    """Names the browser's formatter (static/satulayar/format.js) for the value axes and the tooltip: "count",
    "percent", "number", "minutes" or "clock". JSON cannot carry functions; dashboard.js puts them in."""
    option["slFormat"] = {"kind": kind, "digits": digits}
    return option


def bar_chart(*, slug: str, title: str, columns: list[str], rows: list[list], series: list[tuple[str, int, str]],
              horizontal: bool = False, percent: bool = False, markers: tuple[str, int] | None = None,
              kind: str | None = None) -> Chart:
    """Bars per row: `series` are (name, column index, colour); column 0 is the label. `markers` (name, column)
    draws that column as a dot on each bar (e.g. a normal day beside today). `kind` names the value format
    (counts by default, percentages with `percent`)."""
    labels = [str(row[0]) for row in rows]
    category = {"type": "category", "data": labels, "axisLabel": {"width": 160, "overflow": "truncate"}}
    value = {"type": "value", "max": 100 if percent else None, "minInterval": 0 if percent else 1}
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "show": len(series) > 1 or markers is not None},
        "grid": _grid(),
        "xAxis": value if horizontal else category,
        "yAxis": ({**category, "inverse": True} if horizontal else value),
        "series": [{"name": name, "type": "bar", "itemStyle": {"color": colour}, "barMaxWidth": 22,
                    "data": [_number(row[index]) for row in rows]} for name, index, colour in series],
    }
    if markers:
        option["series"].append({"name": markers[0], "type": "scatter", "symbol": "diamond", "symbolSize": 12,
                                 "itemStyle": {"color": "#7c8aa5", "borderColor": "#fff", "borderWidth": 1}, "z": 3,
                                 "data": [_number(row[markers[1]]) for row in rows]})
    value_format(option, kind or ("percent" if percent else "count"))
    return Chart(slug=slug, title=title, columns=columns, rows=rows, option=option)


def line_chart(*, slug: str, title: str, columns: list[str], rows: list[list], series: list[tuple[str, int, str]],
               percent: bool = False, kind: str | None = None) -> Chart:
    """Lines through the points as they are (no smoothing: a smoothed line dips where no value was). Column 0
    holds ISO dates or labels; dates are written the Indonesian way on the axis and in the tooltip."""
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "show": len(series) > 1},
        "grid": _grid(),
        "xAxis": {"type": "category", "data": [str(row[0]) for row in rows], "slDates": True},
        "yAxis": {"type": "value", "max": 100 if percent else None, "minInterval": 0 if percent else 1},
        "series": [{"name": name, "type": "line", "smooth": False, "showSymbol": len(rows) < 40,
                    "itemStyle": {"color": colour}, "data": [_number(row[index]) for row in rows]}
                   for name, index, colour in series],
    }
    value_format(option, kind or ("percent" if percent else "count"))
    return Chart(slug=slug, title=title, columns=columns, rows=rows, option=option)


def sparkline(values: list) -> str:
    """A tiny line without axes (indicator trends), as the option JSON."""
    option = {"grid": {"left": 2, "right": 2, "top": 4, "bottom": 4}, "tooltip": {"show": False},
              "xAxis": {"type": "category", "show": False, "data": list(range(len(values)))},
              "yAxis": {"type": "value", "show": False, "scale": True},
              "series": [{"type": "line", "data": [_number(v) for v in values], "showSymbol": False,
                          "lineStyle": {"width": 2, "color": BLUE}, "areaStyle": {"opacity": .12, "color": BLUE}}]}
    return json.dumps(option, cls=DjangoJSONEncoder, separators=(",", ":"))
