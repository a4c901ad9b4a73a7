"""Kehadiran: one machine, several people, within seconds, again and again.

Two colleagues reach the machine within half a minute of each other on some days by chance (arrivals spread over
minutes). Three or more who do so on most of the days they work, always together, look like one colleague
punching for the others: buddy punching. Pairs within `seconds` are counted per day in one pass over the machine's
punches; pairs together on at least `min_share` of their days join into groups.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss

CODE = "machine_burst"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Rombongan rekam di satu mesin dalam hitungan detik")
DESCRIPTION = gettext_lazy(
    "Beberapa pegawai yang sama merekam di mesin yang sama dalam selang beberapa detik, pada banyak hari. Antrean "
    "biasa bergonta-ganti orang; rombongan yang selalu sama menandakan satu orang merekam untuk yang lain.")
DEFAULTS = {"seconds": 30, "min_people": 3, "min_days": 5, "min_share": 0.5}
PARAM_LABELS = {"seconds": gettext_lazy("selang maksimal antar rekam (detik)"),
                "min_people": gettext_lazy("orang minimal dalam rombongan"),
                "min_days": gettext_lazy("hari minimal bersama"),
                "min_share": gettext_lazy("bagian minimal dari hari hadir (0–1)")}


def _punches(window: Window) -> list[tuple]:
    return list(Punch.objects.filter(device__city=window.city, at__gte=window.start_at, at__lt=window.end_at,
                                     excluded=False).order_by("device_id", "at")
                .values_list("device_id", "at", "employee_id", "pk"))


def _pairs(rows: list[tuple], window: Window, seconds: float) -> dict[tuple[int, int], set]:
    """Every two people punching at one machine within `seconds` of each other, with the days they did."""
    pairs = defaultdict(set)
    for i, (device, at, employee, _pk) in enumerate(rows):
        j = i + 1
        while j < len(rows) and rows[j][0] == device and (rows[j][1] - at).total_seconds() <= seconds:
            if rows[j][2] != employee:
                pairs[tuple(sorted((employee, rows[j][2])))].add(window.local(at).date())
            j += 1
    return pairs


def _groups(pairs: dict, min_days: int) -> list[set[int]]:
    """Connected groups of people who were in a burst together on at least `min_days` days."""
    parent: dict[int, int] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for (a, b), days in pairs.items():
        if len(days) >= min_days:
            parent[root(a)] = root(b)
    groups = defaultdict(set)
    for person in parent:
        groups[root(person)].add(person)
    return list(groups.values())


def detect(window: Window, params: dict) -> list[Signal]:
    rows = _punches(window)
    present = defaultdict(set)
    for _device, at, employee, _pk in rows:
        present[employee].add(window.local(at).date())
    pairs = {pair: days for pair, days in _pairs(rows, window, params["seconds"]).items()
             if len(days) >= params["min_share"] * min(len(present[pair[0]]), len(present[pair[1]]))}
    signals = []
    for group in _groups(pairs, params["min_days"]):
        if len(group) >= params["min_people"]:
            signals.append(_signal(group, rows, pairs, window, params["seconds"]))
    return signals


def _signal(group: set[int], rows: list[tuple], pairs: dict, window: Window, seconds: float) -> Signal:
    days = sorted(set().union(*(d for pair, d in pairs.items() if pair[0] in group and pair[1] in group)))
    together = [r for i, r in enumerate(rows) if r[2] in group and window.local(r[1]).date() in days and any(
        0 < abs((o[1] - r[1]).total_seconds()) <= seconds and o[2] in group and o[2] != r[2] and o[0] == r[0]
        for o in rows[max(0, i - 10):i + 10])]
    return Signal(
        key="group:" + ",".join(map(str, sorted(group))), employee_id=min(group),
        score=capped(45 + 2.5 * len(days) + 3 * len(group)),
        summary=_("%(n)s pegawai merekam beruntun di satu mesin pada %(d)s hari") % {"n": len(group), "d": len(days)},
        explanation=_("Pegawai yang sama (%(n)s orang) merekam di mesin yang sama dalam selang beberapa detik pada "
                      "%(d)s hari. Antrean biasa berganti-ganti orang; rombongan yang tetap menandakan satu orang "
                      "merekam untuk yang lain.") % {"n": len(group), "d": len(days)},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("punch", r[3], window.local(r[1]), _("rekam mesin %(at)s") % {"at": hhmmss(
            window.local(r[1]))}, employee=r[2], device=r[0]) for r in together[:80]])
