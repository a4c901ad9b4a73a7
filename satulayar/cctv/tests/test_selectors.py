"""The dashboard contract and the cross-check of people seen against tickets issued."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from satulayar.cctv import selectors
from satulayar.cctv.choices import Health
from satulayar.cctv.models import Camera, PeopleHourly
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.services import ticket_issue

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 11, 30, 11, 40, tzinfo=WITA)


def _seen(camera, hour: int, *, avg: float, peak: int, samples: int = 100):
    start = dt.datetime(2026, 11, 30, hour, tzinfo=WITA)
    PeopleHourly.objects.create(camera=camera, kelurahan_id=camera.kelurahan_id, hour=start, samples=samples,
                                total=round(avg * samples), peak=peak)


@pytest.fixture
def day(cameras, city):
    [service, *_rest] = services_seed_default(city=city)
    for minute in (5, 35):  # two tickets at Kuin Cerucuk at 10.00, none in Alalak Utara
        ticket_issue(kelurahan=cameras.kuin.kelurahan, service=service, channel="desk",
                     now=dt.datetime(2026, 11, 30, 10, minute, tzinfo=WITA))
    for minute in range(12):  # twelve at 9.00 in Alalak Utara while its camera saw nobody
        ticket_issue(kelurahan=cameras.alalak.kelurahan, service=service, channel="desk",
                     now=dt.datetime(2026, 11, 30, 9, minute, tzinfo=WITA))
    _seen(cameras.kuin, 10, avg=4.2, peak=6)
    _seen(cameras.kuin, 11, avg=1.0, peak=2)
    _seen(cameras.alalak, 9, avg=0.0, peak=0)
    _seen(cameras.alalak, 11, avg=0.4, peak=3)  # one busy frame in a quiet hour without tickets: no crowd
    return cameras


def test_crowd_mismatches_flag_many_people_with_few_tickets_and_the_reverse(day, city):
    rows = selectors.crowd_mismatches(city=city, date=NOW.date(), now=NOW)
    by_key = {(r["kelurahan"], r["hour"]): r for r in rows}
    kuin_10 = by_key[("Kuin Cerucuk", 10)]
    assert (kuin_10["people_seen"], kuin_10["tickets_issued"], kuin_10["flagged"]) == (4.2, 2, True)
    assert "loket tidak mencatat" in kuin_10["reason"]
    assert by_key[("Kuin Cerucuk", 11)]["flagged"] is False
    assert by_key[("Alalak Utara", 11)]["flagged"] is False
    alalak_9 = by_key[("Alalak Utara", 9)]
    assert alalak_9["tickets_issued"] == 12 and alalak_9["flagged"] and "tidak ada orang terlihat" in alalak_9["reason"]
    assert set(kuin_10) >= {"kelurahan_id", "kelurahan", "hour", "people_seen", "tickets_issued", "flagged"}
    earlier = selectors.crowd_mismatches(city=city, date=NOW.date(), now=NOW.replace(hour=10, minute=0))
    assert {(r["kelurahan"], r["hour"]) for r in earlier} == {("Alalak Utara", 9)}  # nothing after `now`


def test_people_counts_hourly_per_kelurahan(day, city):
    rows = selectors.people_counts_hourly(city=city, start=NOW.date(), end=NOW.date())
    kuin = [r for r in rows if r["kelurahan"] == "Kuin Cerucuk"]
    assert [(r["hour"].hour, r["people_avg"], r["people_max"]) for r in kuin] == [(10, 4.2, 6), (11, 1.0, 2)]
    assert kuin[0]["hour"].tzinfo is not None


def test_dashboard_cameras_follow_the_viewer(day, city, personas):
    everything = selectors.dashboard_cameras(user=personas.walikota, city=city)
    assert len(everything) == 4
    assert set(everything[0]) == {"id", "name", "site", "kelurahan_id", "kelurahan", "online", "last_frame_at",
                                  "thumbnail_url", "people_now"}
    lurah = selectors.dashboard_cameras(user=personas.lurah_kuin_cerucuk, city=city)
    assert {c["kelurahan"] for c in lurah} == {"Kuin Cerucuk"}
    assert selectors.dashboard_cameras(user=personas.outsider, city=city) == []


def test_cameras_offline_or_silent_for_minutes(cameras, city):
    now = dt.datetime.now(dt.UTC)
    Camera.objects.filter(pk=cameras.kuin.pk).update(health=Health.OFFLINE, last_frame_at=now - dt.timedelta(hours=1))
    Camera.objects.filter(pk=cameras.alalak.pk).update(health=Health.ONLINE,
                                                       last_frame_at=now - dt.timedelta(minutes=20))
    Camera.objects.filter(pk__in=[cameras.dinkes.pk, cameras.kuin_mjpeg.pk]).update(
        health=Health.ONLINE, last_frame_at=now - dt.timedelta(seconds=30))
    found = {c["id"] for c in selectors.cameras_offline(city=city, minutes=15, now=now)}
    assert found == {cameras.kuin.pk, cameras.alalak.pk}
    assert {c["id"] for c in selectors.cameras_offline(city=city, minutes=30, now=now)} == {cameras.kuin.pk}


def test_api_lists_only_visible_cameras_with_health_and_counts(day, client_for):
    lurah = client_for("lurah_kuin_cerucuk").get("/api/cctv/cameras").json()
    assert {c["kelurahan"] for c in lurah} == {"Kuin Cerucuk"} and len(lurah) == 2
    walikota = client_for("walikota")
    assert len(walikota.get("/api/cctv/cameras").json()) == 4
    health = walikota.get(f"/api/cctv/cameras/{day.kuin.pk}/health").json()
    assert health["health"] == "unknown" and health["failures"] == 0
    counts = walikota.get(f"/api/cctv/cameras/{day.kuin.pk}/counts",
                          {"start": "2026-11-30T08:00:00+08:00", "end": "2026-11-30T12:00:00+08:00"}).json()
    assert [h["people_max"] for h in counts["hourly"]] == [6, 2]
    assert client_for("lurah_kuin_cerucuk").get(f"/api/cctv/cameras/{day.alalak.pk}/health").status_code == 404
    assert client_for("outsider").get("/api/cctv/cameras").json() == []
    assert Client().get("/api/cctv/cameras").status_code == 401
    flagged = walikota.get("/api/cctv/crosscheck", {"date": "2026-11-30"}).json()
    assert any(r["flagged"] and r["kelurahan"] == "Kuin Cerucuk" for r in flagged)


def test_crosscheck_page_shows_flagged_hours(day, client_for):
    page = client_for("walikota").get("/cctv/cek-silang/", {"tanggal": "2026-11-30"}).content.decode()
    assert page.count('data-flagged="1"') == 2
    assert client_for("outsider").get("/cctv/cek-silang/").status_code == 403
