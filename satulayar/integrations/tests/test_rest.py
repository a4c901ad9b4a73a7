"""REST/JSON pull against real department servers on 127.0.0.1: auth, pagination, mapping, idempotency,
lineage, bad answers (500, HTML, garbage, a page failing half-way) and retries with backoff."""

import datetime as dt

import pytest
from django.utils import timezone

from satulayar.demo import department_apps
from satulayar.integrations import services
from satulayar.integrations.choices import AuthKind, ConnectorKind, Health, Pagination, RunStatus, RunTrigger
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.models import Connector, IndicatorValue
from satulayar.integrations.runs import connector_health, connector_pull, connectors_run_due
from satulayar.integrations.tests.conftest import url_of

VISITS_MAPPING = {"records": "data", "timestamp": "tanggal", "dimension": "kelurahan",
                  "values": [{"indicator": "kunjungan-puskesmas", "field": "jumlah_kunjungan"}]}


def rest_connector(hub, url, *, mapping=None, auth=AuthKind.NONE, secret=None, config=None, name="SIMPUS"):
    fields = {"name": name, "kind": ConnectorKind.REST, "department": hub.org.dinkes, "auth_kind": auth,
              "schedule_minutes": 60, "max_retries": 2}
    connector, _ = services.connector_save(actor=hub.admin, city=hub.city, fields=fields,
                                           config={"url": url, **(config or {})}, secret=secret or {},
                                           mapping=mapping or VISITS_MAPPING)
    return connector


def test_api_key_pages_map_to_kelurahan_values_with_lineage_and_rerun_is_idempotent(hub, demo_servers):
    connector = rest_connector(hub, url_of(demo_servers.dinkes, "/api/v1/kunjungan"), auth=AuthKind.API_KEY,
                               secret={"api_key": department_apps.DINKES_KEY},
                               config={"pagination": Pagination.PAGE, "page_param": "page"})
    assert "simpus" not in connector.secret and secret_open(connector.secret) == {"api_key": department_apps.DINKES_KEY}

    run = connector_pull(connector=connector)
    assert run.status == RunStatus.SUCCESS, run.error
    expected_rows = 3 * department_apps.SERVED_DAYS  # three kelurahan, the served days
    assert (run.read_count, run.accepted_count, run.rejected_count) == (expected_rows, expected_rows, 0)
    assert "Halaman 1" in run.log and run.duration_ms is not None
    values = IndicatorValue.objects.filter(indicator=hub.visits)
    assert values.count() == expected_rows and {v.run_id for v in values} == {run.pk}
    today = dt.datetime.now(department_apps.ZONE).date()
    kuin = values.get(dimension="kelurahan:" + hub.org.kuin.code, period=dt.datetime.combine(
        today, dt.time(), department_apps.ZONE))
    assert kuin.value == department_apps.puskesmas_visits(7, today, "Kuin Cerucuk")
    assert kuin.dimension_label == "Kuin Cerucuk"

    again = connector_pull(connector=connector)
    assert again.status == RunStatus.SUCCESS
    assert values.count() == expected_rows and {v.run_id for v in values.all()} == {again.pk}  # lineage moves
    connector.refresh_from_db()
    assert connector_health(connector) == Health.FRESH and connector.next_run_at > timezone.now()


def test_next_link_pages_with_bearer_and_two_indicators(hub, demo_servers):
    mapping = {"records": "items", "timestamp": "date",
               "values": [{"indicator": "sampah-terangkut", "field": "ton_terangkut"},
                          {"indicator": "ritase-sampah", "field": "ritase"}]}
    connector = rest_connector(hub, url_of(demo_servers.dlh, "/sampah/harian"), mapping=mapping,
                               auth=AuthKind.BEARER, secret={"token": department_apps.DLH_TOKEN},
                               config={"pagination": Pagination.NEXT, "next_path": "next"}, name="SIPSN")
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.SUCCESS, run.error
    assert run.log.count("Halaman") == 2  # three days, two per page
    assert IndicatorValue.objects.filter(indicator=hub.waste).count() == department_apps.SERVED_DAYS
    assert IndicatorValue.objects.filter(indicator=hub.trips).count() == department_apps.SERVED_DAYS


def test_basic_auth_hourly_readings_per_station(hub, demo_servers):
    mapping = {"records": "", "timestamp": "waktu", "dimension": "pos",
               "values": [{"indicator": "tinggi-muka-air", "field": "tinggi_cm"}]}
    connector = rest_connector(hub, url_of(demo_servers.bpbd, "/pos-duga-air/terkini"), mapping=mapping,
                               auth=AuthKind.BASIC, secret={"username": department_apps.BPBD_USER,
                                                            "password": department_apps.BPBD_PASSWORD}, name="Pos duga")
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.SUCCESS, run.error
    values = IndicatorValue.objects.filter(indicator=hub.water)
    assert values.count() == 6 * 3 and values.values("dimension").distinct().count() == 3


def test_wrong_credentials_fail_with_the_reason_and_no_retry(hub, demo_servers):
    connector = rest_connector(hub, url_of(demo_servers.dinkes, "/api/v1/kunjungan"), auth=AuthKind.API_KEY,
                               secret={"api_key": "salah"})
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.FAILED and "HTTP 401" in run.error and "kredensial" in run.error
    connector.refresh_from_db()
    assert connector.retry_attempt == 0 and connector_health(connector) == Health.FAILING


@pytest.mark.parametrize(("status", "content_type", "body", "reason"), [
    (500, "application/json", b'{"error": "db down"}', "HTTP 500"),
    (200, "text/html", b"<!doctype html><html><body>Login</body></html>", "bukan JSON (text/html)"),
    (200, "application/json", b"\x00\xff garbage {{{", "bukan JSON"),
    (200, "application/json", b'{"data": "bukan daftar"}', "bukan daftar"),
])
def test_bad_answers_fail_the_run_with_the_reason_and_write_nothing(hub, department, status, content_type, body,
                                                                    reason):
    department.routes["/api"] = (status, content_type, body)
    connector = rest_connector(hub, department.url + "/api")
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.FAILED and reason in run.error, run.error
    assert not IndicatorValue.objects.exists()


def test_a_page_failing_half_way_leaves_nothing_half_written(hub, department):
    day = dt.date(2026, 11, 30).isoformat()

    def pages(query, headers):
        page = int(query.get("page", 1))
        if page == 3:
            return 502, "text/plain", b"Bad gateway"
        return 200, "application/json", {"data": [{"tanggal": day, "kelurahan": "Kuin Cerucuk",
                                                   "jumlah_kunjungan": page}]}

    department.routes["/api"] = pages
    connector = rest_connector(hub, department.url + "/api", config={"pagination": Pagination.PAGE})
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.FAILED and "HTTP 502" in run.error
    assert not IndicatorValue.objects.exists()
    assert [r["query"]["page"] for r in department.requests] == ["1", "2", "3"]


def test_transient_failures_retry_with_backoff_then_wait_for_the_schedule(hub, department, settings):
    settings.INTEGRATIONS_RETRY_BASE_SECONDS = 60
    department.routes["/api"] = (503, "application/json", b"{}")
    connector = rest_connector(hub, department.url + "/api")
    now = timezone.now()
    first = connector_pull(connector=connector, trigger=RunTrigger.SCHEDULE, now=now)
    connector.refresh_from_db()
    assert first.status == RunStatus.FAILED
    assert (connector.retry_attempt, connector.next_run_at) == (1, now + dt.timedelta(seconds=60))
    later = now + dt.timedelta(seconds=61)
    [retry] = connectors_run_due(now=later)
    connector.refresh_from_db()
    assert (retry.trigger, retry.attempt) == (RunTrigger.RETRY, 2)
    assert (connector.retry_attempt, connector.next_run_at) == (2, later + dt.timedelta(seconds=120))
    last = now + dt.timedelta(seconds=200)
    connectors_run_due(now=last)
    connector.refresh_from_db()
    assert connector.retry_attempt == 0 and connector.next_run_at == last + dt.timedelta(minutes=60)
    assert connector.consecutive_failures == 3

    day = dt.date(2026, 11, 30).isoformat()
    department.json("/api", {"data": [{"tanggal": day, "kelurahan": "Kuin Cerucuk", "jumlah_kunjungan": 4}]})
    recovered = connector_pull(connector=connector)
    connector.refresh_from_db()
    assert recovered.status == RunStatus.SUCCESS and connector.consecutive_failures == 0
    assert connector_health(connector) == Health.FRESH


def test_missing_fields_and_wrong_types_name_the_row_and_field_and_keep_good_rows(hub, department):
    day = "2026-11-30"
    department.json("/api", {"data": [
        {"tanggal": day, "kelurahan": "Kuin Cerucuk", "jumlah_kunjungan": "1.234"},
        {"tanggal": day, "kelurahan": "Pelambuan", "jumlah_kunjungan": "banyak"},
        {"tanggal": "kemarin", "kelurahan": "Pelambuan", "jumlah_kunjungan": 3},
        {"tanggal": day, "kelurahan": "Atlantis", "jumlah_kunjungan": 3},
        {"tanggal": day, "kelurahan": "Pelambuan"},
        {"tanggal": day, "kelurahan": "Kel. Belitung Selatan", "jumlah_kunjungan": 12.5},
    ]})
    run = connector_pull(connector=rest_connector(hub, department.url + "/api"))
    assert run.status == RunStatus.PARTIAL
    assert (run.read_count, run.accepted_count, run.rejected_count) == (6, 2, 4)
    reasons = {(r["row"], r["field"]): r["reason"] for r in run.rejections}
    assert "bukan angka" in reasons[(2, "jumlah_kunjungan")]
    assert "bukan tanggal" in reasons[(3, "tanggal")]
    assert "tidak dikenal" in reasons[(4, "kelurahan")]
    assert "tidak ada" in reasons[(5, "jumlah_kunjungan")]
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [12.5, 1234.0]


def test_a_mapping_pointing_at_missing_fields_fails_saying_which(hub, department):
    department.json("/api", {"data": [{"tgl": "2026-11-30", "kel": "Kuin Cerucuk", "n": 3}] * 2})
    run = connector_pull(connector=rest_connector(hub, department.url + "/api"))
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("Semua 2 baris ditolak. Pertama: baris 1, kolom 'tanggal': kolom 'tanggal' tidak ada")


def test_one_failing_connector_does_not_stop_the_others(hub, department, demo_servers):
    department.routes["/api"] = (500, "text/plain", b"boom")
    broken = rest_connector(hub, department.url + "/api", name="Rusak")
    working = rest_connector(hub, url_of(demo_servers.dinkes, "/api/v1/kunjungan"), auth=AuthKind.API_KEY,
                             secret={"api_key": department_apps.DINKES_KEY}, config={"pagination": Pagination.PAGE})
    runs = {run.connector_id: run for run in connectors_run_due()}
    assert runs[broken.pk].status == RunStatus.FAILED and runs[working.pk].status == RunStatus.SUCCESS
    assert IndicatorValue.objects.filter(run=runs[working.pk]).exists()
    assert connectors_run_due() == []  # both are scheduled later now
    assert Connector.objects.get(pk=working.pk).consecutive_failures == 0


def test_oversized_answer_is_refused(hub, department, settings):
    settings.INTEGRATIONS_MAX_PAYLOAD_BYTES = 1000
    department.json("/api", {"data": [{"tanggal": "2026-11-30", "kelurahan": "Kuin Cerucuk",
                                       "jumlah_kunjungan": 1}] * 100})
    run = connector_pull(connector=rest_connector(hub, department.url + "/api"))
    assert run.status == RunStatus.FAILED and "lebih besar dari batas" in run.error
