"""Kehadiran: check-ins always at the edge of the geofence.

Someone who checks in from the car park next door, or a position faked to just inside the fence, shows up at the
fence's edge day after day; people at their desks spread over the whole office area.
"""

from collections import defaultdict

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss, number

CODE = "geofence_edge"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Presensi selalu di tepi pagar geofence")
DESCRIPTION = gettext_lazy(
    # xgettext:no-python-format
    "Presensi ponsel seorang pegawai hampir selalu tercatat di tepi radius kantor (misalnya lebih dari 90 % "
    "radius). Orang yang benar-benar di kantor tersebar di seluruh area; tepi yang selalu sama menandakan presensi "
    "dari luar gedung atau posisi yang diatur.")
DEFAULTS = {"edge_share_of_radius": 0.9, "min_checkins": 8, "min_share": 0.7}
PARAM_LABELS = {"edge_share_of_radius": gettext_lazy("tepi: bagian radius (0–1)"),
                "min_checkins": gettext_lazy("presensi minimal di dalam pagar"),
                "min_share": gettext_lazy("bagian minimal di tepi (0–1)")}


def detect(window: Window, params: dict) -> list[Signal]:
    rows = (Punch.objects.filter(employee__unit__city=window.city, source=PunchSource.MOBILE, excluded=False,
                                 at__gte=window.start_at, at__lt=window.end_at, distance_m__isnull=False,
                                 site__isnull=False, distance_m__lte=F("site__radius_m"))
            .values_list("employee_id", "pk", "at", "distance_m", "site__radius_m"))
    by_employee = defaultdict(list)
    for row in rows:
        by_employee[row[0]].append(row)
    signals = []
    for employee_id, punches in by_employee.items():
        edge = [r for r in punches if r[3] >= params["edge_share_of_radius"] * r[4]]
        if len(punches) >= params["min_checkins"] and len(edge) / len(punches) >= params["min_share"]:
            signals.append(_signal(employee_id, edge, len(punches), window))
    return signals


def _signal(employee_id: int, edge: list, total: int, window: Window) -> Signal:
    days = sorted({window.local(r[2]).date() for r in edge})
    share = len(edge) / total
    return Signal(
        key=str(employee_id), employee_id=employee_id, score=capped(40 + 40 * share + min(15, len(edge) / 2)),
        summary=_("%(n)s dari %(t)s presensi di tepi geofence") % {"n": len(edge), "t": total},
        explanation=_("%(n)s dari %(t)s presensi ponsel di dalam pagar (%(share)s %%) tercatat di tepi radius kantor. "
                      "Orang yang bekerja di kantor tersebar di seluruh area; tepi yang selalu sama menandakan "
                      "presensi dari luar gedung atau posisi yang diatur.")
        % {"n": len(edge), "t": total, "share": number(100 * share)},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("punch", r[1], window.local(r[2]), _("%(at)s · %(d)s m dari pusat (radius %(r)s m)") % {
            "at": hhmmss(window.local(r[2])), "d": number(r[3]), "r": number(r[4])}, employee=employee_id)
            for r in edge[:60]])
