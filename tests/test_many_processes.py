"""Many processes, one truth: two `satulayar serve`, two `satulayar worker` and two camera pollers, as
real subprocesses on loopback against one PostgreSQL test database and one Redis. A fingerprint punch sent to one
server, a ticket taken through the other and a camera's count reach the live stream of both, no camera grabbed by
both pollers in one round; the nightly close
sent to both workers at once runs once; a worker killed (SIGKILL) mid-job leaves the job to the other; a server
killed with streams open loses no event for the browser that reconnects to the other with Last-Event-ID."""

import datetime as dt
import itertools
import json
import secrets
import threading
import time
import zoneinfo
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from satulayar.attendance import devices
from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.tasks import daily_status_close
from satulayar.cctv import services as cctv_services
from satulayar.cctv.models import Camera, Frame
from satulayar.cctv.simulator import SCENE_ZONE, CameraSimulator
from satulayar.core.models import Event, JobRun, PendingJob
from satulayar.core.tasks import pending_job_run
from satulayar.dashboard.views import stream_channels
from satulayar.org.choices import SiteKind
from satulayar.org.services import site_create
from satulayar.visits.models import Service
from tests import live_processes as live
from tests.factories import make_employee, second_factor_passed

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SN = "BJMMULTI0001"
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"  # a database of its own: the test flushes it
BATCH_EMPLOYEES, BATCH_DAYS = 30, 120
BATCH_FIRST_DAY = dt.date(2026, 6, 1)
CAMERA_INTERVAL_S = 2


def redis_url() -> str:
    return settings.REDIS_URL or REDIS_TEST_URL


@pytest.fixture
def redis_queue():
    if connection.vendor != "postgresql":
        pytest.skip("several processes need PostgreSQL (LISTEN/NOTIFY, advisory locks); SQLite is one machine's "
                    "database: run with DATABASE_URL=postgres://…")
    url = redis_url()
    queue = RedisHuey("satulayar", url=url)
    try:
        queue.storage.conn.ping()
    except Exception as exc:  # redis' ConnectionError and friends
        pytest.skip(f"Redis is not reachable at {url} ({exc}); .ci/run starts it")
    queue.storage.flush_all()
    yield queue
    queue.storage.flush_all()


def session_cookies(user) -> dict[str, str]:
    """A logged-in session (past the second factor) in the test database the servers read."""
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    second_factor_passed(session, user)
    session.save()
    return {"sessionid": session.session_key, "csrftoken": secrets.token_hex(16)}


class Stream(threading.Thread):
    """One browser's live stream (SSE): the events it received, in order, until the server goes away."""

    def __init__(self, url: str, cookies: dict[str, str], last_event_id: int | None = None):
        super().__init__(daemon=True)
        self.url, self.cookies, self.last_event_id = url, cookies, last_event_id
        self.events: list[tuple[int, str, dict]] = []
        self.connected = threading.Event()
        self.response = None

    def run(self):
        headers = {"Last-Event-ID": str(self.last_event_id)} if self.last_event_id else {}
        try:
            self.response = requests.get(self.url, cookies=self.cookies, headers=headers, stream=True, timeout=(5, 60))
            self.response.raise_for_status()
            frame: dict[str, str] = {}
            for line in self.response.iter_lines(decode_unicode=True):
                self.connected.set()
                if line:
                    field, _sep, value = line.partition(": ")
                    frame[field] = value
                elif "id" in frame:
                    self.events.append((int(frame["id"]), frame["event"], json.loads(frame["data"])))
                    frame = {}
                else:
                    frame = {}
        except (requests.RequestException, AttributeError):  # the server was killed, or close() cut the read
            pass

    def ids(self, kind: str, where=lambda data: True) -> set[int]:
        return {pk for pk, event_kind, data in list(self.events) if event_kind == kind and where(data)}

    @property
    def last_id(self) -> int:
        return max((pk for pk, _kind, _data in list(self.events)), default=0)

    def close(self):
        if self.response is not None:
            self.response.close()


def adms_punch(base_url: str, nip: str, at: dt.datetime, stamp: int) -> None:
    """One attendance line in the machine's own format (ADMS ATTLOG, tab-separated, the machine's local time)."""
    body = f"{nip}\t{timezone.localtime(at):%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0\t0\t0\t0\r\n"
    response = requests.post(f"{base_url}/iclock/cdata?SN={SN}&table=ATTLOG&Stamp={stamp}", data=body.encode(),
                             headers={"Content-Type": "text/plain"}, timeout=15)
    assert (response.status_code, response.text) == (200, "OK: 1")


def desk_ticket(base_url: str, cookies: dict[str, str], kelurahan, service) -> None:
    response = requests.post(f"{base_url}/layanan/loket/{kelurahan.code}/1/tiket/", data={"service": service.pk},
                             cookies=cookies, timeout=15,
                             headers={"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Trigger-After-Settle"] == "queue-changed"


def on_both(streams, kind: str, *, timeout: float = 30, where=lambda data: True) -> set[int]:
    """The ids of `kind` events (whose data meet `where`) that reached every stream, waiting for at least one."""
    return live.wait_for(lambda: set.intersection(*(s.ids(kind, where) for s in streams)), timeout=timeout,
                         what=f"a {kind} event on every stream")


def enqueue(queue: RedisHuey, task) -> None:
    """Sends a task to the workers' Redis queue (this process's own Huey may be another queue)."""
    queue.storage.enqueue(HUEY.serialize_task(task), 0)


class Installation:
    """The processes of one installation, and what the test sets up for them."""

    def __init__(self, tmp_path, redis_url: str):
        self.env = live.process_env(tmp_path, REDIS_URL=redis_url, CCTV_GRAB_TIMEOUT_S="2",
                                    CCTV_COUNT_HOLD_FRAMES="1", EVENTS_STREAM_SECONDS="600")
        self.ports = [live.free_port(), live.free_port()]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.servers = [live.server(port, env=self.env, log=tmp_path / f"server-{n}.log")
                        for n, port in enumerate(self.ports)]
        self.workers = [live.worker(env=self.env, log=tmp_path / f"worker-{n}.log") for n in range(2)]
        self.pollers = [live.LiveProcess(["cctv_poll"], env=self.env, log=tmp_path / f"poller-{n}.log")
                        for n in range(2)]

    def start(self) -> None:
        for process in (*self.servers, *self.workers, *self.pollers):
            process.start()
        for url, server in zip(self.urls, self.servers, strict=True):
            live.wait_until_serving(url, server, timeout=90)

    def stop(self) -> None:
        for process in (*self.servers, *self.workers, *self.pollers):
            process.kill()

    def worker_with_pid(self, pid: int) -> live.LiveProcess:
        return next(worker for worker in self.workers if worker.pid == pid)


def camera_pollers() -> set[str]:
    """The process ids of the pollers holding a camera ("host:pid")."""
    return {owner.rpartition(":")[2] for owner in Camera.objects.exclude(poll_owner="").values_list("poll_owner",
                                                                                                   flat=True)}


def statuses_of(employees) -> int:
    """The batch's days only: a worker started at a five-minute mark also opens today."""
    last_day = BATCH_FIRST_DAY + dt.timedelta(days=BATCH_DAYS - 1)
    return DailyStatus.objects.filter(employee__in=employees, date__range=(BATCH_FIRST_DAY, last_day)).count()


@pytest.fixture
def scene(org, personas):
    """What the processes find in the database: a fingerprint machine, a kelurahan service, two cameras on the
    simulator, a batch of employees, and the sessions of a screen (walikota) and a desk (lurah)."""
    devices.device_register(actor=None, city=org.city, serial_number=SN, name="Lobi Balai Kota")
    site = site_create(actor=None, city=org.city, name="Kantor Kelurahan Kuin Cerucuk", kind=SiteKind.KELURAHAN_OFFICE,
                       unit=org.kel_office, kelurahan=org.kuin, lat=-3.30, lon=114.57)
    simulator = CameraSimulator().start()
    for slug in ("kuin", "kuin-ruang-tunggu"):
        cctv_services.camera_create(actor=None, site=site, name=f"Kamera {slug}", url=simulator.url(slug),
                                    zone=SCENE_ZONE, interval_s=CAMERA_INTERVAL_S)
    yield SimpleNamespace(
        org=org,
        service=Service.objects.create(city=org.city, code="pengantar-ktp-kk", prefix="A",
                                       name="Surat pengantar KTP", sla_minutes=15, order=1),
        batch=[make_employee(org.dinkes, f"Pegawai Batch {n}") for n in range(BATCH_EMPLOYEES)],
        walikota=session_cookies(personas.walikota), lurah=session_cookies(personas.lurah_kuin_cerucuk),
        channels=stream_channels(personas.walikota, org.city))
    simulator.stop()


def check_events_reach_every_screen(city: Installation, streams: list[Stream], scene) -> None:
    """A punch to server A, a ticket through server B, a count by a poller: each on both screens."""
    org = scene.org
    adms_punch(city.urls[0], org.staff.dinkes.nip, timezone.now() - dt.timedelta(minutes=1), stamp=1)
    desk_ticket(city.urls[1], scene.lurah, org.kuin, scene.service)
    on_both(streams, "punch.recorded")
    on_both(streams, "ticket.issued")
    counted = on_both(streams, "camera.frame", timeout=60, where=lambda data: data["people"] is not None)
    assert counted, city.pollers[0].output()


def check_pollers_share_the_cameras(city: Installation) -> None:
    live.wait_for(lambda: all(Frame.objects.filter(camera=c).count() >= 3 for c in Camera.objects.all()),
                  timeout=30, what="three frames of each camera")
    for camera in Camera.objects.all():  # one poller per camera and round: frames an interval apart
        times = list(Frame.objects.filter(camera=camera).order_by("taken_at").values_list("taken_at", flat=True))
        gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= CAMERA_INTERVAL_S / 2, (camera.name, gaps)
    pollers = {str(poller.pid) for poller in city.pollers}
    live.wait_for(lambda: camera_pollers() == pollers, timeout=40, what="the two pollers to hold a camera each")


def check_nightly_close_runs_once(queue: RedisHuey) -> None:
    """Sent to both workers at once (each worker's scheduler sends it at 00:10), it runs once."""
    enqueue(queue, daily_status_close.s())
    enqueue(queue, daily_status_close.s())
    live.wait_for(lambda: JobRun.objects.filter(name="daily_status_close", finished_at__isnull=False).exists(),
                  timeout=30, what="the nightly close to run")
    live.wait_for(lambda: len(queue) == 0, timeout=15, what="both copies taken off the queue")
    time.sleep(1)  # the second copy, taken, finds the run finished (or the lock held) and returns
    runs = list(JobRun.objects.filter(name="daily_status_close"))
    assert len(runs) == 1 and runs[0].attempts == 1 and runs[0].finished_at


def check_killed_workers_job_is_finished_by_the_other(city: Installation, queue: RedisHuey, scene) -> None:
    days = [BATCH_FIRST_DAY + dt.timedelta(days=d) for d in range(BATCH_DAYS)]
    rows = [PunchRow(employee_id=e.pk, at=dt.datetime.combine(day, dt.time(7, 30 + n % 20), WITA))
            for day in days for n, e in enumerate(scene.batch)]
    assert punches_ingest(city=scene.org.city, rows=rows, source=PunchSource.API).accepted == len(rows)
    job = PendingJob.objects.get()
    enqueue(queue, pending_job_run.s(job.pk))
    live.wait_for(lambda: statuses_of(scene.batch) > 0, timeout=40, what="the refresh to begin writing")
    job.refresh_from_db()
    killed = city.worker_with_pid(int(job.claimed_by.rpartition(":")[2]))
    killed.kill()
    assert statuses_of(scene.batch) < len(rows), "the job finished before the kill"
    live.wait_for(lambda: not PendingJob.objects.exists(), timeout=90, what="the other worker to finish the job")
    assert statuses_of(scene.batch) == len(rows)  # one status per employee and day, none twice
    survivor = next(worker for worker in city.workers if worker is not killed)
    assert "runs again, attempt 2" in survivor.log.read_text()


def check_reconnect_to_the_other_server_misses_nothing(city: Installation, streams: list[Stream], scene) -> None:
    """Server A killed with its stream open: the browser reconnects to B with Last-Event-ID."""
    seen = streams[0].last_id
    city.servers[0].kill()
    adms_punch(city.urls[1], scene.org.staff.p2p.nip, timezone.now() - dt.timedelta(minutes=2), stamp=2)
    desk_ticket(city.urls[1], scene.lurah, scene.org.kuin, scene.service)
    missed = Event.objects.filter(id__gt=seen, channel__in=scene.channels)
    assert {"punch.recorded", "ticket.issued"} <= set(missed.values_list("kind", flat=True))
    missed_ids = set(missed.values_list("id", flat=True))
    again = Stream(f"{city.urls[1]}/satu-layar/stream/", scene.walikota, last_event_id=seen)
    streams.append(again)
    again.start()
    live.wait_for(lambda: missed_ids <= {pk for pk, _kind, _data in list(again.events)}, timeout=30,
                  what="the missed events replayed on the other server")
    assert min(pk for pk, _kind, _data in again.events) > seen  # nothing seen before is sent again


def test_two_servers_two_workers_and_two_pollers_give_one_truth(redis_queue, scene, tmp_path):
    city = Installation(tmp_path, redis_url())
    streams: list[Stream] = []
    try:
        city.start()
        streams = [Stream(f"{url}/satu-layar/stream/", scene.walikota) for url in city.urls]
        for stream in streams:
            stream.start()
            assert stream.connected.wait(15), "a stream did not open"
        check_events_reach_every_screen(city, streams, scene)
        check_pollers_share_the_cameras(city)
        check_nightly_close_runs_once(redis_queue)
        check_killed_workers_job_is_finished_by_the_other(city, redis_queue, scene)
        check_reconnect_to_the_other_server_misses_nothing(city, streams, scene)
    finally:
        for stream in streams:
            stream.close()
        city.stop()
        HUEY.flush()
