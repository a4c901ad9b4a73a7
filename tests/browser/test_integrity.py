"""The inspector's integrity round in a browser: the ranked list, a finding with its evidence, a judgement (its
precision shows on the list), and switching a rule's threshold on the rules page."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from satulayar.integrity.engine import rule_params
from satulayar.integrity.models import Finding, Review
from satulayar.integrity.services import finding_judge
from satulayar.org import services as org_services
from satulayar.org.choices import Role, UnitKind
from tests.factories import make_employee, make_unit

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def findings(transactional_db, city):
    unit = make_unit(city, "Dinas Kesehatan", "DINKES", UnitKind.DINAS, short_name="Dinkes")
    siti, rina = make_employee(unit, "Siti Rahmah"), make_employee(unit, "Rina Wati")
    inspector = get_user_model().objects.create_user(username="inspektur_web", password="satulayar")
    org_services.role_assign(actor=None, user=inspector, role=Role.INSPECTOR, city=city)
    Finding.objects.create(city=city, rule="frozen_position", key=f"{rina.pk}:akurasi", score=61,
                           summary="Akurasi sama persis pada 9 dari 11 presensi ponsel", explanation="Posisi beku.",
                           employee=rina, first_date=DAY, last_date=DAY, evidence=[
                               {"kind": "punch", "id": 7, "at": None, "text": "20-11-2026 06:51:00 · ± 12 m",
                                "employee": rina.pk}])
    return Finding.objects.create(
        city=city, rule="punch_on_leave", key="leave:1", score=78, summary="Merekam hadir 2 hari saat cuti tahunan",
        explanation="Pengajuan cuti tahunan 19-11-2026–20-11-2026 sudah disetujui, tetapi ada rekam kehadiran.",
        employee=siti, first_date=DAY - dt.timedelta(days=1), last_date=DAY,
        evidence=[{"kind": "leave", "id": 3, "at": None, "text": "Cuti tahunan 19-11-2026–20-11-2026",
                   "employee": siti.pk},
                  {"kind": "punch", "id": 11, "at": None, "text": "rekam 20-11-2026 07:31:00 (Mesin sidik jari)",
                   "employee": siti.pk}])


def test_list_finding_judgement_and_tuning(findings, live_server, page, login):
    login(page, "inspektur_web")
    page.goto(f"{live_server.url}/integritas/")
    rows = page.get_by_test_id("integrity-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Merekam hadir 2 hari saat cuti tahunan")  # the higher score first
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("explanation")).to_contain_text("sudah disetujui")
    expect(page.get_by_test_id("evidence-row")).to_have_count(2)
    expect(page.get_by_test_id("evidence-table")).to_contain_text("rekam 20-11-2026 07:31:00")

    page.get_by_label("Benar").check()
    page.get_by_label("Catatan").fill("Dikonfirmasi ke kepala unit.")
    page.get_by_role("button", name="Simpan penilaian").click()
    expect(page.get_by_text("Penilaian disimpan.")).to_be_visible()
    expect(page.get_by_test_id("reviews")).to_contain_text("Dikonfirmasi ke kepala unit.")
    assert Review.objects.get(finding=findings).status == "benar"

    page.get_by_role("link", name="Sinyal integritas").first.click()
    expect(page.get_by_test_id("precision-punch_on_leave")).to_contain_text("100 %")

    page.get_by_role("link", name="Aturan dan ambang").click()
    card = page.get_by_test_id("rule-geofence_edge")
    card.get_by_label("presensi minimal di dalam pagar").fill("12")
    card.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("berlaku pada penjalanan berikutnya")).to_be_visible()
    assert rule_params(city=findings.city)["geofence_edge"] == (True, {"edge_share_of_radius": 0.9, "min_checkins": 12,
                                                                       "min_share": 0.7})


def test_the_one_screen_badge_counts_new_findings_and_follows_a_judgement_live(findings, live_server, browser, login):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    login(page, "inspektur_web")
    page.goto(f"{live_server.url}/satu-layar/")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "online")
    badge = page.get_by_test_id("integrity-badge")
    expect(badge).to_be_visible()
    expect(badge.locator(".badge")).to_have_text("2")
    inspector = get_user_model().objects.get(username="inspektur_web")
    finding_judge(actor=inspector, finding=findings, status="benar", note="Dikonfirmasi ke kepala unit.")
    expect(badge.locator(".badge")).to_have_text("1", timeout=5_000)
    expect(badge.locator(".badge")).to_have_attribute("aria-label", "1 sinyal baru")
    badge.click()
    expect(page.get_by_test_id("integrity-row")).to_have_count(1)
    context.close()
