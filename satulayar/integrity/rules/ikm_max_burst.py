"""Loket: IKM surveys all at the maximum, arriving within seconds of each other.

Citizens fill in the survey at their own pace, and few give every element the top score. A run of surveys, every
element "sangat baik", each within a minute of the last, is someone at the desk filling them in to lift the index.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss
from satulayar.visits.choices import IKM_ELEMENTS
from satulayar.visits.models import Rating

CODE = "ikm_max_burst"
DOMAIN = "loket"
TITLE = gettext_lazy("Survei IKM nilai sempurna beruntun dalam hitungan detik")
DESCRIPTION = gettext_lazy(
    "Beberapa survei IKM dengan nilai tertinggi di semua unsur masuk berturut-turut dalam selang beberapa detik di "
    "kelurahan yang sama. Warga mengisi survei masing-masing pada waktunya; rentetan nilai sempurna menandakan "
    "survei diisi sendiri oleh petugas.")
DEFAULTS = {"seconds": 60, "min_ratings": 5}
PARAM_LABELS = {"seconds": gettext_lazy("selang maksimal antar survei (detik)"),
                "min_ratings": gettext_lazy("survei minimal dalam rentetan")}
TOP = 4


def detect(window: Window, params: dict) -> list[Signal]:
    top = Q(**{code: TOP for code, _label in IKM_ELEMENTS})
    rows = (Rating.objects.filter(top, ticket__kelurahan__kecamatan__city=window.city, created_at__gte=window.start_at,
                                  created_at__lt=window.end_at)
            .order_by("ticket__kelurahan_id", "created_at").values_list("ticket__kelurahan_id", "created_at", "pk"))
    runs, current = [], []
    for row in rows:
        if current and (row[0] != current[-1][0] or (row[1] - current[-1][1]).total_seconds() > params["seconds"]):
            runs.append(current)
            current = []
        current.append(row)
    runs.append(current)
    return [_signal(run, window) for run in runs if len(run) >= params["min_ratings"]]


def _signal(run: list, window: Window) -> Signal:
    day, n = window.local(run[0][1]).date(), len(run)
    seconds = (run[-1][1] - run[0][1]).total_seconds()
    return Signal(
        key=f"{run[0][0]}:{run[0][2]}", kelurahan_id=run[0][0], score=capped(50 + 4 * n),
        summary=_("%(n)s survei IKM sempurna dalam %(s)s detik") % {"n": n, "s": int(seconds)},
        explanation=_("Pada %(day)s, %(n)s survei IKM dengan nilai tertinggi di semua unsur masuk berturut-turut dalam "
                      "%(s)s detik. Warga mengisi survei masing-masing; rentetan nilai sempurna menandakan survei "
                      "diisi oleh petugas.") % {"day": day.strftime("%d-%m-%Y"), "n": n, "s": int(seconds)},
        first_date=day, last_date=day,
        evidence=[evidence("rating", r[2], window.local(r[1]), _("survei %(at)s, semua unsur 4") % {
            "at": hhmmss(window.local(r[1]))}, kelurahan=r[0]) for r in run[:60]])
