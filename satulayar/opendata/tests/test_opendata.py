"""The open-data aggregates and downloads: small counts suppressed (the threshold is a setting), bad input refused."""

import datetime as dt
import json

import pytest

from satulayar.opendata import selectors
from satulayar.visits import services as visit_services
from satulayar.visits.choices import TicketChannel
from satulayar.visits.models import Service
from tests.factories import kelurahan_named

DAY = dt.date(2026, 11, 24)


@pytest.fixture
def tickets(org):
    service = Service.objects.create(city=org.city, code="ktp", prefix="A", name="KTP", order=1)
    at = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
    for n in range(6):
        ticket = visit_services.ticket_issue(kelurahan=org.kuin, service=service, channel=TicketChannel.DESK,
                                             now=at + dt.timedelta(minutes=n))
        assert ticket.number == n + 1
    for n in range(3):
        visit_services.ticket_issue(kelurahan=kelurahan_named("Alalak Utara"), service=service,
                                    channel=TicketChannel.DESK, now=at + dt.timedelta(minutes=n))
    return org


def test_counts_below_the_threshold_are_suppressed(tickets, org):
    rows = {r["kelurahan"]: r for r in selectors.visits_per_day(city=org.city, start=DAY, end=DAY)}
    assert rows["Kuin Cerucuk"]["visits"] == 6 and rows["Kuin Cerucuk"]["suppressed"] is False
    assert rows["Alalak Utara"]["visits"] is None and rows["Alalak Utara"]["suppressed"] is True
    assert rows["Kuin Cerucuk"]["served"] == 0  # zero is not a small count worth hiding


def test_the_threshold_is_a_setting(tickets, org, settings):
    settings.OPENDATA_MIN_COUNT = 2
    rows = {r["kelurahan"]: r for r in selectors.visits_per_day(city=org.city, start=DAY, end=DAY)}
    assert rows["Alalak Utara"]["visits"] == 3
    settings.OPENDATA_MIN_COUNT = 10
    rows = {r["kelurahan"]: r for r in selectors.visits_per_day(city=org.city, start=DAY, end=DAY)}
    assert rows["Kuin Cerucuk"]["visits"] is None


def test_downloads_need_no_login_and_refuse_bad_input(client, tickets):
    response = client.get("/data-terbuka/kunjungan.json?mulai=2026-11-24&sampai=2026-11-24")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert data["min_count"] == 5 and len(data["rows"]) == 2
    csv = client.get("/data-terbuka/kunjungan.csv?mulai=2026-11-24&sampai=2026-11-24").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "date,kelurahan_code,kelurahan,kecamatan,visits,served,suppressed"
    assert "Alalak Utara,Banjarmasin Utara,,0,true" in csv  # true/false, not Python's True/False
    assert "False" not in csv and "True" not in csv
    assert list(data["columns"]) == csv.splitlines()[0].split(",")  # every column documented
    bad = client.get("/data-terbuka/kunjungan.json?mulai=kemarin")
    assert bad.status_code == 422 and "TTTT-BB-HH" in bad.json()["detail"]
    too_long = client.get("/data-terbuka/ikm.json?mulai=2024-01-01&sampai=2026-01-01")
    assert too_long.status_code == 422 and "366 hari" in too_long.json()["detail"]
    assert client.get("/data-terbuka/pegawai.json").status_code == 404
    assert client.get("/data-terbuka/kunjungan.xml").status_code == 404


def test_the_page_renders_for_the_public(client, tickets):
    page = client.get("/data-terbuka/?mulai=2026-11-01&sampai=2026-11-30")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kuin Cerucuk" in text and "&lt;5" in text


def test_public_indicators_are_summarised_and_private_ones_never_shown(client, org, personas):
    from django.utils import timezone

    from satulayar.integrations import services as hub_services
    from satulayar.integrations.models import IndicatorValue
    from satulayar.org.choices import Role
    from tests.factories import make_user

    admin = make_user("admin_integrasi", Role.INTEGRATION_ADMIN, org.city)

    def indicator(code, name, public):
        return hub_services.indicator_save(actor=admin, city=org.city, fields={
            "code": code, "name": name, "owner": org.dinkes, "unit_of_measure": "ton", "public": public})

    waste, secret = indicator("sampah", "Sampah terangkut", True), indicator("rahasia", "Indikator internal", False)
    for day, value in ((20, 10.5), (21, 12.25)):
        for item in (waste, secret):
            IndicatorValue.objects.create(indicator=item, period=dt.datetime(2026, 11, day, tzinfo=dt.UTC),
                                          value=value, updated_at=timezone.now())
    text = client.get("/data-terbuka/?mulai=2026-11-01&sampai=2026-11-30").content.decode()
    assert "Sampah terangkut" in text and "12,25 ton" in text and "10,50 ton" not in text  # the latest value
    assert "Indikator internal" not in text
