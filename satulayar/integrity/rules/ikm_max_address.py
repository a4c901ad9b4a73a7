"""Loket: perfect IKM surveys of different tickets, all sent from one address.

The rating service stores the keyed hash of the address each survey came from (`Rating.address`). Citizens rate
from their own phones, on their own connections; many surveys of different tickets, every element "sangat baik",
from one address within hours is someone filling them in at one device. A kelurahan's public Wi-Fi is one address
for everyone on it, but its surveys are mixed: only an address whose surveys are nearly all perfect counts.
"""

import datetime as dt
from collections import Counter

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss
from satulayar.visits.choices import IKM_ELEMENTS
from satulayar.visits.models import Rating

CODE = "ikm_max_address"
DOMAIN = "loket"
TITLE = gettext_lazy("Survei IKM nilai sempurna dari satu alamat")
DESCRIPTION = gettext_lazy(
    "Beberapa survei IKM untuk tiket yang berbeda, semuanya bernilai tertinggi di semua unsur, dikirim dari satu "
    "alamat jaringan dalam beberapa jam (server hanya menyimpan hash alamat itu). Warga menilai dari ponsel dan "
    "jaringan masing-masing; banyak nilai sempurna dari satu alamat menandakan survei diisi di satu perangkat. "
    "Wi-Fi publik kelurahan juga satu alamat untuk semua, tetapi nilainya beragam: yang dihitung hanya alamat yang "
    "surveinya hampir semua sempurna.")
DEFAULTS = {"hours": 8, "min_ratings": 5, "min_share": 0.8}
PARAM_LABELS = {"hours": gettext_lazy("rentang waktu (jam)"),
                "min_ratings": gettext_lazy("survei sempurna minimal dari satu alamat"),
                "min_share": gettext_lazy("bagian minimal survei sempurna dari alamat itu (0–1)")}
TOP = 4


def detect(window: Window, params: dict) -> list[Signal]:
    perfect = Q(**{code: TOP for code, _label in IKM_ELEMENTS})
    rows = (Rating.objects.filter(ticket__kelurahan__kecamatan__city=window.city, created_at__gte=window.start_at,
                                  created_at__lt=window.end_at).exclude(address="")
            .annotate(perfect=ExpressionWrapper(perfect, output_field=BooleanField()))
            .order_by("address", "created_at")
            .values_list("address", "created_at", "pk", "ticket__kelurahan_id", "perfect"))
    span = dt.timedelta(hours=params["hours"])
    runs, current = [], []
    for row in rows:
        if current and (row[0] != current[0][0] or row[1] - current[0][1] > span):
            runs.append(current)
            current = []
        current.append(row)
    runs.append(current)
    signals = []
    for run in runs:
        top = [r for r in run if r[4]]
        if len(top) >= params["min_ratings"] and len(top) >= params["min_share"] * len(run):
            signals.append(_signal(top, len(run), window))
    return signals


def _signal(run: list, total: int, window: Window) -> Signal:
    kelurahan_id = min(Counter(r[3] for r in run).most_common(), key=lambda kv: (-kv[1], kv[0]))[0]
    first, last, n = window.local(run[0][1]), window.local(run[-1][1]), len(run)
    minutes = int((run[-1][1] - run[0][1]).total_seconds() // 60)
    return Signal(
        key=f"{run[0][0]}:{run[0][2]}", kelurahan_id=kelurahan_id, score=capped(50 + 5 * n),
        summary=_("%(n)s survei IKM sempurna dari satu alamat dalam %(m)s menit") % {"n": n, "m": minutes},
        explanation=_("Antara %(first)s dan %(last)s, %(n)s dari %(total)s survei IKM yang dikirim dari satu alamat "
                      "jaringan, untuk tiket yang berbeda, bernilai tertinggi di semua unsur. Warga menilai dari "
                      "ponsel dan jaringan masing-masing, dan jarang memberi nilai sempurna di semua unsur; banyak "
                      "nilai sempurna dari satu alamat menandakan survei diisi di satu perangkat.")
        % {"first": hhmmss(first), "last": hhmmss(last), "n": n, "total": total},
        first_date=first.date(), last_date=last.date(),
        evidence=[evidence("rating", r[2], window.local(r[1]), _("survei %(at)s, semua unsur 4") % {
            "at": hhmmss(window.local(r[1]))}, kelurahan=r[3]) for r in run[:60]])
