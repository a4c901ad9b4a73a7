"""The integration admin plugs a department's REST API in through the pages, in real Chromium, against a real
department app on 127.0.0.1: a wrong field shows in the preview, the corrected mapping previews live values,
the connector is saved and run, and the values arrive and show fresh in the catalogue."""

import pytest
from playwright.sync_api import expect

from satulayar.demo import department_apps
from satulayar.integrations import services
from satulayar.integrations.choices import DimensionKind
from satulayar.integrations.models import Connector, IndicatorValue
from satulayar.org.choices import Role
from tests.factories import make_user

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "id-ID"}


@pytest.fixture
def simpus(transactional_db, org, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the department app listens on loopback
    admin = make_user("admin_integrasi", Role.INTEGRATION_ADMIN, org.city)
    admin.set_password("satulayar")
    admin.save()
    services.indicator_save(actor=admin, city=org.city, fields={
        "code": "kunjungan-puskesmas", "name": "Kunjungan puskesmas", "owner": org.dinkes, "public": True,
        "unit_of_measure": "kunjungan", "dimension_kind": DimensionKind.KELURAHAN})
    server = department_apps.serve(department_apps.DinkesApp(seed=11, kelurahan=["Kuin Cerucuk", "Pelambuan"]))
    yield f"http://127.0.0.1:{server.server_port}/api/v1/kunjungan"
    server.shutdown()
    server.server_close()


def test_configure_preview_save_run_and_see_values_arrive(simpus, live_server, browser, login):
    page = browser.new_context(**DESKTOP).new_page()
    login(page, "admin_integrasi", "satulayar")
    page.goto(f"{live_server.url}/integrasi/")
    expect(page.get_by_test_id("hub-empty")).to_be_visible()
    page.get_by_role("link", name="Tambah sumber data").first.click()
    page.get_by_test_id("kind-rest").click()

    page.get_by_label("Nama sumber data").fill("SIMPUS Dinas Kesehatan")
    page.get_by_label("Perangkat daerah pemilik data").select_option(label="Dinas Kesehatan")
    page.get_by_label("Alamat API (URL)").fill(simpus)
    page.get_by_label("Autentikasi").select_option("api_key")
    page.get_by_label("Kunci API", exact=True).fill(department_apps.DINKES_KEY)
    page.get_by_label("Halaman", exact=True).select_option("page")
    page.get_by_label("Jalur daftar data di jawaban").fill("data")
    page.get_by_label("Kolom waktu").fill("tanggal")
    page.get_by_label("Kolom rincian (kelurahan, unit, pos)").fill("kelurahan")
    page.get_by_label("Indikator", exact=True).select_option("kunjungan-puskesmas")
    page.get_by_label("Kolom nilai", exact=True).fill("kunjungan")  # wrong: the app calls it jumlah_kunjungan

    page.get_by_role("button", name="Pratinjau pemetaan").click()
    expect(page.get_by_test_id("preview-summary")).to_contain_text("0 dapat dipetakan")
    expect(page.get_by_test_id("preview-rejections")).to_contain_text("kolom 'kunjungan' tidak ada")
    assert not Connector.objects.exists()  # a preview saves nothing

    page.get_by_label("Kolom nilai", exact=True).fill("jumlah_kunjungan")
    page.get_by_role("button", name="Pratinjau pemetaan").click()
    expect(page.get_by_test_id("preview-summary")).to_contain_text("6 baris contoh: 6 dapat dipetakan, 0 ditolak")
    expect(page.get_by_test_id("preview-values")).to_contain_text("Kuin Cerucuk")
    assert not IndicatorValue.objects.exists()

    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", name="SIMPUS Dinas Kesehatan")).to_be_visible()
    page.get_by_role("button", name="Jalankan sekarang").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Berhasil")
    expect(page.get_by_test_id("run-accepted")).to_have_text("6")
    assert IndicatorValue.objects.filter(indicator__code="kunjungan-puskesmas").count() == 6

    page.goto(f"{live_server.url}/integrasi/katalog/")
    row = page.locator('[data-code="kunjungan-puskesmas"]')
    expect(row.get_by_test_id("health")).to_have_text("Segar")
    page.get_by_label("Cari data").fill("sampah")
    expect(page.get_by_test_id("catalogue-empty")).to_be_visible()
