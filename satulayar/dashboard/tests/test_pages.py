"""The dashboard's pages for each persona: who gets in, what they see, refusals, CSV downloads, the stream."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule
from tests.factories import login_as

PAGES = ["/satu-layar/", "/satu-layar/layar/", "/satu-layar/peta/", "/satu-layar/peta/data.json",
         "/satu-layar/kecamatan/", "/satu-layar/peringatan/", "/satu-layar/panel/services/"]


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("path", PAGES)
def test_the_public_is_sent_to_the_login_page(client, path, personas):
    response = client.get(path)
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_an_employee_without_a_role_is_refused(client_for, path):
    assert client_for("pegawai_dinkes").get(path).status_code == 403
    assert client_for("outsider").get(path).status_code == 403


@pytest.mark.parametrize("path", [*PAGES, "/satu-layar/unit/", "/satu-layar/panel/attendance/"])
def test_the_mayor_sees_every_page(client_for, path):
    assert client_for("walikota").get(path).status_code == 200


def test_the_overview_counts_todays_punches_per_unit(client_for, org):
    punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.kominfo.pk, at=timezone.now())],
                   source=PunchSource.API)
    page = client_for("walikota").get("/satu-layar/").content.decode()
    assert 'data-testid="panel-attendance"' in page and "Diskominfotik" in page
    table = rows(client_for("walikota").get("/satu-layar/panel/attendance/?unduh=csv"))
    assert table[0][:3] == ["Unit", "Hadir (%)", "Hari normal (%)"]
    assert {row[0] for row in table[1:]} >= {"Dinkes", "Diskominfotik"}


def test_a_department_head_gets_their_unit_only(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    table = rows(client.get("/satu-layar/panel/attendance/?unduh=csv"))
    labels = {row[0] for row in table[1:]}
    assert "Dinkes" in labels and not labels & {"Diskominfotik", "Setda"}
    assert client.get(f"/satu-layar/unit/{org.kominfo.pk}/").status_code == 404
    assert client.get(f"/satu-layar/unit/{org.p2p.pk}/").status_code == 200
    assert client.get(f"/satu-layar/kelurahan/{org.kuin.pk}/").status_code == 404
    assert client.get(f"/satu-layar/pegawai/{org.staff.kominfo.pk}/").status_code == 404
    assert client.get("/satu-layar/peta/data.json").json()["features"] == []


def test_the_command_centre_sees_attendance_rates_but_no_names(client_for, org, city):
    from satulayar.org.choices import Role
    from tests.factories import make_user

    client = client_for("walikota")
    login_as(client, make_user("operator_cc2", Role.COMMAND_CENTRE, city))
    page = client.get("/satu-layar/").content.decode()
    assert "Peran Anda tidak mencakup data kehadiran pegawai." not in page
    assert 'data-testid="attendance-present"' in page
    assert "Terlambat hari ini" not in page and org.staff.p2p.name not in page
    assert client.get("/satu-layar/unit/").status_code == 403
    assert len(client.get("/satu-layar/peta/data.json").json()["features"]) == 52


def test_the_kelurahan_page_and_its_downloads(client_for, org):
    client = client_for("lurah_kuin_cerucuk")
    page = client.get(f"/satu-layar/kelurahan/{org.kuin.pk}/")
    assert page.status_code == 200 and "Kuin Cerucuk" in page.content.decode()
    download = client.get(f"/satu-layar/kelurahan/{org.kuin.pk}/?unduh=kunjungan-harian")
    assert download["Content-Type"].startswith("text/csv") and rows(download)[0] == ["Tanggal", "Kunjungan",
                                                                                     "Selesai"]
    assert client.get(f"/satu-layar/kelurahan/{org.kuin.pk}/?unduh=tidak-ada").status_code == 404


def test_a_wrong_date_range_is_explained_and_the_default_used(client_for, org):
    client = client_for("walikota")
    page = client.get("/satu-layar/kecamatan/?mulai=2026-13-01").content.decode()
    assert "Tanggal tidak dapat dibaca; gunakan format TTTT-BB-HH." in page
    page = client.get("/satu-layar/kecamatan/?mulai=2026-11-30&sampai=2026-11-01").content.decode()
    assert "Tanggal mulai harus sebelum atau sama dengan tanggal akhir." in page
    page = client.get("/satu-layar/kecamatan/?mulai=2024-01-01&sampai=2026-11-01").content.decode()
    assert "Rentang paling panjang 366 hari." in page


def test_a_person_page_with_range_and_csv(client_for, org, django_capture_on_commit_callbacks):
    client = client_for("admin_dinas_kesehatan")
    at = timezone.now() - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):  # the daily status is written on commit
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.p2p.pk, at=at)], source=PunchSource.API)
    response = client.get(f"/satu-layar/pegawai/{org.staff.p2p.pk}/")
    assert response.status_code == 200 and "Rahmadi, S.K.M." in response.content.decode()
    table = rows(client.get(f"/satu-layar/pegawai/{org.staff.p2p.pk}/?unduh=jam-datang-pulang"))
    assert table[0][0] == "Tanggal" and len(table) >= 2


def test_rules_are_for_the_city_wide_roles_only(client_for, org):
    assert client_for("admin_dinas_kesehatan").get("/satu-layar/peringatan/aturan/").status_code == 403
    assert client_for("admin_dinas_kesehatan").post("/satu-layar/peringatan/periksa/").status_code == 403
    client = client_for("walikota")
    bad = client.post("/satu-layar/peringatan/aturan/", {"name": "Kehadiran", "kind": "attendance_low",
                                                         "threshold": "120", "active": "on"})
    assert bad.status_code == 422
    assert "Ambang kehadiran berupa persen, lebih dari 0 sampai 100." in bad.content.decode()
    good = client.post("/satu-layar/peringatan/aturan/", {"name": "Kehadiran", "kind": "attendance_low",
                                                          "threshold": "80", "check_time": "09:00", "active": "on"})
    assert good.status_code == 302
    rule = AlertRule.objects.get()
    assert rule.threshold == 80 and rule.check_time == dt.time(9, 0)
    assert client.post(f"/satu-layar/peringatan/aturan/{rule.pk}/", {
        "name": "Kehadiran", "kind": "attendance_low", "threshold": "70", "active": "on"}).status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == 70
    assert client.post("/satu-layar/peringatan/periksa/").status_code == 302


def test_a_rules_webhook_is_checked_on_the_form_and_its_signing_secret_shown_on_its_page(client_for, org):
    client = client_for("walikota")
    refused = client.post("/satu-layar/peringatan/aturan/", {
        "name": "Antrean", "kind": "queue_long", "threshold": "5", "active": "on",
        "webhook_url": "http://metadata.google.internal/computeMetadata/v1/"})
    assert refused.status_code == 422 and "Alamat webhook ditolak" in refused.content.decode()
    assert client.post("/satu-layar/peringatan/aturan/", {
        "name": "Antrean", "kind": "queue_long", "threshold": "5", "active": "on",
        "webhook_url": "https://hooks.banjarmasinkota.go.id/peringatan"}).status_code == 302
    rule = AlertRule.objects.get()
    page = client.get(f"/satu-layar/peringatan/aturan/{rule.pk}/").content.decode()
    assert 'data-testid="webhook-secret">whsec_' in page


def test_alerts_follow_the_viewers_scope_and_are_acknowledged_once(client_for, org):
    rule = AlertRule.objects.create(city=org.city, name="Kehadiran", kind=AlertKind.ATTENDANCE_LOW, threshold=50)
    now = timezone.now()
    kominfo = Alert.objects.create(rule=rule, city=org.city, kind=rule.kind, subject=f"unit:{org.kominfo.pk}",
                                   subject_label="Diskominfotik", unit=org.kominfo, message="Diskominfotik rendah",
                                   opened_at=now, last_seen_at=now)
    dinkes = Alert.objects.create(rule=rule, city=org.city, kind=rule.kind, subject=f"unit:{org.dinkes.pk}",
                                  subject_label="Dinkes", unit=org.dinkes, message="Dinkes rendah", opened_at=now,
                                  last_seen_at=now)
    head = client_for("admin_dinas_kesehatan")
    listing = head.get("/satu-layar/peringatan/").content.decode()
    assert "Dinkes rendah" in listing and "Diskominfotik rendah" not in listing
    assert head.post(f"/satu-layar/peringatan/{kominfo.pk}/ketahui/").status_code == 404
    assert head.post(f"/satu-layar/peringatan/{dinkes.pk}/ketahui/", {"note": "sedang rapat"}).status_code == 302
    dinkes.refresh_from_db()
    assert dinkes.acknowledged_note == "sedang rapat"
    again = head.post(f"/satu-layar/peringatan/{dinkes.pk}/ketahui/", follow=True).content.decode()
    assert "sudah diketahui oleh admin_dinas_kesehatan" in again
    history = rows(client_for("walikota").get("/satu-layar/peringatan/?status=semua&unduh=csv"))
    assert len(history) == 3 and history[0][0] == "Mulai"


def test_the_stream_needs_a_login_and_sends_the_viewers_channels(client, client_for, org):
    assert client.get("/satu-layar/stream/").status_code == 302
    response = client_for("walikota").get("/satu-layar/stream/")
    assert response["Content-Type"] == "text/event-stream"
    assert next(iter(response.streaming_content)).startswith(b"retry:")
    response.close()


def test_an_unknown_panel_is_not_found(client_for):
    assert client_for("walikota").get("/satu-layar/panel/tidak-ada/").status_code == 404


@pytest.mark.parametrize(("path", "budget"), [("/satu-layar/", 45), ("/satu-layar/panel/attendance/", 20),
                                              ("/satu-layar/panel/services/", 16), ("/satu-layar/peta/data.json", 24)])
def test_query_budgets(client_for, org, path, budget, django_assert_max_num_queries):
    client = client_for("walikota")
    client.get(path)
    with django_assert_max_num_queries(budget):
        assert client.get(path).status_code == 200
