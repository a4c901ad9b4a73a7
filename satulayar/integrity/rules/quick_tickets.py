"""Loket: tickets "finished" in seconds, in bulk.

Serving a citizen takes minutes. An officer who closes many tickets within seconds of calling them on one day is
clearing the queue on paper (to keep waiting times low) or inventing visits.
"""

import datetime as dt

from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss
from satulayar.visits.choices import TicketStatus
from satulayar.visits.models import Ticket

CODE = "quick_tickets"
DOMAIN = "loket"
TITLE = gettext_lazy("Tiket selesai dalam hitungan detik, massal")
DESCRIPTION = gettext_lazy(
    "Banyak tiket pada satu hari diselesaikan petugas yang sama hanya beberapa detik setelah mulai dilayani. "
    "Melayani warga butuh menit; tiket kilat massal menandakan antrean yang dikosongkan di atas kertas atau "
    "kunjungan yang dibuat-buat.")
DEFAULTS = {"max_seconds": 20, "min_tickets": 8}
PARAM_LABELS = {"max_seconds": gettext_lazy("lama layanan maksimal (detik)"),
                "min_tickets": gettext_lazy("tiket kilat minimal per hari")}


def _quick(window: Window, params: dict):
    return (Ticket.objects.filter(kelurahan__kecamatan__city=window.city, date__gte=window.start, date__lte=window.end,
                                  status=TicketStatus.DONE, serving_at__isnull=False, finished_at__isnull=False)
            .annotate(took=F("finished_at") - F("serving_at"))
            .filter(took__lte=dt.timedelta(seconds=params["max_seconds"])))


def detect(window: Window, params: dict) -> list[Signal]:
    groups = (_quick(window, params).values("kelurahan_id", "officer_id", "date").annotate(n=Count("id"))
              .filter(n__gte=params["min_tickets"]))
    signals = []
    for group in groups:
        tickets = list(_quick(window, params).filter(kelurahan_id=group["kelurahan_id"], officer_id=group["officer_id"],
                                                     date=group["date"]).order_by("finished_at")[:80])
        signals.append(_signal(group, tickets, window))
    return signals


def _signal(group: dict, tickets: list, window: Window) -> Signal:
    n, day = group["n"], group["date"]
    return Signal(
        key=f"{group['kelurahan_id']}:{group['officer_id']}:{day.isoformat()}", kelurahan_id=group["kelurahan_id"],
        score=capped(50 + 2.5 * n),
        summary=_("%(n)s tiket selesai dalam hitungan detik") % {"n": n},
        explanation=_("Pada %(day)s, %(n)s tiket satu petugas selesai hanya beberapa detik setelah mulai dilayani. "
                      "Melayani warga butuh menit; ini menandakan antrean yang dikosongkan di atas kertas.")
        % {"day": day.strftime("%d-%m-%Y"), "n": n},
        first_date=day, last_date=day,
        evidence=[evidence("ticket", t.pk, window.local(t.finished_at), _("%(code)s%(no)03d dilayani %(a)s, selesai "
                                                                         "%(b)s") % {
            "code": t.prefix, "no": t.number, "a": hhmmss(window.local(t.serving_at)),
            "b": window.local(t.finished_at).strftime("%H:%M:%S")}, kelurahan=t.kelurahan_id) for t in tickets])
