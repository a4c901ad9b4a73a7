"""The visits API: scoped to the kelurahan the caller may read, 404 outside, 401 without a login."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from satulayar.visits import services
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel
from satulayar.visits.models import Service, ServiceOverride
from tests.factories import kelurahan_named

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
DAY = dt.date(2026, 11, 2)
RANGE = {"start": "2026-11-02", "end": "2026-11-02"}


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 2, hour, minute, tzinfo=WITA)


def served(kelurahan, service, *, issued, wait, minutes):
    counter = services.counter_ensure(actor=None, kelurahan=kelurahan, number=1)
    ticket = services.ticket_issue(kelurahan=kelurahan, service=service, channel=TicketChannel.DESK, now=issued)
    called = issued + dt.timedelta(minutes=wait)
    services.ticket_call_next(actor=None, kelurahan=kelurahan, counter=counter, now=called)
    services.ticket_start(actor=None, ticket=ticket, now=called)
    return services.ticket_finish(actor=None, ticket=ticket, now=called + dt.timedelta(minutes=minutes))


@pytest.fixture
def visits(org):
    services_seed_default(city=org.city)
    ktp = Service.objects.get(code="pengantar-ktp-el")
    utara = kelurahan_named("Kuin Utara")
    first = served(org.kuin, ktp, issued=at(8, 0), wait=4, minutes=6)
    served(org.kuin, ktp, issued=at(9, 0), wait=10, minutes=14)  # over the 10-minute target
    served(utara, ktp, issued=at(8, 30), wait=2, minutes=5)
    services.rating_submit(ticket=first, scores={code: 4 for code, _label in IKM_ELEMENTS})
    services.ticket_issue(kelurahan=org.kuin, service=ktp, channel=TicketChannel.ONLINE, now=at(10, 0))
    return utara


@pytest.mark.parametrize("url", ["/api/visits/metrics", "/api/visits/services", "/api/visits/queue",
                                 "/api/visits/kelurahan/1/metrics"])
def test_anonymous_gets_401(url, visits):
    assert Client().get(url).status_code == 401


def test_the_lurah_sees_only_kuin_cerucuk(org, visits, client_for):
    response = client_for("lurah_kuin_cerucuk").get("/api/visits/metrics", RANGE)
    assert response.status_code == 200
    [row] = response.json()
    assert (row["code"], row["name"]) == (org.kuin.code, "Kuin Cerucuk")
    # Waits 4 and 10 min (the 10:00 ticket still waits): median 7 min = 420 s, p90 4 + 0.9 x 6 = 9.4 min = 564 s.
    assert row["wait"] == {"count": 2, "median_s": 420.0, "p90_s": 564.0}
    # Service 6 and 14 min: median 10 min = 600 s, p90 6 + 0.9 x 8 = 13.2 min = 792 s.
    assert row["service"] == {"count": 2, "median_s": 600.0, "p90_s": 792.0}
    assert (row["visits"], row["served"], row["sla_breaches"], row["sla_breach_pct"]) == (3, 2, 1, 50.0)
    assert row["ikm"] == {"respondents": 1, "index": 100.0, "grade": "A", "label": "Sangat baik",
                          "element_means": [4.0] * 9}


def test_city_wide_roles_see_every_kelurahan(visits, client_for):
    rows = client_for("walikota").get("/api/visits/metrics", RANGE).json()
    assert len(rows) == 52
    by_name = {row["name"]: row for row in rows}
    assert by_name["Kuin Utara"]["served"] == 1
    assert by_name["Pasar Lama"]["visits"] == 0 and by_name["Pasar Lama"]["wait"]["median_s"] is None


def test_another_kelurahan_s_metrics_are_404_for_the_lurah(org, visits, client_for):
    lurah = client_for("lurah_kuin_cerucuk")
    assert lurah.get(f"/api/visits/kelurahan/{visits.pk}/metrics", RANGE).status_code == 404
    response = lurah.get(f"/api/visits/kelurahan/{org.kuin.pk}/metrics", RANGE)
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"], body["visits"]) == ("2026-11-02", "2026-11-02", 3)
    [ktp] = body["services"]
    assert (ktp["prefix"], ktp["visits"], ktp["sla_breaches"]) == ("A", 3, 1)
    assert [(d["date"], d["visits"], d["served"]) for d in body["daily"]] == [("2026-11-02", 3, 2)]
    assert [(h["hour"], h["visits"]) for h in body["hourly"]] == [(8, 1), (9, 1), (10, 1)]  # local hours (WITA)


def test_a_user_without_kelurahan_gets_empty_lists(visits, client_for):
    outsider = client_for("outsider")
    for url in ("/api/visits/metrics", "/api/visits/services", "/api/visits/queue"):
        response = outsider.get(url)
        assert (response.status_code, response.json()) == (200, [])
    assert client_for("pegawai_dinkes").get("/api/visits/metrics").json() == []
    assert outsider.get(f"/api/visits/kelurahan/{visits.pk}/metrics").status_code == 404


def test_the_catalogue_for_the_city_and_for_one_kelurahan(org, visits, client_for):
    ktp = Service.objects.get(code="pengantar-ktp-el")
    ServiceOverride.objects.create(kelurahan=org.kuin, service=Service.objects.get(code="sku"), active=False)
    ServiceOverride.objects.create(kelurahan=org.kuin, service=ktp, sla_minutes=12,
                                   requirements="Surat pengantar RT/RW\nFotokopi KK")
    lurah = client_for("lurah_kuin_cerucuk")
    city_wide = lurah.get("/api/visits/services").json()
    assert [s["prefix"] for s in city_wide] == list("ABCDEFGHIJ")
    assert city_wide[0]["sla_minutes"] == 10 and city_wide[0]["requirements"][0] == "Surat pengantar RT/RW"
    offered = lurah.get("/api/visits/services", {"kelurahan": org.kuin.pk}).json()
    assert [s["prefix"] for s in offered] == list("ABCDFGHIJ")  # E (SKU) switched off at Kuin Cerucuk
    assert (offered[0]["sla_minutes"], offered[0]["requirements"]) == (12, ["Surat pengantar RT/RW", "Fotokopi KK"])
    assert lurah.get("/api/visits/services", {"kelurahan": visits.pk}).status_code == 404


def test_queue_now_for_the_kelurahan_in_scope(org, visits, client_for):
    [row] = client_for("lurah_kuin_cerucuk").get("/api/visits/queue").json()
    assert (row["code"], row["kelurahan_id"]) == (org.kuin.code, org.kuin.pk)
    assert set(row) == {"kelurahan_id", "code", "name", "waiting", "at_counter", "done_today", "oldest_issued_at",
                        "longest_wait_s"}
    assert len(client_for("walikota").get("/api/visits/queue").json()) == 52


def test_a_bad_range_is_422(org, visits, client_for):
    lurah = client_for("lurah_kuin_cerucuk")
    response = lurah.get("/api/visits/metrics", {"start": "2026-11-05", "end": "2026-11-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "start"]
    assert lurah.get("/api/visits/metrics", {"start": "2025-01-01", "end": "2026-11-01"}).status_code == 422
    assert lurah.get("/api/visits/metrics", {"start": "kemarin"}).status_code == 422
