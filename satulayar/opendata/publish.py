"""Our own numbers, published outward to other systems (per-client tokens, see api.py): daily attendance rates
per unit, kelurahan visits per day, and indicator values. Aggregates only: no names, no NIP, no NIK.
It lives in opendata, the one app besides the dashboard that reads several domains; the clients and their
tokens stay in integrations."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from satulayar.attendance.models import UnitDay
from satulayar.integrations.models import IndicatorValue
from satulayar.integrations.selectors import period_local
from satulayar.org.models import Kelurahan
from satulayar.visits.selectors import visits_daily

MAX_RANGE_DAYS = 366


def range_check(*, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if start > end:
        raise ValidationError({"start": _("Tanggal mulai harus sebelum atau sama dengan tanggal akhir.")})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError({"end": _("Rentang paling panjang %(days)s hari.") % {"days": MAX_RANGE_DAYS}})
    return start, end


def attendance_daily_by_unit(*, city, start: dt.date, end: dt.date) -> list[dict]:
    """Per unit and work day: employees expected (holidays excluded), present (late among them), on leave,
    field duty, absent without notice, not yet in; the rate is (present + field duty) / (expected − on leave).
    Read from the unit-day rollups (today's kept up to date by every punch), never from the per-person rows."""
    start, end = range_check(start=start, end=end)
    rows = (UnitDay.objects.filter(unit__city=city, date__range=(start, end), expected__gt=0)
            .values("unit__code", "unit__name", "date", "expected", "present", "late", "on_leave", "field_duty",
                    "absent", "not_yet")
            .order_by("date", "unit__code"))
    result = []
    for row in rows:
        on_leave = row["on_leave"] - row["field_duty"]  # published apart from dinas luar
        base = row["expected"] - on_leave
        result.append({"date": row["date"], "unit_code": row["unit__code"], "unit_name": row["unit__name"],
                       **{k: row[k] for k in ("expected", "present", "late", "field_duty", "absent", "not_yet")},
                       "on_leave": on_leave,
                       "attendance_rate": round((row["present"] + row["field_duty"]) / base, 4) if base else None})
    return result


def visits_daily_by_kelurahan(*, city, start: dt.date, end: dt.date) -> list[dict]:
    """Visits (tickets issued) and visits served per kelurahan and local day."""
    start, end = range_check(start=start, end=end)
    kelurahan = {k.pk: k for k in Kelurahan.objects.filter(kecamatan__city=city)}
    totals: dict[tuple, dict] = {}
    for row in visits_daily(kelurahan_ids=list(kelurahan), start=start, end=end):
        key = (row["date"], row["kelurahan_id"])
        entry = totals.setdefault(key, {"visits": 0, "served": 0})
        entry["visits"] += row["visits"]
        entry["served"] += row["served"]
    return [{"date": date, "kelurahan_code": kelurahan[pk].code, "kelurahan_name": kelurahan[pk].name, **counts}
            for (date, pk), counts in sorted(totals.items(), key=lambda item: (item[0][0], kelurahan[item[0][1]].code))]


def indicator_values_for_client(*, city, start: dt.date, end: dt.date, code: str = "") -> list[dict]:
    start, end = range_check(start=start, end=end)

    zone = city.zone
    values = IndicatorValue.objects.filter(
        indicator__city=city, period__gte=dt.datetime.combine(start, dt.time(), zone),
        period__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)).select_related("indicator")
    if code:
        values = values.filter(indicator__code=code)
    return [{"code": v.indicator.code, "name": v.indicator.name, "unit": v.indicator.unit_of_measure,
             "period": period_local(v.period, v.indicator.granularity, zone).isoformat(),
             "dimension": v.dimension, "dimension_label": v.dimension_label, "value": v.value}
            for v in values.order_by("indicator__code", "period", "dimension")]
