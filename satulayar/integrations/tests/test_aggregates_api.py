"""/api/aggregates/: our numbers for other systems with per-client tokens: unknown, wrong and deactivated tokens
answer 401, a scope the client lacks 403; a session login is not enough."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from satulayar.attendance.status import daily_status_rebuild
from satulayar.integrations import services
from satulayar.integrations.mapping import MappedValue, period_start
from satulayar.integrations.models import ApiClient
from satulayar.integrations.runs import run_create, values_upsert
from satulayar.visits.choices import TicketChannel
from satulayar.visits.models import Service
from satulayar.visits.services import ticket_issue

DAY = dt.date(2026, 11, 25)  # a Wednesday


def get(path, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(f"/api/aggregates/{path}", params, **headers)


@pytest.fixture
def tokens(hub):
    _all, everything = services.api_client_create(actor=hub.admin, city=hub.city, name="Portal Satu Data Provinsi",
                                                  scopes=["attendance", "visits", "indicators"])
    _visits, visits_only = services.api_client_create(actor=hub.admin, city=hub.city, name="Aplikasi warga",
                                                      scopes=["visits"])
    return everything, visits_only


def test_token_is_shown_once_and_only_its_hash_kept(hub, tokens):
    everything, _ = tokens
    client = ApiClient.objects.get(name="Portal Satu Data Provinsi")
    assert everything.startswith(f"sl_{client.token_prefix}_") and everything not in client.token_hash
    assert client.last_used_at is None
    assert get("visits/daily", everything).status_code == 200
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_refusals(hub, tokens, client_for):
    everything, visits_only = tokens
    assert get("visits/daily").status_code == 401
    assert get("visits/daily", "sl_deadbeef_tebakan").status_code == 401
    assert get("visits/daily", everything[:-2] + "xx").status_code == 401
    assert client_for("walikota").get("/api/aggregates/visits/daily").status_code == 401  # session is not a token
    refused = get("attendance/daily", visits_only)
    assert refused.status_code == 403 and "attendance" in refused.json()["detail"]
    client = ApiClient.objects.get(name="Portal Satu Data Provinsi")
    services.api_client_set_active(actor=hub.admin, client=client, active=False)
    assert get("visits/daily", everything).status_code == 401
    assert get("visits/daily", everything, start="2026-01-01", end="2027-06-01").status_code == 401
    assert get("visits/daily", visits_only, start="2025-01-01", end="2026-06-01").status_code == 422


def test_attendance_visits_and_indicators(hub, tokens):
    everything, _ = tokens
    daily_status_rebuild(city=hub.city, start=DAY, end=DAY, now=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
    rows = get("attendance/daily", everything, start=DAY, end=DAY).json()
    assert rows and {r["date"] for r in rows} == {DAY.isoformat()}
    dinkes = next(r for r in rows if r["unit_code"] == "DINKES")
    assert dinkes["expected"] == dinkes["absent"] == 1 and dinkes["attendance_rate"] == 0.0
    assert "name" not in dinkes and "nip" not in str(rows).lower()

    service = Service.objects.create(city=hub.city, code="sktm", prefix="C", name="SKTM")
    when = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    for _ in range(3):
        ticket_issue(kelurahan=hub.org.kuin, service=service, channel=TicketChannel.DESK, now=when)
    visits = get("visits/daily", everything, start=DAY, end=DAY).json()
    assert visits == [{"date": DAY.isoformat(), "kelurahan_code": hub.org.kuin.code,
                       "kelurahan_name": "Kuin Cerucuk", "visits": 3, "served": 0}]

    connector, _ = services.connector_save(actor=hub.admin, city=hub.city, fields={
        "name": "x", "kind": "upload", "department": hub.dlh}, config={}, secret={}, mapping={})
    run = run_create(connector=connector, trigger="manual")
    period = period_start(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), "day", zoneinfo.ZoneInfo("Asia/Makassar"))
    values_upsert(values=[MappedValue(indicator=hub.waste, period=period, dimension="", dimension_label="",
                                      value=612.5, row=1)], run=run)
    values = get("indicators", everything, start=DAY, end=DAY).json()
    assert values == [{"code": "sampah-terangkut", "name": "Sampah terangkut", "unit": "ton",
                       "period": DAY.isoformat(), "dimension": "", "dimension_label": "", "value": 612.5}]
