"""RTSP proven: a real RTSP server (GStreamer, Debian packages) serves a real photograph as MJPEG; the poller
grabs it over RTSP, counts the people with the default detector, marks the camera offline when the server
stops, and copes with a stalled stream and a frame of another size."""

import socket
import threading

import pytest

from satulayar.cctv import services
from satulayar.cctv.choices import Health, SourceKind
from satulayar.cctv.evaluation import FOLDER
from satulayar.cctv.models import Camera, Frame
from satulayar.cctv.poller import Poller
from satulayar.cctv.rtsp.process import RtspServer, rtsp_server_available

STREET = FOLDER / "opencv-vtest-000.jpg"  # 640×480, three people (truth.json)
CAMERAMAN = FOLDER / "skimage-camera.jpg"  # 512×512, one person



@pytest.fixture(autouse=True)
def slower_grab(settings):
    assert rtsp_server_available(), ("GStreamer's RTSP server is missing: apt-get install python3-gi "
                                     "gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good "
                                     "(.ci/run does)")
    settings.CCTV_GRAB_TIMEOUT_S = 10  # FFmpeg opens an RTSP stream in about a second; a busy CI machine is slower
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the test's RTSP server listens on loopback


@pytest.fixture
def street():
    server = RtspServer(STREET).start()
    yield server
    server.stop()


@pytest.fixture
def poller():
    poller = Poller(concurrency=2)
    yield poller
    poller.close()


def _rtsp_camera(sites, url: str) -> Camera:
    return services.camera_create(actor=None, site=sites.kuin, name="Kamera RTSP ruang tunggu", url=url,
                                  source_kind=SourceKind.RTSP)


def _fresh(camera) -> Camera:
    return Camera.objects.get(pk=camera.pk)


def test_the_poller_grabs_over_rtsp_counts_and_marks_the_camera_offline_when_the_server_stops(sites, street,
                                                                                              poller):
    camera = _rtsp_camera(sites, street.url)
    [outcome] = poller.poll_once([camera])
    assert outcome.error == "" and outcome.people_raw == 3
    frame = Frame.objects.get(camera=camera)
    assert (frame.width, frame.height, frame.people_raw) == (640, 480, 3)
    assert _fresh(camera).health == Health.ONLINE
    street.stop()
    for _ in range(2):
        [outcome] = poller.poll_once([_fresh(camera)])
        assert "RTSP" in outcome.error
    offline = _fresh(camera)
    assert offline.health == Health.OFFLINE and "RTSP" in offline.last_error


def test_a_frame_of_another_size_is_noted_and_counted(sites, poller, caplog):
    street = RtspServer(STREET).start()
    try:
        camera = _rtsp_camera(sites, street.url)
        poller.poll_once([camera])
    finally:
        street.stop()
    cameraman = RtspServer(CAMERAMAN, port=street.port).start()
    try:
        [outcome] = poller.poll_once([_fresh(camera)])
    finally:
        cameraman.stop()
    assert outcome.people_raw == 1
    fresh = _fresh(camera)
    assert fresh.health == Health.ONLINE and "ukuran gambar berubah dari 640×480 ke 512×512" in fresh.last_error
    assert "Kamera RTSP ruang tunggu" in caplog.text and "ukuran gambar berubah" in caplog.text


def test_a_stalled_stream_times_out_and_the_other_camera_goes_on(sites, street, settings, caplog):
    settings.CCTV_GRAB_TIMEOUT_S = 3
    silent = socket.create_server(("127.0.0.1", 0))  # accepts the connection, never answers
    held = []
    stop = threading.Event()

    def accept():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    poller = Poller(concurrency=2)
    try:
        stalled = services.camera_create(actor=None, site=sites.alalak, name="Kamera macet",
                                         url=f"rtsp://127.0.0.1:{silent.getsockname()[1]}/kamera",
                                         source_kind=SourceKind.RTSP)
        working = _rtsp_camera(sites, street.url)
        outcomes = {o.camera_id: o for o in poller.poll_once([stalled, working])}
    finally:
        poller.close()
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        silent.close()
    assert "RTSP" in outcomes[stalled.pk].error
    assert outcomes[working.pk].error == "" and outcomes[working.pk].people_raw == 3
    assert "Kamera macet" in caplog.text
