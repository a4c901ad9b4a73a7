"""The demo's cameras: one service-area camera per kelurahan office and a few office entrances, all pointing at
the simulated camera server on 127.0.0.1:CCTV_SIMULATOR_PORT, plus recent hourly people counts.

Two cameras are broken on purpose (one drops every connection, one answers too slowly) so the pages show
offline states. The hourly history follows the demo's visits: by Little's law the people waiting in an hour
are the hour's arrivals times their mean wait; a few office-hours get many more people than tickets (a desk not
recording) so the cross-check has something to flag.

`demo_services` starts the simulator and the poller in daemon threads of the demo process. The poller is a
long-lived loop with per-camera intervals of seconds, finer than Huey's one-minute periodic tasks, so it is
not a Huey task; a deployment runs `satulayar cctv_poll` as its own service instead.
"""

import datetime as dt
import logging
import math
import random
import threading
import zoneinfo
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from satulayar.cctv import services
from satulayar.cctv.choices import Placement, SourceKind
from satulayar.cctv.models import Camera, PeopleHourly
from satulayar.cctv.simulator import DEAD_PREFIX, SCENE_ZONE, SLOW_PREFIX, CameraSimulator
from satulayar.demo.generator import indonesian_number
from satulayar.org.choices import SiteKind
from satulayar.org.models import Site
from satulayar.visits.models import Ticket

log = logging.getLogger(__name__)
HISTORY_DAYS = 14
ENTRANCES = 5
DESK_BLUR = [[0.8, 0.22, 0.2, 0.16]]  # the service desk's screens
SAMPLES_PER_HOUR = 240  # one frame every 15 s


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


def _history_seed(city, cameras: list[Camera], *, end: dt.date, days: int, rng: random.Random) -> int:
    zone = zoneinfo.ZoneInfo(city.timezone)
    start = end - dt.timedelta(days=days - 1)
    by_kelurahan = {c.kelurahan_id: c for c in cameras if c.placement == Placement.SERVICE_AREA}
    arrivals: dict[tuple[int, dt.datetime], list[float]] = defaultdict(list)
    for kelurahan_id, issued_at, called_at in (Ticket.objects.filter(kelurahan_id__in=by_kelurahan,
                                                                     date__range=(start, end))
                                               .values_list("kelurahan_id", "issued_at", "called_at").iterator()):
        hour = issued_at.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        wait = (called_at - issued_at).total_seconds() / 60 if called_at else 10.0
        arrivals[(kelurahan_id, hour)].append(max(0.0, wait))
    unrecorded = set(rng.sample(sorted(by_kelurahan), min(2, len(by_kelurahan))))
    rows = []
    for (kelurahan_id, hour), waits in arrivals.items():
        average = min(12.0, len(waits) * (sum(waits) / len(waits)) / 60)
        if kelurahan_id in unrecorded and hour.date() >= end - dt.timedelta(days=2) and hour.hour == 10:
            average = max(average * 3, 6.0)  # a desk that did not record most of its visitors
        average *= rng.uniform(0.85, 1.15)
        camera = by_kelurahan[kelurahan_id]
        rows.append(PeopleHourly(camera=camera, kelurahan_id=kelurahan_id, hour=hour, samples=SAMPLES_PER_HOUR,
                                 total=round(average * SAMPLES_PER_HOUR),
                                 peak=math.ceil(average * rng.uniform(1.3, 1.8))))
    PeopleHourly.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> str:
    if Camera.objects.filter(city=city).exists():
        return "CCTV: kamera demo sudah ada"
    rng = random.Random(f"{seed}/cctv")
    with transaction.atomic():
        cameras = _cameras_seed(city, rng)
        hours = _history_seed(city, cameras, end=end, days=min(days, HISTORY_DAYS), rng=rng) if days > 0 else 0
    service = sum(c.placement == Placement.SERVICE_AREA for c in cameras)
    return (f"CCTV: {len(cameras)} kamera ({service} ruang layanan kelurahan, {len(cameras) - service} pintu masuk; "
            f"2 sengaja rusak) ke kamera simulasi {_base_url()}, {indonesian_number(hours)} jam riwayat hitungan orang")


def demo_services() -> None:
    try:
        CameraSimulator(port=settings.CCTV_SIMULATOR_PORT).start()
    except OSError as exc:
        log.warning("Kamera simulasi tidak dapat dijalankan di port %s: %s", settings.CCTV_SIMULATOR_PORT, exc)
        return
    if settings.CCTV_DEMO_POLLER:
        threading.Thread(target=_poll_forever, name="cctv-poller", daemon=True).start()


def _poll_forever() -> None:
    from satulayar.cctv.poller import Poller

    Poller().run_forever(threading.Event())

