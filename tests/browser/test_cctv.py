"""The camera grid in real headless Chromium: thumbnails from the simulated cameras load, and refresh live
(without a reload, on the camera events of the stream) when the poller stores new frames; an offline camera shows
as such."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from satulayar.cctv import services
from satulayar.cctv.poller import Poller
from satulayar.cctv.simulator import SCENE_ZONE, CameraSimulator
from satulayar.org import services as org_services
from satulayar.org.choices import Role, SiteKind, UnitKind
from tests.factories import kelurahan_named, make_unit


@pytest.fixture
def cctv(transactional_db, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CCTV_OFFLINE_AFTER_FAILURES = 1
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the simulated cameras listen on loopback
    simulator = CameraSimulator().start()
    cameras = []
    for name in ("Kuin Cerucuk", "Alalak Utara", "Belitung Utara"):
        kelurahan = kelurahan_named(name)
        office = make_unit(city, f"Kelurahan {name}", f"KEL-{name.upper().replace(' ', '-')}", UnitKind.KELURAHAN,
                           kelurahan=kelurahan)
        site = org_services.site_create(actor=None, city=city, name=f"Kantor Kelurahan {name}", unit=office,
                                        kind=SiteKind.KELURAHAN_OFFICE, kelurahan=kelurahan, lat=-3.3, lon=114.6)
        slug = name.lower().replace(" ", "-")
        cameras.append(services.camera_create(actor=None, site=site, name=f"Ruang layanan {name}",
                                              url=simulator.url(slug), zone=SCENE_ZONE))
    simulator.dead.add("belitung-utara")
    user = get_user_model().objects.create_user(username="operator_cc", password="satulayar")
    org_services.role_assign(actor=None, user=user, role=Role.COMMAND_CENTRE, city=city)
    poller = Poller(concurrency=3, timeout=2)
    poller.poll_once()
    yield poller, cameras
    poller.close()
    simulator.stop()


def test_the_grid_shows_live_thumbnails(cctv, live_server, page, login):
    poller, cameras = cctv
    login(page, "operator_cc")
    page.goto(f"{live_server.url}/cctv/")
    thumbs = page.get_by_test_id("camera-thumb")
    expect(thumbs).to_have_count(2)
    for index in range(2):
        thumb = thumbs.nth(index)
        page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=thumb.element_handle())
    offline = page.locator('[data-testid="camera-card"]', has_text="Belitung Utara")
    expect(offline).to_contain_text("Luring")
    expect(offline).to_contain_text("Belum ada gambar")
    first_src = thumbs.first.get_attribute("src")
    # no polling: the grid listens to the event stream (a slow poll only while the stream is down)
    assert "every" not in page.locator("#camera-grid").get_attribute("hx-trigger")
    expect(page.locator("body")).to_have_attribute("data-live-stream", "online")

    poller.poll_once(cameras[:2])  # new frames arrive; the grid refreshes itself on their camera.frame events
    expect(thumbs.first).not_to_have_attribute("src", first_src, timeout=15_000)
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=thumbs.first.element_handle())

    page.locator('[data-testid="camera-card"]', has_text="Kuin Cerucuk").click()
    expect(page.get_by_test_id("camera-image")).to_be_visible()
    expect(page.get_by_test_id("camera-health")).to_contain_text("Daring")
