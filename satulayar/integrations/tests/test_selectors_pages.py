"""The contract the dashboard, open data and alerts read (connectors_health, indicators_latest,
public_indicator_values), the catalogue, and who may see or change what on the pages."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satulayar.integrations import services
from satulayar.integrations.choices import ConnectorKind, RunStatus
from satulayar.integrations.mapping import MappedValue, period_start
from satulayar.integrations.models import Connector
from satulayar.integrations.runs import connector_after_run, run_create, values_upsert
from satulayar.integrations.selectors import connectors_health, indicators_latest, public_indicator_values
from tests.factories import login_as

ZONE = zoneinfo.ZoneInfo("Asia/Makassar")


@pytest.fixture
def filled(hub):
    """Fourteen-plus days of waste (public) and trips (internal) from one upload connector, last run just now."""
    connector, _ = services.connector_save(actor=hub.admin, city=hub.city, fields={
        "name": "Rekap DLH", "kind": ConnectorKind.UPLOAD, "department": hub.dlh, "update_frequency": "daily"},
        config={}, secret={}, mapping={"values": [{"indicator": "sampah-terangkut", "field": "ton"},
                                                   {"indicator": "ritase-sampah", "field": "rit"}]})
    run = run_create(connector=connector, trigger="upload")
    values = []
    for day in range(20):
        moment = dt.datetime(2026, 11, 11, 12, tzinfo=ZONE) + dt.timedelta(days=day)
        values.append(MappedValue(indicator=hub.waste, period=period_start(moment, "day", ZONE), dimension="",
                                  dimension_label="", value=500 + day, row=day))
        values.append(MappedValue(indicator=hub.trips, period=period_start(moment, "day", ZONE), dimension="",
                                  dimension_label="", value=80, row=day))
    values_upsert(values=values, run=run)
    run.status = RunStatus.SUCCESS
    run.save()
    connector_after_run(connector=connector, run=run)
    return connector


def test_connectors_health_contract(hub, filled):
    failing, _ = services.connector_save(actor=hub.admin, city=hub.city, fields={
        "name": "API rusak", "kind": ConnectorKind.REST, "department": hub.bpbd}, config={"url": "http://x.invalid/"},
        secret={}, mapping={"values": [{"indicator": "sampah-terangkut", "field": "n"}]})
    Connector.objects.filter(pk=failing.pk).update(consecutive_failures=2, last_error="HTTP 500")
    rows = {row["name"]: row for row in connectors_health(city=hub.city)}
    assert set(rows["Rekap DLH"]) >= {"id", "name", "department", "kind", "health", "last_success_at", "last_error"}
    assert rows["Rekap DLH"]["health"] == "fresh" and rows["Rekap DLH"]["department"] == "Dinas Lingkungan Hidup"
    assert (rows["API rusak"]["health"], rows["API rusak"]["last_error"]) == ("failing", "HTTP 500")
    later = timezone.now() + dt.timedelta(days=3)
    assert {r["name"]: r["health"] for r in connectors_health(city=hub.city, now=later)}["Rekap DLH"] == "stale"


def test_indicators_latest_and_public_values(hub, filled, personas):
    rows = {r["code"]: r for r in indicators_latest(user=personas.walikota, city=hub.city)}
    waste = rows["sampah-terangkut"]
    assert set(waste) >= {"code", "name", "unit", "owner", "value", "period", "updated_at", "health", "series"}
    assert (waste["value"], waste["period"], waste["unit"]) == (519.0, dt.date(2026, 11, 30), "ton")
    assert len(waste["series"]) == 14 and waste["series"][0] == (dt.date(2026, 11, 17), 506.0)
    assert waste["health"] == "fresh" and rows["ritase-sampah"]["value"] == 80
    assert rows["kunjungan-puskesmas"]["value"] is None and rows["kunjungan-puskesmas"]["series"] == []

    public = {r["code"] for r in indicators_latest(user=None, city=hub.city, public_only=True)}
    assert public == {"sampah-terangkut", "kunjungan-puskesmas", "tinggi-muka-air"}
    outsider = {r["code"] for r in indicators_latest(user=personas.outsider, city=hub.city)}
    assert outsider == public  # who may not view the hub sees the public ones only

    values = public_indicator_values(city=hub.city, start=dt.date(2026, 11, 29), end=dt.date(2026, 11, 30))
    assert values == [
        {"code": "sampah-terangkut", "name": "Sampah terangkut", "unit": "ton", "period": dt.date(2026, 11, 29),
         "dimension": "", "dimension_key": "", "value": 518.0},
        {"code": "sampah-terangkut", "name": "Sampah terangkut", "unit": "ton", "period": dt.date(2026, 11, 30),
         "dimension": "", "dimension_key": "", "value": 519.0}]
    assert all(v["code"] != "ritase-sampah" for v in public_indicator_values(city=hub.city))


def test_catalogue_is_searchable_and_the_public_sees_public_indicators_only(hub, filled, client_for):
    url = reverse("integrations:catalogue")
    html = client_for("walikota").get(url).content.decode()
    assert "Ritase truk sampah" in html and "Rekap DLH" in html and 'data-health="fresh"' in html
    public = Client().get(url).content.decode()
    assert "Sampah terangkut" in public and "Ritase truk sampah" not in public and "Rekap DLH" not in public
    found = client_for("walikota").get(url, {"q": "tinggi air"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Tinggi muka air sungai" in found and "Sampah terangkut" not in found and "<html" not in found
    nothing = Client().get(url, {"q": "ritase"}).content.decode()
    assert 'data-testid="catalogue-empty"' in nothing


@pytest.mark.parametrize("name", ["walikota", "admin_integrasi"])
def test_viewers_see_the_hub(hub, filled, name):
    client = Client()
    login_as(client, hub.admin if name == "admin_integrasi" else getattr(hub.personas, name))
    for url in (reverse("integrations:hub_home"), reverse("integrations:connector_detail", args=[filled.pk]),
                reverse("integrations:indicator_list"),
                reverse("integrations:run_detail", args=[filled.runs.get().pk])):
        assert client.get(url).status_code == 200, url


def test_refusals_on_pages(hub, filled, client_for):
    for name in ("outsider", "pegawai_dinkes", "admin_dinas_kesehatan", "lurah_kuin_cerucuk"):
        client = client_for(name)
        assert client.get(reverse("integrations:hub_home")).status_code == 403
        assert client.get(reverse("integrations:connector_detail", args=[filled.pk])).status_code == 403
    assert Client().get(reverse("integrations:hub_home")).status_code == 302  # to the login
    walikota = client_for("walikota")  # views, never changes
    for url in (reverse("integrations:connector_new"), reverse("integrations:indicator_new"),
                reverse("integrations:api_clients"), reverse("integrations:connector_edit", args=[filled.pk])):
        assert walikota.get(url).status_code == 403, url
    assert walikota.post(reverse("integrations:connector_preview"), {"kind": "rest"}).status_code == 403


def test_admin_creates_indicator_and_api_client_through_the_pages(hub):
    client = Client()
    login_as(client, hub.admin)
    response = client.post(reverse("integrations:indicator_new"), {
        "code": "curah-hujan", "name": "Curah hujan", "unit_of_measure": "mm", "owner": hub.bpbd.pk,
        "aggregation": "sum", "granularity": "hour", "dimension_kind": "text", "update_frequency": "hourly",
        "licence": "CC-BY-4.0", "public": "on", "description": "Curah hujan per pos"})
    assert response.status_code == 302
    duplicate = client.post(reverse("integrations:indicator_new"), {
        "code": "curah-hujan", "name": "Lagi", "owner": hub.bpbd.pk, "aggregation": "sum", "granularity": "day",
        "dimension_kind": "none", "update_frequency": "daily", "licence": "CC-BY-4.0"})
    assert duplicate.status_code == 200 and "sudah dipakai" in duplicate.content.decode()
    page = client.post(reverse("integrations:api_clients"), {"name": "Portal provinsi", "scopes": ["visits"]})
    html = page.content.decode()
    assert 'data-testid="api-token"' in html
    assert 'data-testid="api-token"' not in client.get(reverse("integrations:api_clients")).content.decode()
