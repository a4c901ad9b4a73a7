"""Camera pages and pictures: who sees what, 403 with an audit entry for the rest, privacy blur, editors."""

import json

import pytest
from django.test import Client

from satulayar.audit.models import AuditEntry
from satulayar.cctv import services
from satulayar.cctv.models import Camera
from satulayar.cctv.poller import Poller
from satulayar.cctv.storage import media_file
from tests.factories import login_as


@pytest.fixture
def polled(cameras):
    poller = Poller(concurrency=4, timeout=2)
    try:
        poller.poll_once()
    finally:
        poller.close()
    return cameras


def _client(user) -> Client:
    client = Client()
    login_as(client, user)
    return client


def test_walikota_sees_every_camera_and_each_view_is_audited(polled, client_for):
    walikota = client_for("walikota")
    page = walikota.get("/cctv/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="camera-card"') == 4
    assert AuditEntry.objects.filter(object_type="cctv.grid", action="view").count() == 1
    picture = walikota.get(f"/cctv/kamera/{polled.kuin.pk}/snapshot.jpg")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert picture.content[:2] == b"\xff\xd8"
    entry = AuditEntry.objects.filter(object_type="cctv.camera", object_id=str(polled.kuin.pk)).first()
    assert entry.actor_label == "walikota" and entry.action == "view" and "gambar terakhir" in entry.note


def test_lurah_sees_only_the_cameras_of_their_kelurahan(polled, client_for):
    lurah = client_for("lurah_kuin_cerucuk")
    cards = lurah.get("/cctv/").content.decode()
    assert cards.count('data-testid="camera-card"') == 2  # the two Kuin Cerucuk cameras
    assert lurah.get(f"/cctv/kamera/{polled.kuin.pk}/").status_code == 200
    assert lurah.get(f"/cctv/kamera/{polled.kuin.pk}/thumbnail.jpg").status_code == 200
    assert lurah.get(f"/cctv/kamera/{polled.alalak.pk}/snapshot.jpg").status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "pegawai_dinkes", "inspektur", "admin_dinas_kesehatan"])
@pytest.mark.parametrize("what", ["", "snapshot.jpg", "thumbnail.jpg", "mjpeg/", "langsung/"])
def test_a_role_without_access_gets_403_and_the_attempt_is_logged(polled, client_for, persona, what):
    response = client_for(persona).get(f"/cctv/kamera/{polled.kuin.pk}/{what}")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(object_type="cctv.camera", object_id=str(polled.kuin.pk), action="view")
    assert entry.actor_label == persona and entry.note.startswith("DITOLAK")


def test_anonymous_goes_to_login_and_an_unknown_camera_is_404(polled, client_for):
    assert Client().get(f"/cctv/kamera/{polled.kuin.pk}/snapshot.jpg").status_code == 302
    assert client_for("walikota").get("/cctv/kamera/999999/").status_code == 404


def test_unit_admin_sees_the_cameras_at_their_own_sites(polled, client_for):
    dinkes = client_for("admin_dinas_kesehatan")
    assert dinkes.get(f"/cctv/kamera/{polled.dinkes.pk}/snapshot.jpg").status_code == 200
    assert dinkes.get("/cctv/").content.decode().count('data-testid="camera-card"') == 1


def test_lower_roles_see_privacy_regions_blurred(polled, client_for):
    services.camera_blur_set(actor=None, camera=polled.kuin, regions=[[0.0, 0.0, 0.5, 0.3]])
    raw = client_for("walikota").get(f"/cctv/kamera/{polled.kuin.pk}/snapshot.jpg").content
    blurred = client_for("lurah_kuin_cerucuk").get(f"/cctv/kamera/{polled.kuin.pk}/snapshot.jpg").content
    frame = polled.kuin.frames.get()
    assert raw == media_file(frame.path).read_bytes()
    assert blurred != raw and blurred[:2] == b"\xff\xd8"


def test_the_live_fragment_answers_204_while_nothing_changed(polled, client_for):
    walikota = client_for("walikota")
    fresh = walikota.get(f"/cctv/kamera/{polled.kuin.pk}/langsung/")
    assert fresh.status_code == 200
    version = fresh.content.decode().split('data-live-version="')[1].split('"')[0]
    assert walikota.get(f"/cctv/kamera/{polled.kuin.pk}/langsung/", {"v": version}).status_code == 204
    grid = walikota.get("/cctv/grid/").content.decode()
    grid_version = grid.split('data-grid-version="')[1].split('"')[0]
    assert walikota.get("/cctv/grid/", {"v": grid_version}).status_code == 204


def test_command_centre_draws_the_zone_and_a_lurah_may_not(polled, operator_cc, client_for):
    zone = [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]
    url = f"/cctv/kamera/{polled.kuin.pk}/area/"
    assert _client(operator_cc).post(url, {"zone": json.dumps(zone)}).status_code == 302
    assert Camera.objects.get(pk=polled.kuin.pk).zone == zone
    assert AuditEntry.objects.filter(object_id=str(polled.kuin.pk), action="update").exists()
    assert client_for("lurah_kuin_cerucuk").post(url, {"zone": json.dumps([[0, 0], [1, 0], [1, 1]])}).status_code == 403
    assert Camera.objects.get(pk=polled.kuin.pk).zone == zone


def test_a_bad_zone_is_refused_with_a_reason_and_the_old_one_kept(polled, operator_cc):
    client = _client(operator_cc)
    before = Camera.objects.get(pk=polled.kuin.pk).zone
    response = client.post(f"/cctv/kamera/{polled.kuin.pk}/area/", {"zone": "[[0.1, 0.2], [2, 3]]"}, follow=True)
    assert "Area tunggu perlu 3 sampai 24 titik" in response.content.decode()
    response = client.post(f"/cctv/kamera/{polled.kuin.pk}/area/", {"zone": "bukan json"}, follow=True)
    assert "tidak dapat dibaca" in response.content.decode()
    assert Camera.objects.get(pk=polled.kuin.pk).zone == before


def test_registering_a_camera_refuses_bad_schemes_and_metadata_addresses(sites, operator_cc):
    client = _client(operator_cc)
    form = {"site": sites.kuin.pk, "name": "Kamera baru", "placement": "service_area", "source_kind": "snapshot",
            "viewer_roles": ["executive", "command_centre"], "interval_s": 15, "active": "on"}
    page = client.post("/cctv/kamera/baru/", {**form, "url": "file:///etc/passwd"}).content.decode()
    assert "Skema “file” tidak diizinkan" in page
    page = client.post("/cctv/kamera/baru/", {**form, "url": "http://169.254.169.254/latest/"}).content.decode()
    assert "link-local/metadata" in page
    assert not Camera.objects.filter(name="Kamera baru").exists()
    response = client.post("/cctv/kamera/baru/", {**form, "url": "http://10.20.0.5/snapshot.jpg",
                                                  "username": "admin", "password": "rahasia"})
    camera = Camera.objects.get(name="Kamera baru")
    assert response.status_code == 302 and camera.viewer_role_list == ["executive", "command_centre"]
    entry = AuditEntry.objects.get(object_type="cctv.camera", object_id=str(camera.pk), action="create")
    assert "rahasia" not in json.dumps(entry.after) and entry.after["has_credentials"] is True


def test_lurah_may_not_register_cameras(sites, client_for):
    assert client_for("lurah_kuin_cerucuk").get("/cctv/kamera/baru/").status_code == 403


def test_camera_page_renders_for_the_command_centre_with_editor(polled, operator_cc):
    page = _client(operator_cc).get(f"/cctv/kamera/{polled.kuin.pk}/").content.decode()
    assert "Gambar area tunggu" in page and 'id="zone-data"' in page
