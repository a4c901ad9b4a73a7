"""Kehadiran: a phone that does not move at all, or reports the same accuracy to the metre for weeks.

Real GPS jitters: the check-in and the check-out of a person at one desk are metres apart, and the reported accuracy
changes with the sky and the building. A position-faking app that adds a little noise of its own escapes
`frozen_position` (the very same values), but not this: every check-in within a metre or so of the previous one,
check-in to check-out and day after day; or the same accuracy, rounded to the metre, over weeks.
"""

from collections import Counter
from itertools import pairwise

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss, metres_between, number

CODE = "still_position"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Ponsel yang tidak bergerak sedikit pun, atau akurasinya tetap berminggu-minggu")
DESCRIPTION = gettext_lazy(
    "Presensi ponsel seorang pegawai selalu berada dalam jarak sekitar satu meter dari presensi sebelumnya (datang "
    "dan pulang, hari demi hari), atau melaporkan akurasi yang sama sampai satuan meter selama berminggu-minggu. "
    "GPS sungguhan selalu bergeser beberapa meter; posisi yang diam menandakan aplikasi pemalsu lokasi yang "
    "menambahkan sedikit getaran agar nilainya tidak persis sama.")
DEFAULTS = {"min_checkins": 8, "max_metres": 1.5, "min_share": 0.8, "min_weeks": 2}
PARAM_LABELS = {"min_checkins": gettext_lazy("presensi ponsel minimal"),
                "max_metres": gettext_lazy("pergeseran maksimal yang dianggap diam (meter)"),
                "min_share": gettext_lazy("bagian minimal yang diam atau sama (0–1)"),
                "min_weeks": gettext_lazy("rentang minimal akurasi yang sama (minggu)")}


def detect(window: Window, params: dict) -> list[Signal]:
    punches: dict[int, list] = {}
    for punch in (Punch.objects.filter(employee__unit__city=window.city, source=PunchSource.MOBILE, excluded=False,
                                       at__gte=window.start_at, at__lt=window.end_at, lat__isnull=False)
                  .order_by("employee_id", "at").only("pk", "employee_id", "at", "lat", "lon", "accuracy_m")):
        punches.setdefault(punch.employee_id, []).append(punch)
    signals = []
    for employee_id, mine in punches.items():
        if len(mine) < params["min_checkins"]:
            continue
        for check in (_still, _steady_accuracy):
            signal = check(employee_id, mine, window, params)
            if signal is not None:
                signals.append(signal)
    return signals


def _still(employee_id: int, punches: list, window: Window, params: dict) -> Signal | None:
    """Each check-in within `max_metres` of the previous one, but not the very same point (frozen_position's)."""
    if len({(p.lat, p.lon) for p in punches}) < 2:
        return None
    steps = [metres_between((a.lat, a.lon), (b.lat, b.lon)) for a, b in pairwise(punches)]
    still = sum(step <= params["max_metres"] for step in steps)
    if still < params["min_share"] * len(steps):
        return None
    widest = max(steps)
    return _signal(employee_id, "posisi", punches, window, share=still / len(steps), score_base=55,
                   summary=_("%(n)s presensi ponsel tidak bergeser lebih dari %(m)s m") % {
                       "n": len(punches), "m": number(params["max_metres"], 1)},
                   explanation=_("%(still)s dari %(steps)s perpindahan antara presensi ponsel berturut-turut pegawai "
                                 "ini (datang dan pulang, hari demi hari) tidak lebih dari %(m)s m; pergeseran "
                                 "terbesar %(widest)s m. GPS sungguhan selalu bergeser beberapa meter; posisi yang "
                                 "diam menandakan aplikasi pemalsu lokasi.")
                   % {"still": still, "steps": len(steps), "m": number(params["max_metres"], 1),
                      "widest": number(widest, 1)})


def _steady_accuracy(employee_id: int, punches: list, window: Window, params: dict) -> Signal | None:
    """The same accuracy rounded to the metre for most check-ins over weeks, though not always the very same value
    (frozen_position's)."""
    rounded = Counter(round(p.accuracy_m) for p in punches if p.accuracy_m is not None)
    exact = Counter(p.accuracy_m for p in punches if p.accuracy_m is not None)
    if not rounded or exact.most_common(1)[0][1] >= params["min_share"] * len(punches):
        return None
    metres, n = rounded.most_common(1)[0]
    same = [p for p in punches if p.accuracy_m is not None and round(p.accuracy_m) == metres]
    span = (window.local(same[-1].at).date() - window.local(same[0].at).date()).days
    if n < params["min_share"] * len(punches) or span < 7 * params["min_weeks"]:
        return None
    return _signal(employee_id, "akurasi", punches, window, share=n / len(punches), score_base=50,
                   summary=_("Akurasi %(m)s m pada %(n)s dari %(t)s presensi ponsel selama %(d)s hari") % {
                       "m": metres, "n": n, "t": len(punches), "d": span + 1},
                   explanation=_("Presensi ponsel pegawai ini melaporkan akurasi %(m)s m (dibulatkan ke meter) pada "
                                 "%(n)s dari %(t)s presensi selama %(d)s hari. Akurasi GPS sungguhan berubah dengan "
                                 "langit dan gedung; akurasi yang tetap menandakan aplikasi pemalsu lokasi.")
                   % {"m": metres, "n": n, "t": len(punches), "d": span + 1})


def _signal(employee_id: int, what: str, punches: list, window: Window, *, share: float, score_base: float,
            summary: str, explanation: str) -> Signal:
    days = sorted({window.local(p.at).date() for p in punches})
    return Signal(
        key=f"{employee_id}:{what}", employee_id=employee_id,
        score=capped(score_base + 30 * share + min(15, len(days))), summary=summary, explanation=explanation,
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("punch", p.pk, window.local(p.at), _("%(at)s · %(lat).6f, %(lon).6f ± %(acc)s m") % {
            "at": hhmmss(window.local(p.at)), "lat": p.lat, "lon": p.lon, "acc": number(p.accuracy_m or 0, 1)},
            employee=employee_id) for p in punches[:60]])
