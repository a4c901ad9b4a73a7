"""Dwell time: the poller tracks people across polls, the hour keeps median and p90, the desk's recorded waits
are compared with it, and an alert rule watches it."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from satulayar.cctv import selectors, services
from satulayar.cctv.models import Camera, DwellSample, PeopleHourly
from satulayar.cctv.poller import Poller
from satulayar.dashboard.alerts import alerts_evaluate
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.models import Ticket
from satulayar.visits.services import ticket_issue

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
DAY = dt.date(2026, 11, 30)


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 30, hour, minute, tzinfo=WITA)


def test_the_hour_keeps_median_and_p90_of_those_who_left(cameras):
    camera = cameras.kuin
    services.dwell_record(camera=camera, left_at=_at(10, 5), seconds=[60.0, 120.0, 180.0])
    services.dwell_record(camera=camera, left_at=_at(10, 50), seconds=[600.0])
    services.dwell_record(camera=camera, left_at=_at(11, 1), seconds=[30.0])
    hourly = PeopleHourly.objects.get(camera=camera, hour=_at(10))
    assert (hourly.dwell_count, hourly.dwell_median_s) == (4, 150.0)
    assert hourly.dwell_p90_s == pytest.approx(180 + 0.7 * 420)
    assert PeopleHourly.objects.get(camera=camera, hour=_at(11)).dwell_median_s == 30
    rows = selectors.camera_hourly(camera=camera, start=DAY, end=DAY)
    assert [(r["hour"].hour, r["dwell_count"]) for r in rows] == [(10, 4), (11, 1)]


def test_the_poller_measures_how_long_people_stay(cameras, simulator):
    camera = cameras.kuin
    simulator.people["kuin"] = 2
    poller = Poller(concurrency=2, timeout=2)
    try:
        for _ in range(3):
            poller.poll_once([Camera.objects.get(pk=camera.pk)])
        assert not DwellSample.objects.exists()  # still there
        simulator.people["kuin"] = 0
        for _ in range(2):  # missed once (forgiven), then gone
            poller.poll_once([Camera.objects.get(pk=camera.pk)])
    finally:
        poller.close()
    dwells = list(DwellSample.objects.filter(camera=camera).values_list("seconds", flat=True))
    assert len(dwells) == 2 and all(15 <= s < 60 for s in dwells)  # three quick polls plus one 15 s interval
    hourly = PeopleHourly.objects.get(camera=camera)
    assert hourly.dwell_count == 2 and hourly.dwell_median_s == pytest.approx(sorted(dwells)[0] / 2 +
                                                                              sorted(dwells)[1] / 2)


@pytest.fixture
def waits(cameras, city):
    """Kuin Cerucuk: six people stayed ~40 min on camera, the desk recorded 5-minute waits. Alalak Utara: 10 min
    on camera, 8 minutes at the desk."""
    [service, *_rest] = services_seed_default(city=city)
    for kelurahan, wait in ((cameras.kuin.kelurahan, 5), (cameras.alalak.kelurahan, 8)):
        for minute in range(0, 30, 5):
            ticket = ticket_issue(kelurahan=kelurahan, service=service, channel="desk", now=_at(9, minute))
            Ticket.objects.filter(pk=ticket.pk).update(called_at=_at(9, minute + wait))
    services.dwell_record(camera=cameras.kuin, left_at=_at(10), seconds=[2400.0 + 60 * i for i in range(6)])
    services.dwell_record(camera=cameras.alalak, left_at=_at(10), seconds=[600.0] * 6)
    return cameras


def test_dwell_is_compared_with_the_desks_recorded_waits(waits, city):
    rows = {r["kelurahan"]: r for r in selectors.dwell_vs_waits(city=city, date=DAY)}
    kuin, alalak = rows["Kuin Cerucuk"], rows["Alalak Utara"]
    assert (kuin["dwell_count"], kuin["dwell_median_s"], kuin["wait_count"], kuin["wait_median_s"]) == (
        6, 2550.0, 6, 300.0)
    assert kuin["flagged"] and "lebih lama" in kuin["reason"]
    assert alalak["wait_median_s"] == 480 and not alalak["flagged"]


def test_the_dwell_api_follows_the_viewer(waits, client_for):
    everything = client_for("walikota").get("/api/cctv/dwell", {"date": "2026-11-30"})
    assert everything.status_code == 200
    assert {r["kelurahan"] for r in everything.json()} == {"Kuin Cerucuk", "Alalak Utara"}
    lurah = client_for("lurah_kuin_cerucuk").get("/api/cctv/dwell", {"date": "2026-11-30"}).json()
    assert [r["kelurahan"] for r in lurah] == ["Kuin Cerucuk"] and lurah[0]["flagged"]
    assert client_for("outsider").get("/api/cctv/dwell").json() == []
    assert Client().get("/api/cctv/dwell").status_code == 401
    assert client_for("walikota").get("/api/cctv/dwell", {"date": "30-11-2026"}).status_code in (400, 422)


def test_an_alert_rule_opens_when_people_stay_too_long(waits, city):
    AlertRule.objects.create(city=city, name="Terlalu lama menunggu", kind=AlertKind.DWELL_LONG, threshold=30)
    result = alerts_evaluate(city=city, now=_at(10, 30))
    [alert] = Alert.objects.filter(rule__kind=AlertKind.DWELL_LONG)
    assert result.opened == 1 and alert.kelurahan_id == waits.kuin.kelurahan_id and alert.value == 42
    assert "Kuin Cerucuk" in alert.message and "42 menit" in alert.message
    assert alerts_evaluate(city=city, now=_at(11, 30)).resolved == 1  # nobody left in the last hour


def test_the_camera_page_shows_the_hours_dwell_in_minutes(cameras, client_for):
    services.dwell_record(camera=cameras.kuin, left_at=timezone.now(), seconds=[600.0, 1200.0])
    page = client_for("walikota").get(f"/cctv/kamera/{cameras.kuin.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lama tinggal (menit)" in html and "15 / 19" in html  # median 900 s, p90 1140 s
