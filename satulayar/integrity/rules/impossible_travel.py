"""Kehadiran: two places too far apart for the minutes between them.

Consecutive punches of one person at two sites (or phone positions) whose distance, over the time between them,
needs a speed no one reaches in city traffic: one of the two was made by someone else, or the position is faked.
"""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss, metres_between, number
from satulayar.org.models import Site

CODE = "impossible_travel"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Dua tempat terlalu jauh untuk selisih waktunya")
DESCRIPTION = gettext_lazy(
    "Dua rekam berturut-turut seorang pegawai di dua lokasi yang jaraknya tidak mungkin ditempuh dalam selisih "
    "waktunya (kecepatan di atas ambang). Salah satunya direkam orang lain, atau posisinya dipalsukan.")
DEFAULTS = {"max_kmh": 40, "min_km": 1.0}
PARAM_LABELS = {"max_kmh": gettext_lazy("kecepatan wajar maksimal (km/jam)"),
                "min_km": gettext_lazy("jarak minimal (km)")}


def _punches(window: Window):
    return Punch.objects.filter(employee__unit__city=window.city, at__gte=window.start_at, at__lt=window.end_at,
                                excluded=False, site__isnull=False)


def detect(window: Window, params: dict) -> list[Signal]:
    movers = (_punches(window).values("employee_id").annotate(n=Count("site_id", distinct=True)).filter(n__gte=2)
              .values_list("employee_id", flat=True))
    sites = {s.pk: (s.lat, s.lon, s.name) for s in Site.objects.filter(city=window.city)}
    rows = (_punches(window).filter(employee_id__in=list(movers)).order_by("employee_id", "at")
            .values_list("employee_id", "at", "site_id", "lat", "lon", "pk"))
    jumps = defaultdict(list)
    previous = None
    for row in rows:
        if previous and previous[0] == row[0] and previous[2] != row[2]:
            jump = _jump(previous, row, sites, params)
            if jump:
                jumps[(row[0], window.local(row[1]).date())].append(jump)
        previous = row
    return [_signal(employee_id, day, found, sites, window) for (employee_id, day), found in jumps.items()]


def _place(row, sites) -> tuple[float, float]:
    return (row[3], row[4]) if row[3] is not None else sites[row[2]][:2]


def _jump(a, b, sites, params) -> tuple | None:
    metres = metres_between(_place(a, sites), _place(b, sites))
    hours = max((b[1] - a[1]).total_seconds(), 1) / 3600
    kmh = metres / 1000 / hours
    if metres >= params["min_km"] * 1000 and kmh > params["max_kmh"]:
        return a, b, metres, kmh
    return None


def _signal(employee_id: int, day, jumps: list, sites: dict, window: Window) -> Signal:
    a, b, metres, kmh = max(jumps, key=lambda j: j[3])
    minutes = (b[1] - a[1]).total_seconds() / 60
    return Signal(
        key=f"{employee_id}:{day.isoformat()}", employee_id=employee_id,
        score=capped(60 + min(35, kmh / 10)),
        summary=_("%(km)s km dalam %(min)s menit") % {"km": number(metres / 1000, 1), "min": number(minutes)},
        explanation=_("Rekam di %(a)s lalu di %(b)s, berjarak %(km)s km, hanya %(min)s menit kemudian: perlu "
                      "kecepatan %(kmh)s km/jam. Salah satu rekam dibuat orang lain atau posisinya dipalsukan.")
        % {"a": sites[a[2]][2], "b": sites[b[2]][2], "km": number(metres / 1000, 1), "min": number(minutes),
           "kmh": number(kmh)},
        first_date=day, last_date=day,
        evidence=[evidence("punch", r[5], window.local(r[1]), _("rekam %(at)s di %(site)s") % {
            "at": hhmmss(window.local(r[1])), "site": sites[r[2]][2]}, employee=employee_id)
            for jump in jumps for r in jump[:2]])
