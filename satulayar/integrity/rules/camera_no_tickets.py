"""Kamera: people seen waiting at the desk while no ticket is issued.

The camera counts people in the waiting area every few seconds. Hours in which it saw people waiting while the
kelurahan issued no ticket at all mean a desk serving off the record (an unrecorded desk, or a broken queue).
"""

from collections import defaultdict

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.cctv.models import PeopleHourly
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, number
from satulayar.visits.models import KelurahanHour

CODE = "camera_no_tickets"
DOMAIN = "kamera"
TITLE = gettext_lazy("Kamera melihat warga menunggu, tanpa tiket")
DESCRIPTION = gettext_lazy(
    "Pada beberapa jam dalam satu hari kamera loket melihat warga menunggu (rata-rata di atas ambang), tetapi "
    "kelurahan tidak menerbitkan satu tiket pun pada jam itu: ada loket yang melayani tanpa tercatat.")
DEFAULTS = {"min_people": 2.0, "min_hours": 2}
PARAM_LABELS = {"min_people": gettext_lazy("rata-rata orang menunggu minimal"),
                "min_hours": gettext_lazy("jam minimal dalam sehari")}


def detect(window: Window, params: dict) -> list[Signal]:
    seen = (PeopleHourly.objects.filter(kelurahan__kecamatan__city=window.city, hour__gte=window.start_at,
                                        hour__lt=window.end_at, samples__gt=0)
            .values_list("kelurahan_id", "hour", "total", "samples", "pk", "camera_id"))
    busy = [r for r in seen if r[2] / r[3] >= params["min_people"]]
    if not busy:
        return []
    issued = {(r["kelurahan_id"], r["date"], r["hour"]): r["n"] for r in KelurahanHour.objects.filter(
        kelurahan_id__in={r[0] for r in busy}, date__gte=window.start, date__lte=window.end)
        .values("kelurahan_id", "date", "hour").annotate(n=Sum("issued"))}
    empty = defaultdict(list)
    for row in busy:
        local = window.local(row[1])
        if not issued.get((row[0], local.date(), local.hour)):
            empty[(row[0], local.date())].append(row)
    return [_signal(kelurahan_id, day, rows, window) for (kelurahan_id, day), rows in empty.items()
            if len(rows) >= params["min_hours"]]


def _signal(kelurahan_id: int, day, rows: list, window: Window) -> Signal:
    n = len(rows)
    return Signal(
        key=f"{kelurahan_id}:{day.isoformat()}", kelurahan_id=kelurahan_id, score=capped(45 + 10 * n),
        summary=_("%(n)s jam warga menunggu tanpa satu tiket pun") % {"n": n},
        explanation=_("Pada %(day)s kamera loket melihat warga menunggu selama %(n)s jam, tetapi kelurahan tidak "
                      "menerbitkan tiket pada jam-jam itu. Ada layanan yang berjalan tanpa tercatat.")
        % {"day": day.strftime("%d-%m-%Y"), "n": n},
        first_date=day, last_date=day,
        evidence=[evidence("camera_hour", r[4], window.local(r[1]), _("pukul %(h)s: rata-rata %(avg)s orang, 0 tiket")
                           % {"h": window.local(r[1]).strftime("%H:00"), "avg": number(r[2] / r[3], 1)},
                           camera=r[5], kelurahan=kelurahan_id) for r in sorted(rows, key=lambda r: r[1])])
