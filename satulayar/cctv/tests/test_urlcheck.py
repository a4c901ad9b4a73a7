import pytest
from django.core.exceptions import ValidationError

from satulayar.cctv.grab import GrabError, frame_decode, frame_grab
from satulayar.cctv.urlcheck import source_url_validate


@pytest.mark.parametrize(("url", "kind", "reason"), [
    ("ftp://10.0.0.5/cam.jpg", "snapshot", "Skema “ftp” tidak diizinkan"),
    ("file:///etc/passwd", "snapshot", "Skema “file” tidak diizinkan"),
    ("javascript:alert(1)", "mjpeg", "Skema “javascript” tidak diizinkan"),
    ("rtsp://10.0.0.5/stream", "snapshot", "Skema “rtsp” tidak diizinkan"),
    ("http://10.0.0.5/x.jpg", "rtsp", "Skema “http” tidak diizinkan"),
    ("http://169.254.169.254/latest/meta-data/", "snapshot", "link-local/metadata"),
    ("http://[fe80::1]/x.jpg", "snapshot", "link-local/metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "snapshot", "layanan metadata"),
    ("http://0.0.0.0/x.jpg", "snapshot", "tidak dapat dipakai sebagai tujuan"),
    ("http://admin:rahasia@10.0.0.5/x.jpg", "snapshot", "Jangan menaruh nama pengguna"),
    ("http:///x.jpg", "snapshot", "tidak menyebut host"),
    ("http://10.0.0.5:port/x.jpg", "snapshot", "tidak dapat dibaca"),
])
def test_bad_source_urls_are_refused_with_a_reason(url, kind, reason):
    with pytest.raises(ValidationError) as refused:
        source_url_validate(url, kind)
    assert reason in " ".join(refused.value.messages)


@pytest.mark.parametrize(("url", "kind"), [
    ("http://127.0.0.1:8765/kamera/a/snapshot.jpg", "snapshot"),
    ("https://cctv.banjarmasinkota.go.id/kel/1.jpg", "snapshot"),
    ("http://192.168.1.64/mjpeg", "mjpeg"),
    ("rtsp://10.0.0.5:554/Streaming/Channels/101", "rtsp"),
])
def test_camera_addresses_on_office_networks_are_accepted(url, kind):
    assert source_url_validate(f"  {url} ", kind) == url


def test_a_grab_refuses_a_metadata_address_even_when_the_url_was_not_checked():
    with pytest.raises(GrabError, match="alamat ditolak"):
        frame_grab(url="http://169.254.169.254/latest/", kind="snapshot", timeout=1)


def test_corrupt_bytes_are_not_an_image():
    for data in (b"", b"<html>502 Bad Gateway</html>", b"\xff\xd8\xff\xe0" + b"\x00" * 50):
        with pytest.raises(GrabError, match="data gambar rusak"):
            frame_decode(data)


def test_with_the_default_settings_a_grab_of_a_camera_on_loopback_is_refused(sites, simulator, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(GrabError, match="alamat ditolak: alamat loopback"):
        frame_grab(url=simulator.url("kuin"), kind="snapshot", timeout=1)
    with pytest.raises(GrabError, match="alamat ditolak: alamat loopback"):
        frame_grab(url="rtsp://localhost:8554/Streaming/Channels/101", kind="rtsp", timeout=1)
