"""The demo's cameras: one service-area camera per kelurahan office and a few office entrances, all pointing at
the simulated camera server on 127.0.0.1:CCTV_SIMULATOR_PORT, plus recent hourly people counts.

Two cameras are broken on purpose (one drops every connection, one answers too slowly) so the pages show
offline states. The hourly history follows the demo's visits: by Little's law the people waiting in an hour
are the hour's arrivals times their mean wait; a few office-hours get many more people than tickets (a desk not
recording) so the cross-check has something to flag. Each hour's dwell (median, p90) is the tickets' waits with
some noise, and the last `DWELL_DAYS` keep one dwell sample per ticket for the dwell-against-waits check.

`demo_services` starts the simulator and the poller in daemon threads of the demo process. The poller is a
long-lived loop with per-camera intervals of seconds, finer than Huey's one-minute periodic tasks, so it is
not a Huey task; a deployment runs `satulayar cctv_poll` as its own service instead.
"""

import datetime as dt
import logging
import math
import random
import threading
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from satulayar.cctv import services
from satulayar.cctv.choices import Placement, SourceKind
from satulayar.cctv.models import Camera, DwellSample, PeopleHourly
from satulayar.cctv.services import percentile
from satulayar.cctv.simulator import DEAD_PREFIX, SCENE_ZONE, SLOW_PREFIX, CameraSimulator
from satulayar.core.time import zone_named
from satulayar.demo.generator import indonesian_number
from satulayar.demo.live import demo_seed
from satulayar.org.choices import SiteKind
from satulayar.org.models import Site
from satulayar.visits.models import Ticket

log = logging.getLogger(__name__)
HISTORY_DAYS = 14
ENTRANCES = 5
DESK_BLUR = [[0.8, 0.22, 0.2, 0.16]]  # the service desk's screens
SAMPLES_PER_HOUR = 240  # one frame every 15 s
DWELL_DAYS = 2


def _base_url() -> str:
    return f"http://127.0.0.1:{settings.CCTV_SIMULATOR_PORT}"


def _slug(site: Site) -> str:
    return site.kelurahan.code.replace(".", "") if site.kelurahan_id else f"lokasi{site.pk}"


def _cameras_seed(city, rng: random.Random) -> list[Camera]:
    offices = list(Site.objects.filter(city=city, kind=SiteKind.KELURAHAN_OFFICE, kelurahan__isnull=False)
                   .select_related("kelurahan").order_by("kelurahan__code"))
    picked = rng.sample(range(len(offices)), 2) if len(offices) > 2 else []
    broken = {offices[i].pk: prefix for i, prefix in zip(picked, (DEAD_PREFIX, SLOW_PREFIX), strict=False)}
    cameras = []
    for site in offices:
        slug = broken.get(site.pk, "") + f"kel-{_slug(site)}"
        cameras.append(services.camera_create(
            actor=None, site=site, name=f"Ruang layanan {site.kelurahan.name}", url=f"{_base_url()}/kamera/{slug}/"
            "snapshot.jpg", location="Ruang tunggu, menghadap loket", zone=SCENE_ZONE, blur_regions=DESK_BLUR))
    entrances = Site.objects.filter(city=city, unit__kind="kecamatan").select_related("unit").order_by("name")
    for site in entrances[:ENTRANCES]:
        cameras.append(services.camera_create(
            actor=None, site=site, name=f"Pintu masuk {site.name}", placement=Placement.ENTRANCE,
            source_kind=SourceKind.MJPEG, url=f"{_base_url()}/kamera/pintu-{site.pk}/mjpeg", interval_s=30,
            location="Pintu masuk utama"))
    return cameras


UNRECORDED_HOURS = (10, 11)  # when the planted desks fail to record most of their visitors
COMPANIONS = 0.3  # a visitor comes with someone this often


def planted(people: float) -> float:
    """People on camera at a planted desk: three times those with tickets, at least six."""
    return max(3 * people, 6.0)


def unrecorded_kelurahan(*, seed: int, ids) -> set[int]:
    """The two kelurahan whose desk is planted as not recording most visitors (history and live day alike)."""
    ids = sorted(set(ids))
    return set(random.Random(f"{seed}/cctv/unrecorded").sample(ids, min(2, len(ids))))


def _history_seed(city, cameras: list[Camera], *, end: dt.date, days: int, rng: random.Random, seed: int) -> int:
    zone = city.zone
    start = end - dt.timedelta(days=days - 1)
    by_kelurahan = {c.kelurahan_id: c for c in cameras if c.placement == Placement.SERVICE_AREA}
    arrivals: dict[tuple[int, dt.datetime], list[float]] = defaultdict(list)
    stays: dict[tuple[int, dt.datetime], list[float]] = defaultdict(list)
    for kelurahan_id, issued_at, called_at, finished_at in (
            Ticket.objects.filter(kelurahan_id__in=by_kelurahan, date__range=(start, end))
            .values_list("kelurahan_id", "issued_at", "called_at", "finished_at").iterator()):
        hour = issued_at.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        wait = (called_at - issued_at).total_seconds() / 60 if called_at else 10.0
        arrivals[(kelurahan_id, hour)].append(max(0.0, wait))
        # In the camera's view from the ticket until the visit ends (at the desk too), as the live count.
        stays[(kelurahan_id, hour)].append(max(0.0, ((finished_at or issued_at) - issued_at).total_seconds() / 60))
    unrecorded = unrecorded_kelurahan(seed=seed, ids=by_kelurahan)
    rows, dwells = [], []
    for (kelurahan_id, hour), waits in arrivals.items():
        stay = stays[(kelurahan_id, hour)]
        average = min(6.0, (1 + COMPANIONS) * sum(stay) / 60)  # Little's law; the live camera shows at most 6
        if kelurahan_id in unrecorded and hour.date() >= end - dt.timedelta(days=2) and hour.hour in UNRECORDED_HOURS:
            average = planted(average)  # a desk that did not record most of its visitors
        average *= rng.uniform(0.85, 1.15)
        camera = by_kelurahan[kelurahan_id]
        stayed = [60 * wait * rng.uniform(0.9, 1.3) for wait in waits]
        rows.append(PeopleHourly(camera=camera, kelurahan_id=kelurahan_id, hour=hour, samples=SAMPLES_PER_HOUR,
                                 total=round(average * SAMPLES_PER_HOUR),
                                 peak=math.ceil(average * rng.uniform(1.3, 1.8)), dwell_count=len(stayed),
                                 dwell_median_s=percentile(stayed, 0.5), dwell_p90_s=percentile(stayed, 0.9)))
        if hour.date() > end - dt.timedelta(days=DWELL_DAYS):
            dwells += [DwellSample(camera=camera, left_at=hour + dt.timedelta(minutes=30), seconds=s) for s in stayed]
    PeopleHourly.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    DwellSample.objects.bulk_create(dwells, batch_size=2000)
    return len(rows)


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> str:
    if Camera.objects.filter(city=city).exists():
        return "CCTV: kamera demo sudah ada"
    rng = random.Random(f"{seed}/cctv")
    with transaction.atomic():
        cameras = _cameras_seed(city, rng)
        hours = _history_seed(city, cameras, end=end, days=min(days, HISTORY_DAYS), rng=rng,
                              seed=seed) if days > 0 else 0
    service = sum(c.placement == Placement.SERVICE_AREA for c in cameras)
    return (f"CCTV: {len(cameras)} kamera ({service} ruang layanan kelurahan, {len(cameras) - service} pintu masuk; "
            f"2 sengaja rusak) ke kamera simulasi {_base_url()}, {indonesian_number(hours)} jam riwayat hitungan orang")


WAITING_CACHE_S = 15
CATCH_UP_WAIT_S = 900


class WaitingPeople:
    """How many people a kelurahan's service-area camera sees now: the visitors its desk has issued tickets to and
    not yet finished (some with a companion), plus, in UNRECORDED_HOURS, a crowd at the planted desks that do not
    record their visitors. Read from the database at most every WAITING_CACHE_S seconds."""

    def __init__(self, *, seed: int):
        self.seed, self._lock = seed, threading.Lock()
        self._at, self._counts, self._kelurahan, self._unrecorded, self._zone = 0.0, {}, {}, set(), None

    def _load(self, now: float) -> None:
        from django.db import close_old_connections

        from satulayar.visits.selectors import queue_now

        close_old_connections()
        try:
            if not self._kelurahan:
                cameras = Camera.objects.filter(placement=Placement.SERVICE_AREA, kelurahan__isnull=False)
                self._kelurahan = {camera.url.split("/kamera/")[-1].split("/")[0]: camera.kelurahan_id
                                   for camera in cameras.only("url", "kelurahan_id")}
                ids = sorted(set(self._kelurahan.values()))
                self._unrecorded = unrecorded_kelurahan(seed=self.seed, ids=ids)
                city = cameras.select_related("city").first()
                self._zone = city.city.zone if city else zone_named(settings.TIME_ZONE)
            at = dt.datetime.fromtimestamp(now, dt.UTC)
            self._counts = {q.kelurahan_id: q.waiting + q.at_counter
                            for q in queue_now(kelurahan_ids=sorted(set(self._kelurahan.values())), now=at)}
        finally:
            close_old_connections()
        self._at = now

    def __call__(self, slug: str, now: float) -> int | None:
        with self._lock:
            if now - self._at > WAITING_CACHE_S:
                self._load(now)
        kelurahan_id = self._kelurahan.get(slug)
        if kelurahan_id is None:
            return None
        visitors = self._counts.get(kelurahan_id, 0)
        rng = random.Random(f"{self.seed}/{slug}/{int(now // 60)}")
        people = visitors + sum(rng.random() < COMPANIONS for _n in range(visitors))
        local = dt.datetime.fromtimestamp(now, self._zone)
        if kelurahan_id in self._unrecorded and local.hour in UNRECORDED_HOURS and local.weekday() < 5:
            people = round(planted(people))
        return people


def demo_services() -> str | None:
    try:
        simulator = CameraSimulator(port=settings.CCTV_SIMULATOR_PORT)
        simulator.people_source = WaitingPeople(seed=demo_seed())
        simulator.start()
    except OSError as exc:
        log.warning("Kamera simulasi tidak dapat dijalankan di port %s: %s", settings.CCTV_SIMULATOR_PORT, exc)
        return f"! Kamera simulasi tidak berjalan: port {settings.CCTV_SIMULATOR_PORT} terpakai ({exc})"
    if settings.CCTV_DEMO_POLLER:
        threading.Thread(target=_poll_forever, name="cctv-poller", daemon=True).start()
    return (f"Kamera simulasi: {_base_url()}" + (", dibaca pemantau kamera tiap beberapa detik"
                                                  if settings.CCTV_DEMO_POLLER else ""))


def _poll_forever() -> None:
    from satulayar.cctv.poller import Poller
    from satulayar.demo.live import CAUGHT_UP

    CAUGHT_UP.wait(timeout=CATCH_UP_WAIT_S)  # counting people against a queue still being replayed misleads
    Poller().run_forever(threading.Event())

