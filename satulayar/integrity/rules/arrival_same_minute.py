"""Kehadiran: the same arrival minute day after day.

People arrive a few minutes earlier or later from day to day; the demo's ordinary staff scatter over minutes with
a spread of several minutes, so no minute holds more than about a sixth of their days. A first punch at the very
same minute on most work days points at someone (or a machine script) punching for them. The default share
(60 %) is set from the bench: a year of the 6.000-ASN demo city had a few ordinary people at 40–45 %.
"""

from django.db.models import Count
from django.db.models.functions import ExtractHour, ExtractMinute
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.models import DailyStatus
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss, number

CODE = "arrival_same_minute"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Menit kedatangan yang sama setiap hari")
DESCRIPTION = gettext_lazy(
    "Rekam datang pertama seorang pegawai jatuh pada menit yang persis sama pada sebagian besar hari kerjanya. "
    "Orang sungguhan datang beberapa menit lebih awal atau lebih lambat dari hari ke hari; menit yang selalu sama "
    "menandakan ada yang mengabsenkan orang itu.")
DEFAULTS = {"min_days": 10, "min_share": 0.6}
PARAM_LABELS = {"min_days": gettext_lazy("hari minimal pada menit yang sama"),
                "min_share": gettext_lazy("bagian hari minimal (0–1)")}


def _days(window: Window):
    return DailyStatus.objects.filter(employee__unit__city=window.city, date__gte=window.start,
                                      date__lte=window.end, first_in__isnull=False)


def detect(window: Window, params: dict) -> list[Signal]:
    totals = dict(_days(window).values("employee_id").annotate(n=Count("id")).values_list("employee_id", "n"))
    minutes = (_days(window).annotate(h=ExtractHour("first_in", tzinfo=window.zone),
                                      m=ExtractMinute("first_in", tzinfo=window.zone))
               .values("employee_id", "h", "m").annotate(n=Count("id")).filter(n__gte=params["min_days"]))
    hits = [(row, row["n"] / totals[row["employee_id"]]) for row in minutes]
    hits = [(row, share) for row, share in hits if share >= params["min_share"]]
    rows = _evidence_rows(window, {row["employee_id"] for row, _share in hits})
    signals = []
    for row, share in hits:
        days = [r for r in rows.get(row["employee_id"], [])
                if (window.local(r.first_in).hour, window.local(r.first_in).minute) == (row["h"], row["m"])]
        if days:
            signals.append(_signal(row, share, days, window))
    return signals


def _evidence_rows(window: Window, employee_ids: set[int]) -> dict[int, list]:
    rows: dict[int, list] = {}
    for status in _days(window).filter(employee_id__in=employee_ids).only("pk", "employee_id", "date", "first_in"):
        rows.setdefault(status.employee_id, []).append(status)
    return rows


def _signal(row: dict, share: float, days: list, window: Window) -> Signal:
    minute = f"{row['h']:02d}:{row['m']:02d}"
    n = row["n"]
    return Signal(
        key=f"{row['employee_id']}:{minute}", employee_id=row["employee_id"],
        score=capped(40 + 45 * share + min(15, n / 2)),
        summary=_("Datang pukul %(minute)s pada %(n)s hari") % {"minute": minute, "n": n},
        explanation=_("Rekam datang pertama jatuh pada menit %(minute)s pada %(n)s hari, %(share)s %% dari hari "
                      "hadirnya dalam periode ini. Kedatangan orang biasanya tersebar beberapa menit; menit yang "
                      "sama berulang menandakan dugaan titip absen.")
        % {"minute": minute, "n": n, "share": number(100 * share)},
        first_date=min(d.date for d in days), last_date=max(d.date for d in days),
        evidence=[evidence("day", d.pk, window.local(d.first_in), _("datang %(at)s") % {"at": hhmmss(
            window.local(d.first_in))}, employee=d.employee_id) for d in sorted(days, key=lambda d: d.date)[:60]])
