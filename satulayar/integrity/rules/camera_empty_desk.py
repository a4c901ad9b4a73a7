"""Kamera: a desk "serving" while its camera sees nobody.

The counterpart of `camera_no_tickets`: hours in which the kelurahan recorded several served tickets while the
service-area camera, taking frames all hour, never saw a single person. Tickets then were made without visitors
(to lift the counts), or the camera looks at an empty room.
"""

from collections import defaultdict

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.cctv.models import PeopleHourly
from satulayar.integrity.rules.base import Signal, Window, capped, evidence
from satulayar.visits.models import KelurahanHour

CODE = "camera_empty_desk"
DOMAIN = "kamera"
TITLE = gettext_lazy("Loket melayani, kamera tidak melihat siapa pun")
DESCRIPTION = gettext_lazy(
    "Pada beberapa jam dalam satu hari kelurahan mencatat tiket yang dilayani, tetapi kamera ruang layanan yang "
    "memotret sepanjang jam itu tidak melihat satu orang pun. Tiket dibuat tanpa pengunjung, atau kamera mengarah "
    "ke ruang kosong.")
DEFAULTS = {"min_served": 3, "min_hours": 2}
PARAM_LABELS = {"min_served": gettext_lazy("tiket dilayani minimal per jam"),
                "min_hours": gettext_lazy("jam minimal dalam sehari")}


def detect(window: Window, params: dict) -> list[Signal]:
    empty = list(PeopleHourly.objects.filter(kelurahan__kecamatan__city=window.city, hour__gte=window.start_at,
                                             hour__lt=window.end_at, samples__gt=0, peak=0)
                 .values_list("kelurahan_id", "hour", "pk", "camera_id"))
    if not empty:
        return []
    served = {(r["kelurahan_id"], r["date"], r["hour"]): r["n"] for r in KelurahanHour.objects.filter(
        kelurahan_id__in={r[0] for r in empty}, date__gte=window.start, date__lte=window.end)
        .values("kelurahan_id", "date", "hour").annotate(n=Sum("served"))}
    busy = defaultdict(list)
    for row in empty:
        local = window.local(row[1])
        n = served.get((row[0], local.date(), local.hour), 0)
        if n >= params["min_served"]:
            busy[(row[0], local.date())].append((*row, n))
    return [_signal(kelurahan_id, day, rows, window) for (kelurahan_id, day), rows in busy.items()
            if len(rows) >= params["min_hours"]]


def _signal(kelurahan_id: int, day, rows: list, window: Window) -> Signal:
    hours, tickets = len(rows), sum(r[4] for r in rows)
    return Signal(
        key=f"{kelurahan_id}:{day.isoformat()}", kelurahan_id=kelurahan_id, score=capped(45 + 8 * hours + tickets),
        summary=_("%(t)s tiket dilayani dalam %(h)s jam tanpa orang di kamera") % {"t": tickets, "h": hours},
        explanation=_("Pada %(day)s kelurahan mencatat %(t)s tiket dilayani dalam %(h)s jam, tetapi kamera ruang "
                      "layanan tidak melihat satu orang pun pada jam-jam itu. Tiket dibuat tanpa pengunjung, atau "
                      "kamera mengarah ke ruang kosong.") % {"day": day.strftime("%d-%m-%Y"), "t": tickets, "h": hours},
        first_date=day, last_date=day,
        evidence=[evidence("camera_hour", r[2], window.local(r[1]), _("pukul %(h)s: 0 orang di kamera, %(n)s tiket "
                                                                      "dilayani") % {
            "h": window.local(r[1]).strftime("%H:00"), "n": r[4]}, camera=r[3], kelurahan=kelurahan_id)
            for r in sorted(rows, key=lambda r: r[1])])
