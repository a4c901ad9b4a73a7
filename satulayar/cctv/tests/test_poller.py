"""The poller against the simulated camera server over real HTTP: frames, health, counts, bad cameras."""

import datetime as dt

import pytest
from django.utils import timezone

from satulayar.cctv import services
from satulayar.cctv.choices import Health
from satulayar.cctv.crypto import credentials_decrypt
from satulayar.cctv.models import Camera, Frame, PeopleCount, PeopleHourly
from satulayar.cctv.poller import Poller
from satulayar.cctv.simulator import CameraSimulator
from satulayar.cctv.storage import media_file
from satulayar.core.models import Event


@pytest.fixture
def poller():
    poller = Poller(concurrency=4, timeout=2)
    yield poller
    poller.close()


def _fresh(camera) -> Camera:
    return Camera.objects.get(pk=camera.pk)


def test_frames_are_stored_with_thumbnails_and_the_camera_goes_online(cameras, poller, simulator,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = poller.poll_once()
    assert {o.camera_id for o in outcomes} == {cameras.kuin.pk, cameras.alalak.pk, cameras.dinkes.pk,
                                              cameras.kuin_mjpeg.pk}
    assert all(not o.error for o in outcomes), [o.error for o in outcomes]
    for camera in (cameras.kuin, cameras.kuin_mjpeg, cameras.dinkes):
        frame = Frame.objects.get(camera=camera)
        assert media_file(frame.path).read_bytes()[:2] == b"\xff\xd8"
        assert media_file(frame.thumbnail_path).stat().st_size < media_file(frame.path).stat().st_size
        assert (frame.width, frame.height) == (640, 480)
        fresh = _fresh(camera)
        assert fresh.health == Health.ONLINE and fresh.last_frame_at == frame.taken_at and fresh.last_error == ""
    assert Frame.objects.get(camera=cameras.dinkes).people_raw is None  # an entrance camera without a zone: no count
    kinds = list(Event.objects.filter(channel__startswith="cctv:").values_list("kind", flat=True))
    assert kinds.count("camera.frame") == 4 and kinds.count("camera.health") == 4


def test_health_goes_online_offline_online(cameras, poller, simulator, django_capture_on_commit_callbacks):
    camera = cameras.kuin
    with django_capture_on_commit_callbacks(execute=True):
        _health_walk(camera, poller, simulator)
    events = Event.objects.filter(channel=f"cctv:{camera.city_id}", kind="camera.health", data__camera_id=camera.pk)
    transitions = [(e.data["previous"], e.data["health"]) for e in events.order_by("id")]
    assert transitions == [("unknown", "online"), ("online", "offline"), ("offline", "online")]


def _health_walk(camera, poller, simulator):
    poller.poll_once([camera])
    assert _fresh(camera).health == Health.ONLINE
    port = simulator.port
    simulator.stop()
    poller.poll_once([_fresh(camera)])
    once = _fresh(camera)
    assert once.health == Health.ONLINE and once.failures == 1  # one dropped frame is not an outage
    poller.poll_once([once])
    offline = _fresh(camera)
    assert offline.health == Health.OFFLINE and offline.failures == 2
    assert "tidak dapat terhubung" in offline.last_error
    assert offline.last_frame_at < offline.last_attempt_at
    restarted = CameraSimulator(port=port).start()
    try:
        poller.poll_once([offline])
    finally:
        restarted.stop()
    back = _fresh(camera)
    assert back.health == Health.ONLINE and back.failures == 0 and back.last_error == ""


def test_known_people_are_counted_and_the_stored_count_is_debounced(cameras, poller, simulator):
    camera = cameras.kuin
    simulator.people["kuin"] = 4
    for _ in range(2):
        poller.poll_once([_fresh(camera)])
    assert _fresh(camera).people_now is None  # not yet held for three frames
    poller.poll_once([_fresh(camera)])
    assert abs(_fresh(camera).people_now - 4) <= 1
    simulator.people["kuin"] = 1
    poller.poll_once([_fresh(camera)])
    assert abs(_fresh(camera).people_now - 4) <= 1  # one frame of a new count changes nothing
    for _ in range(2):
        poller.poll_once([_fresh(camera)])
    assert abs(_fresh(camera).people_now - 1) <= 1
    series = list(PeopleCount.objects.filter(camera=camera).values_list("raw", "people"))
    assert len(series) == 4 and all(abs(raw - people) <= 3 for raw, people in series)
    hourly = PeopleHourly.objects.get(camera=camera)
    assert hourly.samples == 4 and hourly.kelurahan_id == camera.kelurahan_id and hourly.peak >= 3


def test_a_slow_camera_times_out_without_holding_back_the_others(cameras, poller, simulator):
    simulator.slow.add("alalak")
    simulator.slow_s = 4
    outcomes = {o.camera_id: o for o in poller.poll_once([cameras.kuin, cameras.alalak])}
    assert "tidak menjawab dalam 2 detik" in outcomes[cameras.alalak.pk].error
    assert not outcomes[cameras.kuin.pk].error
    assert outcomes[cameras.kuin.pk].at <= outcomes[cameras.alalak.pk].at + dt.timedelta(seconds=1)


def test_dead_and_corrupt_cameras_are_recorded_as_errors(cameras, poller, simulator):
    simulator.dead.add("kuin")
    simulator.corrupt.add("alalak")
    for _ in range(2):
        poller.poll_once([_fresh(cameras.kuin), _fresh(cameras.alalak)])
    dead, corrupt = _fresh(cameras.kuin), _fresh(cameras.alalak)
    assert dead.health == corrupt.health == Health.OFFLINE
    assert "tidak dapat terhubung" in dead.last_error
    assert "data gambar rusak" in corrupt.last_error
    assert not Frame.objects.filter(camera__in=[dead, corrupt]).exists()


def test_credentials_are_stored_encrypted_and_sent_to_the_camera(sites, simulator, poller):
    simulator.auth["rahasia"] = ("operator", "kata-sandi-kamera")
    camera = services.camera_create(actor=None, site=sites.kuin, name="Kamera terkunci", url=simulator.url("rahasia"),
                                    username="operator", password="kata-sandi-kamera")
    assert "kata-sandi-kamera" not in camera.credentials_encrypted
    assert credentials_decrypt(camera.credentials_encrypted) == ("operator", "kata-sandi-kamera")
    [outcome] = poller.poll_once([camera])
    assert not outcome.error
    services.camera_update(actor=None, camera=camera, password="salah")
    [outcome] = poller.poll_once([_fresh(camera)])
    assert "kredensial" in outcome.error and "401" in outcome.error


def test_history_is_pruned_by_age_and_by_size_keeping_each_latest_frame(cameras, poller, simulator, settings):
    for _ in range(3):
        poller.poll_once([_fresh(cameras.kuin), _fresh(cameras.alalak)])
    frames = list(Frame.objects.filter(camera=cameras.kuin).order_by("taken_at"))
    assert len(frames) == 3
    later = timezone.now() + dt.timedelta(hours=settings.CCTV_RETENTION_HOURS + 1)
    result = services.history_prune(now=later)
    assert result["frames_by_age"] == 4  # all but each camera's latest
    assert list(Frame.objects.filter(camera=cameras.kuin)) == [frames[-1]]
    assert not media_file(frames[0].path).exists() and media_file(frames[-1].path).exists()

    for _ in range(2):
        poller.poll_once([_fresh(cameras.kuin)])
    settings.CCTV_HISTORY_MAX_MB = 0  # a cap below one frame: only the latest of each camera stays
    result = services.history_prune()
    assert result["frames_by_size"] == 2
    assert Frame.objects.count() == 2


class _BrokenModel:
    """A detector that fails on every frame, as a damaged model or an onnxruntime fault would."""

    def detect(self, image):
        raise RuntimeError("ONNXRuntimeError: kernel gagal")


def test_a_detector_failing_on_a_frame_keeps_the_frame_and_names_the_camera(cameras, simulator, caplog):
    broken = Poller(detector=_BrokenModel(), concurrency=2, timeout=2)
    try:
        outcomes = {o.camera_id: o for o in broken.poll_once([cameras.kuin, cameras.dinkes])}
    finally:
        broken.close()
    assert "penghitung orang gagal" in outcomes[cameras.kuin.pk].count_error
    kuin = _fresh(cameras.kuin)
    assert kuin.health == Health.ONLINE and "kernel gagal" in kuin.last_error
    assert Frame.objects.get(camera=kuin).people_raw is None
    assert _fresh(cameras.dinkes).last_error == ""  # no zone, no detection: untouched
    assert "Kamera kuin" in caplog.text and "kernel gagal" in caplog.text


def test_a_poller_whose_pool_is_shut_down_ends_quietly(transactional_db, cameras, caplog):
    """Ctrl+C on the demo shuts the grab pool while the poller's thread still runs: it ends, no traceback."""
    import threading

    closing = Poller(concurrency=2, timeout=2)
    closing.pool.shutdown()
    finished = threading.Event()
    worker = threading.Thread(target=lambda: (closing.run_forever(threading.Event(), tick=0.05), finished.set()))
    worker.start()
    worker.join(10)
    assert finished.is_set()
    assert "tick failed" not in caplog.text
