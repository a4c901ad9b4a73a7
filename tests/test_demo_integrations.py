"""The demo: indicators, connectors and a deterministic history; then the department apps served on their ports,
the scheduled pulls and the rain gauges' signed pushes flowing for real."""

import datetime as dt
import socket

import pytest
from django.test import Client
from django.urls import reverse

from satulayar.demo import department_apps
from satulayar.demo import integrations as demo
from satulayar.integrations.choices import RunStatus, RunTrigger
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.models import Connector, IndicatorValue, Run
from satulayar.integrations.runs import connectors_run_due
from satulayar.org.choices import UnitKind
from tests.factories import make_unit

END = dt.date(2026, 11, 30)


def free_port_base() -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base < 65000 and all(_free(base + i) for i in range(3)):
            return base
    raise RuntimeError("no three free ports in a row")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def demo_city(org, settings, tmp_path):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the department apps listen on this server's loopback
    settings.DATA_DIR = tmp_path
    settings.INTEGRATIONS_DEMO_PORT = free_port_base()
    make_unit(org.city, "Dinas Lingkungan Hidup", "DLH", short_name="DLH")
    make_unit(org.city, "Badan Penanggulangan Bencana Daerah", "BPBD", UnitKind.BADAN, short_name="BPBD")
    make_unit(org.city, "Dinas Kependudukan dan Pencatatan Sipil", "DISDUKCAPIL", short_name="Disdukcapil")
    return org.city


def test_seed_is_deterministic_and_the_catalogue_shows_fresh_demo_indicators(demo_city, org, personas, client_for):
    line = demo.seed_demo(city=demo_city, days=5, seed=3, end=END, progress=lambda _line: None)
    assert line.startswith("Integrasi data: 6 indikator, 5 sumber data")
    first = dict(IndicatorValue.objects.values_list("id", "value"))
    kuin = IndicatorValue.objects.get(indicator__code="kunjungan-puskesmas", dimension=f"kelurahan:{org.kuin.code}",
                                      period=dt.datetime.combine(END, dt.time(), department_apps.ZONE))
    assert kuin.value == department_apps.puskesmas_visits(3, END, "Kuin Cerucuk")
    assert demo.seed_demo(city=demo_city, days=5, seed=3, end=END, progress=lambda _line: None) == line
    assert dict(IndicatorValue.objects.values_list("id", "value")) == first  # updated in place, not added
    assert Connector.objects.count() == 5

    html = client_for("walikota").get(reverse("integrations:catalogue")).content.decode()
    for code, name, *_rest in demo.INDICATORS:
        assert f'data-code="{code}"' in html and name in html
    assert html.count('data-health="fresh"') == 6 + 5  # six indicators and five datasets
    public = Client().get(reverse("integrations:catalogue")).content.decode()
    assert "Ritase truk sampah" not in public and "Curah hujan" in public


def test_demo_services_make_the_data_flow(demo_city, live_server, settings):
    demo.seed_demo(city=demo_city, days=3, seed=5, end=END, progress=lambda _line: None)
    demo.demo_services()
    runs = connectors_run_due()
    assert {r.connector.name: r.status for r in runs} == {
        "SIMPUS Dinas Kesehatan": RunStatus.SUCCESS, "SIPSN Dinas Lingkungan Hidup": RunStatus.SUCCESS,
        "Pos duga air BPBD": RunStatus.SUCCESS, "SIAK Disdukcapil (basis data)": RunStatus.SUCCESS}
    assert all(r.read_count > 0 for r in runs), [(r.connector.name, r.log) for r in runs]

    rain = Connector.objects.get(name="Penakar hujan otomatis BPBD")
    url = live_server.url + reverse("integrations:webhook", args=[rain.webhook_key])
    pusher = department_apps.RainGaugePusher(seed=5, url=url, secret=secret_open(rain.secret)["webhook_secret"])
    assert pusher.push_once() == 200
    assert Run.objects.filter(connector=rain, trigger=RunTrigger.WEBHOOK, status=RunStatus.SUCCESS).count() == 1
