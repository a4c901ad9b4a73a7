"""The integrity pages: inspectors and executives only, their own city only, every view and judgement audited,
judgement and tuning validated; nothing changes a daily status."""

import datetime as dt

import pytest

from satulayar.audit.models import AuditEntry
from satulayar.core.events import integrity_channel
from satulayar.core.models import Event
from satulayar.dashboard.views import stream_channels
from satulayar.integrity.choices import FindingStatus
from satulayar.integrity.engine import rule_params
from satulayar.integrity.models import Finding, Review
from satulayar.org.models import City

DAY = dt.date(2026, 11, 20)


def _finding(city, employee=None, **extra) -> Finding:
    return Finding.objects.create(city=city, rule="punch_on_leave", key=f"leave:{extra.pop('key', 1)}", score=70,
                                  summary="Merekam hadir 1 hari saat cuti tahunan",
                                  explanation="Pengajuan cuti tahunan sudah disetujui, tetapi ada rekam kehadiran.",
                                  employee=employee, first_date=DAY, last_date=DAY,
                                  evidence=[{"kind": "punch", "id": 1, "at": "2026-11-20T07:30:00+08:00",
                                             "text": "rekam 20-11-2026 07:30:00", "employee": employee.pk}], **extra)


@pytest.fixture
def finding(org):
    return _finding(org.city, org.staff.p2p)


@pytest.mark.parametrize("persona", ["inspektur", "walikota"])
def test_inspectors_and_executives_see_the_list_and_the_finding(client_for, finding, persona):
    client = client_for(persona)
    page = client.get("/integritas/")
    assert page.status_code == 200 and finding.summary in page.content.decode()
    detail = client.get(f"/integritas/{finding.pk}/")
    assert detail.status_code == 200
    assert "rekam 20-11-2026 07:30:00" in detail.content.decode()
    assert AuditEntry.objects.filter(action="view", object_type="integrity.finding", object_id=str(finding.pk)).exists()
    assert AuditEntry.objects.filter(action="view", object_type="integrity.list").exists()


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "admin_dinas_kesehatan", "admin_bkpsdm", "lurah_kuin_cerucuk",
                                     "outsider"])
def test_other_roles_are_refused(client_for, finding, persona):
    client = client_for(persona)
    for url in ("/integritas/", f"/integritas/{finding.pk}/", "/integritas/aturan/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/integritas/{finding.pk}/nilai/", {"status": "benar"}).status_code == 403
    assert client.post("/integritas/aturan/punch_on_leave/", {"min_days": "5"}).status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.NEW


def test_another_citys_finding_is_not_found(client_for, org):
    other = City.objects.create(slug="banjarbaru", name="Banjarbaru", code="63.72", timezone="Asia/Makassar")
    theirs = _finding(other, org.staff.kominfo, key=9)
    client = client_for("inspektur")
    assert client.get(f"/integritas/{theirs.pk}/").status_code == 404
    assert client.post(f"/integritas/{theirs.pk}/nilai/", {"status": "benar"}).status_code == 404
    assert theirs.summary not in client.get("/integritas/").content.decode() or not Finding.objects.filter(
        city=org.city).exists()


def test_judgement_is_stored_audited_and_counted_in_precision(client_for, finding, personas,
                                                             django_capture_on_commit_callbacks):
    client = client_for("inspektur")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/integritas/{finding.pk}/nilai/", {"status": "benar", "note": "Dicek ke unit."})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED
    review = Review.objects.get(finding=finding)
    assert (review.reviewer, review.note) == (personas.inspektur, "Dicek ke unit.")
    assert AuditEntry.objects.filter(action="update", object_type="integrity.finding",
                                     after={"status": "benar"}).exists()
    assert Event.objects.filter(kind="integrity.judged").exists()
    page = client.get("/integritas/").content.decode()
    assert 'data-testid="precision-punch_on_leave">100 %' in page


def test_keliru_needs_a_reason(client_for, finding):
    client = client_for("inspektur")
    client.post(f"/integritas/{finding.pk}/nilai/", {"status": "keliru", "note": ""})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.NEW and not Review.objects.exists()


def test_tuning_switches_a_rule_off_and_sets_thresholds(client_for, org):
    client = client_for("walikota")
    response = client.post("/integritas/aturan/geofence_edge/", {"edge_share_of_radius": "0,85", "min_checkins": "10",
                                                                 "min_share": "0.6"})
    assert response.status_code == 302
    enabled, params = rule_params(city=org.city)["geofence_edge"]
    assert not enabled and params == {"edge_share_of_radius": 0.85, "min_checkins": 10, "min_share": 0.6}
    assert AuditEntry.objects.filter(object_type="integrity.rulesetting").exists()
    client.post("/integritas/aturan/geofence_edge/", {"enabled": "on", "min_checkins": "banyak"})
    assert rule_params(city=org.city)["geofence_edge"][0] is False  # refused: nothing changed


def test_one_screen_shows_the_count_of_new_findings_only_to_those_who_may_see_them(client_for, finding):
    assert 'data-testid="integrity-badge"' in client_for("walikota").get("/satu-layar/").content.decode()
    assert 'data-testid="integrity-badge"' not in client_for("admin_bkpsdm").get("/satu-layar/").content.decode()


def test_the_badge_follows_integrity_events_and_its_partial_counts_new_findings(client_for, finding, personas, org):
    page = client_for("walikota").get("/satu-layar/").content.decode()
    assert 'data-panel-url="/integritas/lencana/" data-kinds="integrity."' in page
    partial = client_for("inspektur").get("/integritas/lencana/")
    assert partial.status_code == 200
    assert '<span class="badge bg-red text-red-fg ms-1" aria-label="1 sinyal baru">1' in partial.content.decode()
    finding.status = FindingStatus.CONFIRMED
    finding.save()
    assert 'aria-label="0 sinyal baru">0<' in client_for("inspektur").get("/integritas/lencana/").content.decode()
    assert integrity_channel(org.city) in stream_channels(personas.walikota, org.city)
    assert integrity_channel(org.city) not in stream_channels(personas.admin_bkpsdm, org.city)
    for persona in ("admin_bkpsdm", "lurah_kuin_cerucuk", "outsider"):
        assert client_for(persona).get("/integritas/lencana/").status_code == 403, persona
