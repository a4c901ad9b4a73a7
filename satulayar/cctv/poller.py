"""The camera poller: grabs frames at each camera's interval, counts people, stores, records health.

Grabbing, decoding and detecting run in a thread pool (`CCTV_POLL_CONCURRENCY` threads; OpenCV and socket
reads release the GIL), one job per camera at a time; the database writes happen in the poller's own thread
as the jobs finish. A dead or slow camera holds one thread until its timeout and never delays the others:
the loop keeps submitting due cameras while it waits. `cctv_poll` runs `Poller.run_forever`; the tests and
the benchmark call `Poller.poll_once`.
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
from django.utils import timezone

from satulayar.cctv import services
from satulayar.cctv.crypto import credentials_decrypt
from satulayar.cctv.detector import PeopleDetector, count_in_zone, default_detector
from satulayar.cctv.grab import GrabError, frame_decode, frame_grab
from satulayar.cctv.models import Camera

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 600
RELOAD_EVERY_S = 10


@dataclass(frozen=True)
class Job:
    camera_id: int
    url: str
    kind: str
    username: str
    password: str
    zone: list
    count: bool


@dataclass
class Outcome:
    camera_id: int
    at: dt.datetime
    image: np.ndarray | None = None
    people_raw: int | None = None
    error: str = ""


def job_for(camera: Camera) -> Job:
    username, password = credentials_decrypt(camera.credentials_encrypted)
    return Job(camera.pk, camera.url, camera.source_kind, username, password, list(camera.zone),
               count=camera.placement == "service_area" or bool(camera.zone))


def job_run(job: Job, *, detector: PeopleDetector, timeout: float) -> Outcome:
    """Grab, decode, count; never raises for a camera's fault."""
    at = timezone.now()
    try:
        image = frame_decode(frame_grab(url=job.url, kind=job.kind, username=job.username, password=job.password,
                                        timeout=timeout))
    except GrabError as exc:
        return Outcome(job.camera_id, at, error=str(exc))
    people = None
    if job.count:
        boxes = detector.detect(image)
        people = count_in_zone(boxes, job.zone, width=image.shape[1], height=image.shape[0])
    return Outcome(job.camera_id, at, image=image, people_raw=people)


class Poller:
    def __init__(self, *, detector: PeopleDetector | None = None, concurrency: int | None = None,
                 timeout: float | None = None):
        self.detector = detector or default_detector()
        self.concurrency = concurrency or settings.CCTV_POLL_CONCURRENCY
        self.timeout = float(timeout or settings.CCTV_GRAB_TIMEOUT_S)
        self.pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="cctv-grab")
        self.next_due: dict[int, float] = {}
        self.in_flight: dict[Future, Camera] = {}

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, camera: Camera) -> None:
        future = self.pool.submit(job_run, job_for(camera), detector=self.detector, timeout=self.timeout)
        self.in_flight[future] = camera
        self.next_due[camera.pk] = time.monotonic() + camera.interval_s

    def _record(self, future: Future) -> Outcome:
        camera = self.in_flight.pop(future)
        outcome = future.result()
        camera.refresh_from_db()
        if outcome.image is not None:
            services.frame_record(camera=camera, image=outcome.image, taken_at=outcome.at,
                                  people_raw=outcome.people_raw)
        else:
            services.grab_failure_record(camera=camera, error=outcome.error, at=outcome.at)
        return outcome

    def poll_once(self, cameras=None) -> list[Outcome]:
        """Grab every given (default: every active) camera once, concurrently, and record the results."""
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
            except Exception:  # the loop outlives a database hiccup; the next tick tries again
                log.exception("cctv poller tick failed")
                stop.wait(2)
            if not self.in_flight:
                stop.wait(tick)
