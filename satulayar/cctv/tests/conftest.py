"""CCTV fixtures: a simulated camera server on an ephemeral port, sites and cameras, frames under a temp folder."""

from types import SimpleNamespace

import pytest

from satulayar.cctv import services
from satulayar.cctv.choices import Placement, SourceKind
from satulayar.cctv.simulator import SCENE_ZONE, CameraSimulator
from satulayar.org.choices import Role, SiteKind
from satulayar.org.services import site_create
from tests.factories import kelurahan_named, make_unit, make_user


@pytest.fixture(autouse=True)
def cctv_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CCTV_GRAB_TIMEOUT_S = 2
    settings.CCTV_OFFLINE_AFTER_FAILURES = 2
    settings.CCTV_COUNT_HOLD_FRAMES = 3
    return settings.MEDIA_ROOT


@pytest.fixture
def simulator(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the simulated cameras listen on this server's loopback
    sim = CameraSimulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def sites(org):
    kuin = site_create(actor=None, city=org.city, name="Kantor Kelurahan Kuin Cerucuk", kind=SiteKind.KELURAHAN_OFFICE,
                       unit=org.kel_office, kelurahan=org.kuin, lat=-3.30, lon=114.57)
    alalak = kelurahan_named("Alalak Utara")
    alalak_office = make_unit(org.city, "Kelurahan Alalak Utara", "KEL-ALALAK-UTARA", "kelurahan", kelurahan=alalak)
    other = site_create(actor=None, city=org.city, name="Kantor Kelurahan Alalak Utara",
                        kind=SiteKind.KELURAHAN_OFFICE, unit=alalak_office, kelurahan=alalak, lat=-3.28, lon=114.59)
    dinkes = site_create(actor=None, city=org.city, name="Kantor Dinas Kesehatan", unit=org.dinkes, lat=-3.31,
                         lon=114.59)
    return SimpleNamespace(kuin=kuin, alalak=other, dinkes=dinkes)


@pytest.fixture
def cameras(sites, simulator):
    def camera(site, slug, **extra):
        extra.setdefault("zone", SCENE_ZONE)
        return services.camera_create(actor=None, site=site, name=f"Kamera {slug}", url=simulator.url(slug), **extra)

    return SimpleNamespace(
        kuin=camera(sites.kuin, "kuin"),
        alalak=camera(sites.alalak, "alalak"),
        dinkes=camera(sites.dinkes, "dinkes", placement=Placement.ENTRANCE, zone=[]),
        kuin_mjpeg=camera(sites.kuin, "kuin-mjpeg", source_kind=SourceKind.MJPEG),
    )


@pytest.fixture
def operator_cc(org):
    return make_user("operator_cc", Role.COMMAND_CENTRE, org.city)
