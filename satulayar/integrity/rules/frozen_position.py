"""Kehadiran: a phone position that never changes.

A real phone reports a slightly different position and accuracy at every check-in. The same accuracy to the
decimetre, or the very same coordinates, over many check-ins is a position-faking app (or a script) at work.
"""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss, number

CODE = "frozen_position"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Posisi ponsel yang tidak pernah berubah")
DESCRIPTION = gettext_lazy(
    "Presensi ponsel seorang pegawai selalu melaporkan akurasi yang persis sama atau koordinat yang persis sama "
    "pada banyak presensi. Ponsel sungguhan selalu sedikit berbeda; posisi yang beku menandakan aplikasi pemalsu "
    "lokasi.")
DEFAULTS = {"min_checkins": 8, "min_share": 0.8}
PARAM_LABELS = {"min_checkins": gettext_lazy("presensi ponsel minimal"),
                "min_share": gettext_lazy("bagian minimal yang sama (0–1)")}


def _mobile(window: Window):
    return Punch.objects.filter(employee__unit__city=window.city, source=PunchSource.MOBILE, excluded=False,
                                at__gte=window.start_at, at__lt=window.end_at, lat__isnull=False)


def detect(window: Window, params: dict) -> list[Signal]:
    totals = dict(_mobile(window).values("employee_id").annotate(n=Count("id")).filter(
        n__gte=params["min_checkins"]).values_list("employee_id", "n"))
    best: dict[int, tuple[int, str]] = {}
    for fields, what in ((("accuracy_m",), "akurasi"), (("lat", "lon"), "koordinat")):
        rows = (_mobile(window).filter(employee_id__in=list(totals)).values("employee_id", *fields)
                .annotate(n=Count("id")))
        for row in rows:
            if row["n"] > best.get(row["employee_id"], (0, ""))[0]:
                best[row["employee_id"]] = (row["n"], what)
    hits = {e: (n, what) for e, (n, what) in best.items() if n / totals[e] >= params["min_share"]}
    punches: dict[int, list] = {}
    for punch in _mobile(window).filter(employee_id__in=list(hits)).only("pk", "employee_id", "at", "accuracy_m",
                                                                            "lat", "lon"):
        punches.setdefault(punch.employee_id, []).append(punch)
    return [_signal(e, n, totals[e], what, punches[e], window) for e, (n, what) in hits.items()]


WHAT = {"akurasi": gettext_lazy("akurasi"), "koordinat": gettext_lazy("koordinat")}  # the key keeps the code


def _signal(employee_id: int, n: int, total: int, what: str, punches: list, window: Window) -> Signal:
    days = sorted({window.local(p.at).date() for p in punches})
    share = n / total
    label = str(WHAT[what])
    return Signal(
        key=f"{employee_id}:{what}", employee_id=employee_id, score=capped(45 + 40 * share + min(15, n / 2)),
        summary=_("%(what)s sama persis pada %(n)s dari %(t)s presensi ponsel") % {"what": label.capitalize(), "n": n,
                                                                                 "t": total},
        explanation=_("Presensi ponsel pegawai ini melaporkan %(what)s yang persis sama pada %(n)s dari %(t)s presensi "
                      "(%(share)s %%). Ponsel sungguhan selalu sedikit berbeda dari hari ke hari; posisi yang beku "
                      "menandakan aplikasi pemalsu lokasi.")
        % {"what": label, "n": n, "t": total, "share": number(100 * share)},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("punch", p.pk, window.local(p.at), _("%(at)s · %(lat).6f, %(lon).6f ± %(acc)s m") % {
            "at": hhmmss(window.local(p.at)), "lat": p.lat, "lon": p.lon, "acc": number(p.accuracy_m or 0, 1)},
            employee=employee_id) for p in punches[:60]])
