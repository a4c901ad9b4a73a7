"""Sidak: a unit whose recorded attendance drops in the days after a sidak in it.

A sidak is talked about: after it, a unit's staff know that a colleague punching for them may be checked. When the
recorded attendance of a unit (its sub-units included) falls markedly in the days after a sidak, compared with
the weeks before, the earlier attendance was partly made by others. Reads the unit-day rollups (present over
expected, leave left out) of every sidak whose date falls in the window.
"""

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.models import UnitDay
from satulayar.inspections.choices import InspectionStatus
from satulayar.inspections.models import Inspection
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, number
from satulayar.org.models import Unit

CODE = "attendance_after_sidak"
DOMAIN = "sidak"
TITLE = gettext_lazy("Kehadiran unit turun setelah sidak")
DESCRIPTION = gettext_lazy(
    "Kehadiran tercatat sebuah unit turun tajam pada hari-hari setelah sidak di unit itu dibandingkan "
    "minggu-minggu sebelumnya. Setelah sidak, titip absen menjadi berisiko; kehadiran yang turun menandakan "
    "sebagian kehadiran sebelumnya direkam orang lain.")
DEFAULTS = {"days_before": 28, "days_after": 10, "min_drop": 0.15, "min_person_days": 20}
PARAM_LABELS = {"days_before": gettext_lazy("hari pembanding sebelum sidak"),
                "days_after": gettext_lazy("hari setelah sidak"),
                "min_drop": gettext_lazy("penurunan tingkat kehadiran minimal (0–1)"),
                "min_person_days": gettext_lazy("hari-orang terjadwal minimal setiap periode")}


def _subtrees(window: Window, unit_ids: set[int]) -> dict[int, list[int]]:
    units = list(Unit.objects.filter(city=window.city).only("pk", "path"))
    return {u.pk: [o.pk for o in units if u.contains_path(o.path)] for u in units if u.pk in unit_ids}


def detect(window: Window, params: dict) -> list[Signal]:
    before, after = dt.timedelta(days=params["days_before"]), dt.timedelta(days=params["days_after"])
    inspections = list(Inspection.objects.filter(city=window.city, date__gte=window.start, date__lte=window.end)
                       .exclude(status=InspectionStatus.OPEN).order_by("date", "pk"))
    if not inspections:
        return []
    visited = defaultdict(list)
    for inspection_id, unit_id in Inspection.units.through.objects.filter(
            inspection__in=inspections).values_list("inspection_id", "unit_id"):
        visited[inspection_id].append(unit_id)
    trees = _subtrees(window, {u for units in visited.values() for u in units})
    days: dict[int, dict[dt.date, UnitDay]] = defaultdict(dict)
    for row in UnitDay.objects.filter(unit_id__in={u for tree in trees.values() for u in tree},
                                      date__gte=inspections[0].date - before, date__lte=inspections[-1].date + after):
        days[row.unit_id][row.date] = row
    signals = []
    for inspection in inspections:
        for unit_id in visited[inspection.pk]:
            signal = _compare(inspection, unit_id, trees.get(unit_id, []), days, params, window)
            if signal:
                signals.append(signal)
    return signals


def _sum(rows: list) -> tuple[int, int]:
    return sum(r.present for r in rows), sum(r.expected - r.on_leave for r in rows)


def _compare(inspection, unit_id: int, tree: list[int], days: dict, params: dict, window: Window) -> Signal | None:
    date = inspection.date
    span_before = [date - dt.timedelta(days=n) for n in range(params["days_before"], 0, -1)]
    span_after = [date + dt.timedelta(days=n) for n in range(1, params["days_after"] + 1)]
    totals = {}
    for name, span in (("before", span_before), ("after", span_after)):
        per_day = []
        for day in span:
            rows = [days[u][day] for u in tree if day in days[u]]
            present, expected = _sum(rows)
            if expected > 0:
                per_day.append((day, present, expected))
        totals[name] = per_day
    (p0, e0), (p1, e1) = ((sum(d[1] for d in totals[n]), sum(d[2] for d in totals[n])) for n in ("before", "after"))
    if min(e0, e1) < params["min_person_days"]:
        return None
    rate0, rate1 = p0 / e0, p1 / e1
    drop = rate0 - rate1
    if drop < params["min_drop"]:
        return None
    unit = Unit.objects.only("name").get(pk=unit_id)
    rows = [evidence("sidak", inspection.pk, inspection.date, _("sidak %(date)s: %(title)s") % {
        "date": inspection.date.strftime("%d-%m-%Y"), "title": inspection.title}, inspection=inspection.pk)]
    rows += [evidence("unit_day", unit_id, day, _("%(when)s %(date)s: hadir %(p)s dari %(e)s") % {
        "when": _("sebelum") if day < date else _("sesudah"), "date": day.strftime("%d-%m-%Y"), "p": p, "e": e},
        unit=unit_id) for day, p, e in totals["before"][-10:] + totals["after"]]
    return Signal(
        key=f"{inspection.pk}:{unit_id}", unit_id=unit_id, score=capped(50 + 150 * drop),
        summary=_("Kehadiran %(unit)s turun dari %(a)s %% ke %(b)s %% setelah sidak")
        % {"unit": unit.name, "a": number(100 * rate0), "b": number(100 * rate1)},
        explanation=_("Sebelum sidak %(date)s, %(unit)s tercatat hadir %(p0)s dari %(e0)s hari-orang terjadwal "
                      "(%(a)s %%) dalam %(n0)s hari kerja; dalam %(n1)s hari kerja setelahnya hanya %(p1)s dari "
                      "%(e1)s (%(b)s %%), turun %(drop)s poin. Setelah sidak titip absen menjadi berisiko; kehadiran "
                      "yang turun menandakan sebagian kehadiran sebelumnya direkam orang lain.")
        % {"date": date.strftime("%d-%m-%Y"), "unit": unit.name, "p0": number(p0), "e0": number(e0),
           "a": number(100 * rate0, 1), "n0": len(totals["before"]), "n1": len(totals["after"]), "p1": number(p1),
           "e1": number(e1), "b": number(100 * rate1, 1), "drop": number(100 * drop, 1)},
        first_date=totals["before"][0][0], last_date=totals["after"][-1][0], evidence=rows)
