"""The camera poller: grabs frames at each camera's interval, counts people, stores, records health.

Grabbing, decoding and detecting run in a thread pool (`CCTV_POLL_CONCURRENCY` threads; OpenCV and socket
reads release the GIL), one job per camera at a time; the database writes happen in the poller's own thread
as the jobs finish. A dead or slow camera holds one thread until its timeout and never delays the others:
the loop keeps submitting due cameras while it waits. `cctv_poll` runs `Poller.run_forever`; the tests and
the benchmark call `Poller.poll_once`. Each camera with a zone has a `DwellTracker` here, in the poller's
memory: a restart ends every open track (those people's dwell is lost, not guessed).

A camera's fault (no answer, a stalled stream, a corrupt frame, a detector that fails on its frame, a frame
of another size than the last) is logged with the camera named and kept as its last error; the others go on.

Several pollers (on one machine or several) share the cameras through a lease per camera: a poller grabs a camera
only after taking or renewing its lease in one conditional UPDATE (`camera_lease_claim`), for the camera's interval
and grab timeout and a little more, so two pollers never grab one camera in the same round, and a dead poller's
cameras go to the others once its leases run out. A poller that stops hands its leases back. A running poller
says so every RELOAD_EVERY_S (`PollerSeen`) and keeps at most its share of the active cameras (their number over
the pollers seen lately, rounded up): over it, it hands a camera back when the camera falls due, and under it, it
takes free ones, so a poller started later gets its share within RELOAD_EVERY_S and two of a camera's intervals.
"""

import datetime as dt
import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.cctv import services
from satulayar.cctv.crypto import credentials_decrypt
from satulayar.cctv.detector import Box, PeopleDetector, default_detector, detector_name, in_zone
from satulayar.cctv.grab import GrabError, frame_decode, frame_grab
from satulayar.cctv.models import Camera, PollerSeen
from satulayar.cctv.tracking import DwellTracker
from satulayar.core.jobs import worker_id
from satulayar.core.vault import SecretUnreadable

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 600
RELOAD_EVERY_S = 10
LEASE_SLACK_S = 5
SEEN_WITHIN_S = 3 * RELOAD_EVERY_S  # a poller not heard from for this long is taken as gone


class _PoolClosed(Exception):
    """The grab pool is shut down: the interpreter is exiting."""


@dataclass(frozen=True)
class Job:
    camera_id: int
    url: str
    kind: str
    username: str
    password: str
    zone: list
    count: bool
    error: str = ""


@dataclass
class Outcome:
    camera_id: int
    at: dt.datetime
    image: np.ndarray | None = None
    people_raw: int | None = None
    boxes: list[Box] | None = None  # the people in the zone
    error: str = ""
    count_error: str = ""


def job_for(camera: Camera) -> Job:
    try:
        username, password, error = *credentials_decrypt(camera.credentials_encrypted), ""
    except SecretUnreadable as exc:
        username, password, error = "", "", str(exc)
    return Job(camera.pk, camera.url, camera.source_kind, username, password, list(camera.zone),
               count=camera.placement == "service_area" or bool(camera.zone), error=error)


def job_run(job: Job, *, detector: PeopleDetector, timeout: float) -> Outcome:
    """Grab, decode, count; never raises for a camera's fault."""
    at = timezone.now()
    if job.error:  # never try the camera with empty credentials: the admin must see why
        return Outcome(job.camera_id, at, error=job.error)
    try:
        image = frame_decode(frame_grab(url=job.url, kind=job.kind, username=job.username, password=job.password,
                                        timeout=timeout))
    except GrabError as exc:
        return Outcome(job.camera_id, at, error=str(exc))
    if not job.count:
        return Outcome(job.camera_id, at, image=image)
    try:
        boxes = in_zone(detector.detect(image), job.zone, width=image.shape[1], height=image.shape[0])
    except Exception as exc:  # a model that fails on one frame must not stop the camera's frames
        return Outcome(job.camera_id, at, image=image, count_error=_("penghitung orang gagal: %(e)s") % {"e": exc})
    return Outcome(job.camera_id, at, image=image, people_raw=len(boxes), boxes=boxes)


def camera_lease_claim(*, camera_id: int, owner: str, seconds: float, now: dt.datetime | None = None) -> bool:
    """Takes or renews the camera for `owner` for `seconds`, unless another poller's lease still runs; one UPDATE,
    so of two pollers asking at once only one gets it."""
    now = now or timezone.now()
    free = Q(poll_owner=owner) | Q(poll_owner="") | Q(poll_lease_until=None) | Q(poll_lease_until__lt=now)
    return bool(Camera.objects.filter(free, pk=camera_id).update(
        poll_owner=owner, poll_lease_until=now + dt.timedelta(seconds=seconds)))


class Poller:
    def __init__(self, *, detector: PeopleDetector | None = None, concurrency: int | None = None,
                 timeout: float | None = None, owner: str | None = None):
        self.detector = detector or default_detector()
        self.concurrency = concurrency or settings.CCTV_POLL_CONCURRENCY
        self.timeout = float(timeout or settings.CCTV_GRAB_TIMEOUT_S)
        self.pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="cctv-grab")
        self.next_due: dict[int, float] = {}
        self.in_flight: dict[Future, Camera] = {}
        self.trackers: dict[int, DwellTracker] = {}
        self.owner = owner or worker_id()
        self.held: set[int] = set()  # the cameras this poller's last claim took
        self.share: int | None = None  # at most this many cameras (None: every free one, as poll_once does)
        log.info("cctv poller: people counted with %s", detector_name(self.detector))

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        Camera.objects.filter(poll_owner=self.owner).update(poll_owner="", poll_lease_until=None)
        PollerSeen.objects.filter(owner=self.owner).delete()

    def share_refresh(self, *, now: dt.datetime | None = None) -> int:
        """Says this poller runs and works out its share of the active cameras."""
        now = now or timezone.now()
        PollerSeen.objects.update_or_create(owner=self.owner, defaults={"seen_at": now})
        PollerSeen.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
        pollers = PollerSeen.objects.filter(seen_at__gte=now - dt.timedelta(seconds=SEEN_WITHIN_S)).count()
        self.share = -(-Camera.objects.filter(active=True).count() // max(pollers, 1))
        return self.share

    def _within_share(self, camera: Camera) -> bool:
        """Whether to grab the camera: one of its own while within its share, a free one while below it."""
        if self.share is None or len(self.held) < self.share:
            return True
        if camera.pk not in self.held:
            return False
        if len(self.held) == self.share:
            return True
        Camera.objects.filter(pk=camera.pk, poll_owner=self.owner).update(poll_owner="", poll_lease_until=None)
        self.held.discard(camera.pk)
        self.trackers.pop(camera.pk, None)
        return False

    def _submit(self, camera: Camera) -> bool:
        """Grabs the camera unless another poller holds it or it is over its share; either way it is due again
        after its interval."""
        self.next_due[camera.pk] = time.monotonic() + camera.interval_s
        if not self._within_share(camera) or not camera_lease_claim(
                camera_id=camera.pk, owner=self.owner, seconds=camera.interval_s + self.timeout + LEASE_SLACK_S):
            self.held.discard(camera.pk)
            self.trackers.pop(camera.pk, None)  # its people are tracked by the poller that has it
            return False
        self.held.add(camera.pk)
        try:
            future = self.pool.submit(job_run, job_for(camera), detector=self.detector, timeout=self.timeout)
        except RuntimeError as exc:  # "cannot schedule new futures after (interpreter) shutdown"
            raise _PoolClosed from exc
        self.in_flight[future] = camera
        return True

    def _record(self, future: Future) -> Outcome:
        camera = self.in_flight.pop(future)
        outcome = future.result()
        camera.refresh_from_db()
        if outcome.error or outcome.count_error:
            log.warning("kamera %s (#%s): %s", camera.name, camera.pk, outcome.error or outcome.count_error)
        if outcome.image is None:
            self.trackers.pop(camera.pk, None)  # whoever was tracked: their dwell is unknown, not guessed
            services.grab_failure_record(camera=camera, error=outcome.error, at=outcome.at)
            return outcome
        dwells, note = self._dwells(camera, outcome)
        if note:
            log.warning("kamera %s (#%s): %s", camera.name, camera.pk, note)
        services.frame_record(camera=camera, image=outcome.image, taken_at=outcome.at,
                              people_raw=outcome.people_raw, dwells=dwells, count_error=outcome.count_error or note)
        return outcome

    def _tracker(self, camera: Camera) -> DwellTracker:
        tracker = self.trackers.get(camera.pk)
        if tracker is None or tracker.interval.total_seconds() != camera.interval_s:
            tracker = self.trackers[camera.pk] = DwellTracker(dt.timedelta(seconds=camera.interval_s))
        return tracker

    def _dwells(self, camera: Camera, outcome: Outcome) -> tuple[list[float], str]:
        """Those who left the zone, and a note when the frame's size changed (the zone, in fractions, still
        applies; the tracks, in pixels, end there)."""
        if outcome.boxes is None:
            return [], ""
        tracker = self._tracker(camera)
        before = tracker.size
        height, width = outcome.image.shape[:2]
        if not tracker.resized(width, height):
            return tracker.update(outcome.boxes, outcome.at), ""
        note = _("ukuran gambar berubah dari %(a)s ke %(b)s") % {"a": "×".join(map(str, before)),
                                                                 "b": f"{width}×{height}"}
        return tracker.flush() + tracker.update(outcome.boxes, outcome.at), note

    def poll_once(self, cameras=None) -> list[Outcome]:
        """Grab every given (default: every active) camera that no other poller holds once, concurrently, and
        record the results."""
        cameras = list(Camera.objects.filter(active=True) if cameras is None else cameras)
        for camera in cameras:
            self._submit(camera)
        outcomes = []
        while self.in_flight:
            done, _pending = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
            outcomes += [self._record(future) for future in done]
        return outcomes

    def run_forever(self, stop: threading.Event, *, tick: float = 0.5) -> None:
        cameras: list[Camera] = []
        loaded = pruned = 0.0
        while not stop.is_set():
            now = time.monotonic()
            try:
                close_old_connections()
                if now - loaded >= RELOAD_EVERY_S:
                    cameras, loaded = list(Camera.objects.filter(active=True)), now
                    self.held &= {camera.pk for camera in cameras}
                    self.share_refresh()
                busy = {camera.pk for camera in self.in_flight.values()}
                for camera in cameras:
                    if camera.pk not in busy and self.next_due.get(camera.pk, 0) <= now:
                        self._submit(camera)
                done, _pending = wait(list(self.in_flight), timeout=tick, return_when=FIRST_COMPLETED)
                for future in done:
                    self._record(future)
                if now - pruned >= PRUNE_EVERY_S:
                    services.history_prune()
                    pruned = now
            except _PoolClosed:  # the process is exiting (Ctrl+C on the demo): end without a traceback
                return
            except Exception:  # the loop outlives a database hiccup; the next tick tries again
                log.exception("cctv poller tick failed")
                stop.wait(2)
            if not self.in_flight:
                stop.wait(tick)
