"""Each demo role logs in through the real login page and sees its own scope, on a desktop and a phone."""

import re

import pytest
from django.core.management import call_command

from satulayar.org.models import Employee, Unit

# login -> (nav entries it must see, nav entries it must not see)
EXPECTED_NAV = {
    "walikota": ({"Beranda", "Unit kerja", "Pegawai", "Wilayah", "Log audit"}, {"Data induk"}),
    "operator_cc": ({"Beranda", "Unit kerja", "Wilayah"}, {"Pegawai", "Log audit", "Data induk"}),
    "inspektur": ({"Unit kerja", "Pegawai", "Log audit"}, {"Data induk"}),
    "admin_bkpsdm": ({"Unit kerja", "Pegawai", "Log audit", "Data induk"}, set()),
    "admin_dinkes": ({"Unit kerja", "Pegawai", "Log audit", "Data induk"}, set()),
    "camat_banjarmasin_barat": ({"Unit kerja", "Pegawai"}, set()),
    "lurah_kuin_cerucuk": ({"Unit kerja", "Pegawai", "Wilayah"}, {"Log audit", "Data induk"}),
    "pegawai": ({"Beranda"}, {"Unit kerja", "Pegawai", "Log audit", "Data induk"}),
}


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed", employees=400, days=1, seed=7)


def nav_labels(page) -> set[str]:
    return {t.strip() for t in page.locator("#sidebar-menu .nav-link-title").all_inner_texts()}


def test_each_role_sees_its_own_scope(demo_city, live_server, browser, login):
    total = Employee.objects.filter(active=True).count()
    dinkes = Unit.objects.get(code="DINKES")
    dinkes_total = Employee.objects.filter(unit__path__startswith=dinkes.path, active=True).count()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    for username, (must_see, must_not_see) in EXPECTED_NAV.items():
        page = context.new_page()
        login(page, username)
        labels = nav_labels(page)
        assert must_see <= labels, (username, labels)
        assert not (must_not_see & labels), (username, labels)
        if username in ("walikota", "admin_bkpsdm"):
            assert page.get_by_test_id("stat-employees").inner_text() == f"{total:,}".replace(",", ".")
            assert page.get_by_test_id("stat-kelurahan").inner_text() == "52"
        if username == "admin_dinkes":
            assert page.get_by_test_id("stat-employees").inner_text() == f"{dinkes_total:,}".replace(",", ".")
            page.goto(f"{live_server.url}/organisasi/pegawai/")
            shown = set(page.locator("[data-testid=employee-table] tbody td:nth-child(4)").all_inner_texts())
            dinkes_labels = {u.label for u in Unit.objects.filter(path__startswith=dinkes.path)}
            assert shown and shown <= dinkes_labels, shown - dinkes_labels
        if username == "lurah_kuin_cerucuk":
            assert page.get_by_test_id("stat-kelurahan").inner_text() == "1"
            page.goto(f"{live_server.url}/organisasi/wilayah/")
            assert page.get_by_test_id("kecamatan-card").count() == 1
            assert "Kuin Cerucuk" in page.get_by_test_id("kecamatan-card").inner_text()
        if username == "pegawai":
            page.get_by_role("link", name=re.compile("Lihat data kepegawaian")).click()
            assert page.get_by_test_id("employee-detail").is_visible()
            response = page.goto(f"{live_server.url}/organisasi/pegawai/")
            assert response.status == 403
        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url(re.compile(r"/masuk/"))
        page.close()
    context.close()


def test_phone_menu_and_language_switch(demo_city, live_server, browser, login):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, "walikota")
    menu_link = page.locator("#sidebar-menu").get_by_role("link", name="Pegawai", exact=True)
    assert not menu_link.is_visible()
    page.get_by_role("button", name="Buka menu").click()
    menu_link.click()
    page.wait_for_url(re.compile(r"/organisasi/pegawai/"))
    page.get_by_label("Cari nama, NIP, atau jabatan").fill("zzzz-tidak-ada")
    page.get_by_text("Tidak ada pegawai yang cocok.").wait_for()
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Employees").is_visible()
    context.close()
