"""The open-data aggregates: what the public may download, with small counts suppressed.

Only aggregates leave here: visits per kelurahan per day, waiting and service times per kelurahan, IKM per
kelurahan, and the integration hub's indicators marked public. A count from 1 to OPENDATA_MIN_COUNT - 1 is
published as null with `suppressed: true` (zero stays zero), and so is a median or an IKM over fewer tickets or
respondents than that; totals are sums of the published cells only, so no suppressed cell can be recovered by
subtraction. The numbers come from visits.selectors, the same functions the reports use.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings

from satulayar.integrations.selectors import public_indicator_values
from satulayar.org.models import City, Kelurahan
from satulayar.visits import selectors as visits


def min_count() -> int:
    return int(settings.OPENDATA_MIN_COUNT)


def suppressed(count: int) -> bool:
    return 0 < count < min_count()


def _kelurahan(city: City) -> dict[int, Kelurahan]:
    return {k.pk: k for k in Kelurahan.objects.filter(kecamatan__city=city).select_related("kecamatan")
            .order_by("code")}


def _place(k: Kelurahan) -> dict:
    return {"kelurahan_code": k.code, "kelurahan": k.name, "kecamatan": k.kecamatan.name}


def _cell(count: int) -> int | None:
    return None if suppressed(count) else count


def visits_per_day(*, city: City, start: dt.date, end: dt.date) -> list[dict]:
    """{date, kelurahan_code, kelurahan, kecamatan, visits, served, suppressed} per kelurahan and day with visits."""
    kelurahan = _kelurahan(city)
    totals: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for row in visits.visits_daily(kelurahan_ids=list(kelurahan), start=start, end=end):
        cell = totals[(row["kelurahan_id"], row["date"])]
        cell[0] += row["visits"]
        cell[1] += row["served"]
    rows = []
    ordered = sorted(totals.items(), key=lambda item: (item[0][1], kelurahan[item[0][0]].code))
    for (pk, date), (count, served) in ordered:
        rows.append({"date": date, **_place(kelurahan[pk]), "visits": _cell(count), "served": _cell(served),
                     "suppressed": suppressed(count) or suppressed(served)})
    return rows


def times_per_kelurahan(*, city: City, start: dt.date, end: dt.date) -> list[dict]:
    """Median and p90 waiting and service time (minutes) per kelurahan; null over too few tickets."""
    kelurahan = _kelurahan(city)
    ids = list(kelurahan)
    waits = visits.duration_stats(kelurahan_ids=ids, start=start, end=end, measure="wait")
    services = visits.duration_stats(kelurahan_ids=ids, start=start, end=end, measure="service")
    rows = []
    for pk, k in kelurahan.items():
        wait, service = waits.get((pk,), visits.DurationStats()), services.get((pk,), visits.DurationStats())
        if not wait.count and not service.count:
            continue
        hide_wait, hide_service = wait.count < min_count(), service.count < min_count()
        rows.append({**_place(k), "tickets_called": _cell(wait.count),
                     "wait_median_min": None if hide_wait else round(wait.median_min, 1),
                     "wait_p90_min": None if hide_wait else round(wait.p90_min, 1),
                     "tickets_served": _cell(service.count),
                     "service_median_min": None if hide_service else round(service.median_min, 1),
                     "suppressed": hide_wait or hide_service})
    return rows


def ikm_per_kelurahan(*, city: City, start: dt.date, end: dt.date) -> list[dict]:
    kelurahan = _kelurahan(city)
    rows = []
    for (pk,), ikm in sorted(visits.ikm_by(kelurahan_ids=list(kelurahan), start=start, end=end).items(),
                             key=lambda item: kelurahan[item[0][0]].code):
        hidden = ikm.respondents < min_count()
        rows.append({**_place(kelurahan[pk]), "respondents": _cell(ikm.respondents),
                     "ikm": None if hidden else float(ikm.index), "grade": None if hidden else ikm.grade,
                     "suppressed": hidden})
    return rows


def public_indicators(*, city: City, start: dt.date, end: dt.date) -> list[dict]:
    """The integration hub's values of indicators marked public."""
    return public_indicator_values(city=city, start=start, end=end)


DATASETS = {  # slug: (function, title)
    "kunjungan": visits_per_day,
    "waktu-layanan": times_per_kelurahan,
    "ikm": ikm_per_kelurahan,
    "indikator": public_indicators,
}
