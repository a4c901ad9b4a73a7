"""Reads for the camera pages, the API, the dashboard and alerts.

The dashboard contract (names and keys fixed): `dashboard_cameras`, `cameras_offline`, `crowd_mismatches`,
`people_counts_hourly`; for dwell time `dwell_vs_waits` and `dwell_long`. Hours are the city's local clock hours;
times are aware datetimes.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.cctv.access import cameras_for
from satulayar.cctv.choices import Health, Placement
from satulayar.cctv.models import Camera, DwellSample, Frame, PeopleCount, PeopleHourly
from satulayar.cctv.services import percentile, thumbnail_url
from satulayar.visits.selectors import duration_stats, visits_hourly

# A kelurahan-hour is flagged when at least this many people were seen at once and fewer than half as many
# tickets were issued in the hour as people waited on average. By Little's law the average queue is the hour's
# arrivals times their mean wait in hours, so at the usual waits (under an hour) the tickets exceed the queue;
# even an office with two-hour waits stays unflagged unless most visitors got no ticket. Also flagged: many
# tickets while the camera saw nobody all hour.
MISMATCH_MIN_AVERAGE = 4  # people waiting on average over the hour ("2 seen, 0 tickets" is no crowd)
MISMATCH_MIN_PEOPLE = 5
MISMATCH_TICKETS_UNSEEN = 10
# The cameras' dwell is flagged against the desk's waits when people stay in the waiting zone much longer than
# the tickets say they waited: longer by half again and by ten minutes, over at least this many people.
DWELL_MIN_PEOPLE = 5
DWELL_OVER_RATIO, DWELL_OVER_S = 1.5, 600


def _local_day(city, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=city.zone)
    return start, start + dt.timedelta(days=1)


def latest_frames(camera_ids) -> dict[int, Frame]:
    """Each camera's newest frame, in two queries whatever the number of cameras."""
    newest = Frame.objects.filter(camera_id=OuterRef("pk")).order_by("-taken_at").values("pk")[:1]
    ids = Camera.objects.filter(pk__in=list(camera_ids)).annotate(newest=Subquery(newest)).values_list(
        "newest", flat=True)
    return {frame.camera_id: frame for frame in Frame.objects.filter(pk__in=list(ids))}


def camera_rows(cameras: QuerySet[Camera]) -> list[Camera]:
    """Cameras with `latest` (their newest frame or None) and `thumb` (a URL that changes with each frame)."""
    cameras = list(cameras.select_related("site", "kelurahan__kecamatan"))
    frames = latest_frames([c.pk for c in cameras])
    for camera in cameras:
        camera.latest = frames.get(camera.pk)
        camera.thumb = thumbnail_url(camera, camera.latest.pk) if camera.latest else ""
    return cameras


def dashboard_cameras(*, user, city) -> list[dict]:
    rows = camera_rows(cameras_for(user).filter(city=city, active=True).order_by("kelurahan__name", "name"))
    return [{"id": c.pk, "name": c.name, "site": c.site.name, "kelurahan_id": c.kelurahan_id,
             "kelurahan": c.kelurahan.name if c.kelurahan_id else "", "online": c.health == Health.ONLINE,
             "last_frame_at": c.last_frame_at, "thumbnail_url": c.thumb, "people_now": c.people_now}
            for c in rows]


def cameras_offline(*, city, minutes: int, now: dt.datetime | None = None) -> list[dict]:
    """Active cameras that are offline or have sent no frame for `minutes` (a new camera after `minutes`)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=minutes)
    found = []
    for camera in (Camera.objects.filter(city=city, active=True).select_related("site", "kelurahan")
                   .order_by("name")):
        stale = camera.last_frame_at < cutoff if camera.last_frame_at else camera.created_at < cutoff
        if camera.health == Health.OFFLINE or stale:
            found.append({"id": camera.pk, "name": camera.name, "site": camera.site.name,
                          "kelurahan_id": camera.kelurahan_id,
                          "kelurahan": camera.kelurahan.name if camera.kelurahan_id else "",
                          "health": camera.health, "last_frame_at": camera.last_frame_at,
                          "last_error": camera.last_error})
    return found


def _hourly(city, start: dt.datetime, end: dt.datetime, kelurahan_ids=None) -> dict[tuple[int, dt.datetime], dict]:
    rows = PeopleHourly.objects.filter(camera__city=city, camera__placement=Placement.SERVICE_AREA,
                                       kelurahan__isnull=False, hour__gte=start, hour__lt=end)
    if kelurahan_ids is not None:
        rows = rows.filter(kelurahan_id__in=kelurahan_ids)
    found = {}
    for row in (rows.values("kelurahan_id", "hour").annotate(samples=Sum("samples"), total=Sum("total"),
                                                            peak=Max("peak")).order_by("kelurahan_id", "hour")):
        found[(row["kelurahan_id"], row["hour"])] = row
    return found


def _range(city, start, end) -> tuple[dt.datetime, dt.datetime]:
    if not isinstance(start, dt.datetime):
        start = _local_day(city, start)[0]
    if not isinstance(end, dt.datetime):
        end = _local_day(city, end)[1]  # a date end is inclusive
    return start, end


def people_counts_hourly(*, city, start, end, kelurahan_ids=None) -> list[dict]:
    """Per kelurahan and clock hour (service-area cameras): average and peak people waiting.

    `start`/`end` are dates (whole local days, end included) or aware datetimes (end excluded)."""
    start, end = _range(city, start, end)
    names = dict(city.kecamatan.values_list("kelurahan__id", "kelurahan__name"))
    zone = city.zone
    return [{"kelurahan_id": kel, "kelurahan": names.get(kel, ""), "hour": hour.astimezone(zone),
             "people_avg": round(row["total"] / row["samples"], 2) if row["samples"] else 0.0,
             "people_max": row["peak"], "samples": row["samples"]}
            for (kel, hour), row in _hourly(city, start, end, kelurahan_ids).items()]


def crowd_mismatches(*, city, date: dt.date, now: dt.datetime | None = None, kelurahan_ids=None) -> list[dict]:
    """Per kelurahan and local hour of `date` (up to `now`): people seen waiting against tickets issued."""
    now = now or timezone.now()
    zone = city.zone
    start, end = _local_day(city, date)
    end = min(end, now)
    seen = {(kel, hour.astimezone(zone).hour): row for (kel, hour), row in
            _hourly(city, start, end, kelurahan_ids).items()}
    camera_kelurahan = set(Camera.objects.filter(city=city, placement=Placement.SERVICE_AREA, kelurahan__isnull=False)
                           .values_list("kelurahan_id", flat=True))
    if kelurahan_ids is not None:
        camera_kelurahan &= set(kelurahan_ids)
    tickets: dict[tuple[int, int], int] = defaultdict(int)
    for row in visits_hourly(kelurahan_ids=camera_kelurahan, start=date, end=date):
        if dt.datetime.combine(date, dt.time(row["hour"]), tzinfo=zone) < end:
            tickets[(row["kelurahan_id"], row["hour"])] += row["visits"]
    names = dict(city.kecamatan.values_list("kelurahan__id", "kelurahan__name"))
    rows = []
    for kel, hour in sorted(set(seen) | set(tickets), key=lambda key: (names.get(key[0], ""), key[1])):
        sample = seen.get((kel, hour))
        avg = round(sample["total"] / sample["samples"], 1) if sample and sample["samples"] else 0.0
        peak = sample["peak"] if sample else 0
        issued = tickets.get((kel, hour), 0)
        reason = ""
        # A crowd that stays (the hour's average, not one busy frame) while the desk issues few tickets.
        if peak >= MISMATCH_MIN_PEOPLE and avg >= MISMATCH_MIN_AVERAGE and issued < avg / 2:
            reason = _("banyak orang terlihat menunggu, sedikit tiket: loket tidak mencatat?")
        elif sample and peak == 0 and issued >= MISMATCH_TICKETS_UNSEEN:
            reason = _("banyak tiket, tidak ada orang terlihat: kamera salah arah atau tiket fiktif?")
        rows.append({"kelurahan_id": kel, "kelurahan": names.get(kel, ""), "hour": hour,
                     "people_seen": avg, "people_max": peak, "tickets_issued": issued, "flagged": bool(reason),
                     "reason": reason, "has_camera_data": sample is not None})
    return rows


def counts_series(*, camera: Camera, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The camera's counted frames in [start, end): time, raw detections, debounced count."""
    return list(PeopleCount.objects.filter(camera=camera, at__gte=start, at__lt=end).order_by("at")
                .values("at", "raw", "people"))


def _dwells_by_kelurahan(city, start: dt.datetime, end: dt.datetime, kelurahan_ids=None) -> dict[int, list[float]]:
    rows = DwellSample.objects.filter(camera__city=city, camera__placement=Placement.SERVICE_AREA,
                                      camera__kelurahan__isnull=False, left_at__gte=start, left_at__lt=end)
    if kelurahan_ids is not None:
        rows = rows.filter(camera__kelurahan_id__in=kelurahan_ids)
    found: dict[int, list[float]] = defaultdict(list)
    for kelurahan_id, seconds in rows.values_list("camera__kelurahan_id", "seconds"):
        found[kelurahan_id].append(seconds)
    return found


def dwell_vs_waits(*, city, date: dt.date, kelurahan_ids=None) -> list[dict]:
    """Per kelurahan on `date`: how long the service-area cameras saw people stay in the waiting zone (median and
    p90 of the tracked dwells) against the waits the desk recorded (ticket issued → called), same day."""
    dwells = _dwells_by_kelurahan(city, *_local_day(city, date), kelurahan_ids)
    waits = duration_stats(kelurahan_ids=list(dwells), start=date, end=date, measure="wait") if dwells else {}
    names = dict(city.kecamatan.values_list("kelurahan__id", "kelurahan__name"))
    rows = []
    for kel in sorted(dwells, key=lambda k: names.get(k, "")):
        seen, wait = dwells[kel], waits.get((kel,))
        median, p90 = percentile(seen, 0.5), percentile(seen, 0.9)
        wait_median = wait.median_s if wait else None
        flagged = (len(seen) >= DWELL_MIN_PEOPLE and wait_median is not None
                   and median > wait_median * DWELL_OVER_RATIO + DWELL_OVER_S)
        rows.append({"kelurahan_id": kel, "kelurahan": names.get(kel, ""), "dwell_count": len(seen),
                     "dwell_median_s": median, "dwell_p90_s": p90, "wait_count": wait.count if wait else 0,
                     "wait_median_s": wait_median, "wait_p90_s": wait.p90_s if wait else None, "flagged": flagged,
                     "reason": _("orang menunggu di kamera jauh lebih lama daripada waktu tunggu tercatat di loket")
                     if flagged else ""})
    return rows


def dwell_long(*, city, minutes: float, now: dt.datetime | None = None, window_minutes: int = 60) -> list[dict]:
    """Kelurahan whose people, over the last `window_minutes`, stayed in the waiting zone longer than `minutes`
    (the median of those who left in that window)."""
    now = now or timezone.now()
    names = dict(city.kecamatan.values_list("kelurahan__id", "kelurahan__name"))
    rows = []
    for kel, seen in _dwells_by_kelurahan(city, now - dt.timedelta(minutes=window_minutes), now).items():
        median = percentile(seen, 0.5)
        if median > minutes * 60:
            rows.append({"kelurahan_id": kel, "kelurahan": names.get(kel, ""), "dwell_median_s": median,
                         "dwell_p90_s": percentile(seen, 0.9), "dwell_count": len(seen)})
    return sorted(rows, key=lambda row: row["kelurahan"])


def camera_hourly(*, camera: Camera, start, end) -> list[dict]:
    """The camera's hourly average and peak, and the median and p90 dwell of those who left in the hour; dates
    are whole local days (end included)."""
    start, end = _range(camera.city, start, end)
    zone = camera.city.zone
    return [{"hour": row.hour.astimezone(zone), "people_avg": round(row.average, 1), "people_max": row.peak,
             "samples": row.samples, "dwell_count": row.dwell_count, "dwell_median_s": row.dwell_median_s,
             "dwell_p90_s": row.dwell_p90_s}
            for row in PeopleHourly.objects.filter(camera=camera, hour__gte=start, hour__lt=end).order_by("hour")]


def health_summary(cameras: QuerySet[Camera]) -> dict[str, int]:
    counts = {health: 0 for health in Health.values}
    for health in cameras.filter(active=True).values_list("health", flat=True):
        counts[health] += 1
    return counts
