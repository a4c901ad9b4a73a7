"""Loket: a desk whose finished tickets cluster in the last minutes before the office closes.

Visitors come through the day; a desk that finishes a large share of its tickets just before closing, far more
than the city's other desks, is closing its day's queue on paper at the end (tickets called and finished in a
batch), or entering visits that were not served then. Closing time is the office's own hours of that weekday
(`OfficeHours`), else the default 08:00–16:00, as `visits.office.hours_on` reads them.
"""

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss, number
from satulayar.visits.choices import TicketStatus
from satulayar.visits.models import OfficeHours, Ticket
from satulayar.visits.office import DEFAULT_HOURS

CODE = "tickets_before_closing"
DOMAIN = "loket"
TITLE = gettext_lazy("Tiket loket menumpuk menjelang jam tutup")
DESCRIPTION = gettext_lazy(
    "Sebagian besar tiket sebuah loket diselesaikan pada menit-menit terakhir sebelum kantor tutup, jauh lebih "
    "banyak daripada loket lain di kota. Warga datang sepanjang hari; penumpukan menjelang tutup menandakan "
    "antrean yang ditutup di atas kertas atau kunjungan yang dicatat belakangan.")
DEFAULTS = {"minutes": 20, "min_tickets": 15, "min_share": 0.3, "min_ratio": 3.0}
PARAM_LABELS = {"minutes": gettext_lazy("menit terakhir sebelum tutup"),
                "min_tickets": gettext_lazy("tiket menjelang tutup minimal"),
                "min_share": gettext_lazy("bagian tiket menjelang tutup minimal (0–1)"),
                "min_ratio": gettext_lazy("kelipatan minimal dari bagian rata-rata kota")}


def _minute(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def _closing(window: Window):
    """Each ticket's office closing minute on its weekday (ISO weekday of its local date)."""
    own = OfficeHours.objects.filter(kelurahan__kecamatan__city=window.city).values_list("kelurahan_id", "weekday",
                                                                                        "closes")
    whens, kelurahans = [], set()
    for kelurahan_id, weekday, closes in own:
        kelurahans.add(kelurahan_id)
        whens.append(When(kelurahan_id=kelurahan_id, weekday=weekday + 1, then=Value(_minute(closes))))
    # an office with its own hours is closed on the weekdays it does not list: no closing minute there
    whens.append(When(kelurahan_id__in=kelurahans, then=Value(None)))
    return Case(*whens, default=Value(_minute(DEFAULT_HOURS[1])), output_field=IntegerField())


def _done(window: Window):
    zone = window.zone
    return (Ticket.objects.filter(kelurahan__kecamatan__city=window.city, date__gte=window.start,
                                  date__lte=window.end, status=TicketStatus.DONE, counter__isnull=False,
                                  finished_at__isnull=False)
            .annotate(weekday=ExtractIsoWeekDay("date"))
            .annotate(closes=_closing(window),
                      finished_minute=ExtractHour("finished_at", tzinfo=zone) * 60
                      + ExtractMinute("finished_at", tzinfo=zone)))


def _late(params: dict) -> Q:
    return Q(finished_minute__gte=F("closes") - params["minutes"], finished_minute__lte=F("closes"))


def detect(window: Window, params: dict) -> list[Signal]:
    desks = list(_done(window).values("counter_id", "kelurahan_id")
                 .annotate(n=Count("id"), late=Count("id", filter=_late(params))))
    total, late = sum(d["n"] for d in desks), sum(d["late"] for d in desks)
    if not total:
        return []
    signals = []
    for desk in desks:
        others = (late - desk["late"]) / max(1, total - desk["n"])
        share = desk["late"] / desk["n"]
        if (desk["late"] >= params["min_tickets"] and share >= params["min_share"]
                and share >= params["min_ratio"] * others):
            tickets = list(_done(window).filter(_late(params), counter_id=desk["counter_id"])
                           .select_related("counter").order_by("finished_at")[:60])
            signals.append(_signal(desk, share, others, tickets, params, window))
    return signals


def _signal(desk: dict, share: float, others: float, tickets: list, params: dict, window: Window) -> Signal:
    days = sorted({t.date for t in tickets})
    counter = tickets[0].counter
    ratio = share / others if others else 10.0
    return Signal(
        key=f"{desk['counter_id']}", kelurahan_id=desk["kelurahan_id"],
        score=capped(45 + 60 * share + 2 * min(ratio, 10)),
        summary=_("Loket %(no)s: %(late)s dari %(n)s tiket selesai %(m)s menit menjelang tutup")
        % {"no": counter.number, "late": desk["late"], "n": desk["n"], "m": params["minutes"]},
        explanation=_("Di loket %(no)s, %(late)s dari %(n)s tiket selesai (%(share)s %%) diselesaikan dalam "
                      "%(m)s menit terakhir sebelum kantor tutup, sedangkan di loket lain kota hanya %(others)s %%. "
                      "Warga datang sepanjang hari; penumpukan menjelang tutup menandakan antrean yang ditutup di "
                      "atas kertas atau kunjungan yang dicatat belakangan.")
        % {"no": counter.number, "late": desk["late"], "n": desk["n"], "share": number(100 * share, 1),
           "m": params["minutes"], "others": number(100 * others, 1)},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("ticket", t.pk, window.local(t.finished_at), _("%(code)s%(no)03d selesai %(at)s, "
                                                                         "tutup %(closes)s") % {
            "code": t.prefix, "no": t.number, "at": hhmmss(window.local(t.finished_at)),
            "closes": f"{t.closes // 60:02d}:{t.closes % 60:02d}"}, kelurahan=t.kelurahan_id) for t in tickets])
