"""The Content-Security-Policy holds in real Chromium: the pages with scripts run with no console error (a refused
inline script or handler is one), and the second factor is asked for at login."""

import pytest
from django.core.management import call_command

from satulayar.org.models import Unit

PAGES = ["/", "/satu-layar/", "/satu-layar/peta/", "/satu-layar/layar/", "/cctv/", "/organisasi/pegawai/",
         "/kehadiran/", "/sidak/", "/integrasi/", "/data-terbuka/", "/api/docs"]


@pytest.fixture
def demo_city(transactional_db):
    call_command("seed", employees=400, days=1, seed=7)


def test_pages_with_scripts_raise_no_csp_violation(demo_city, live_server, page, login, console_errors):
    login(page, "walikota")
    for path in [*PAGES, f"/organisasi/unit/{Unit.objects.get(code='DINKES').pk}/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        script_src = response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        assert "'self'" in script_src and "unsafe" not in script_src, path
        page.wait_for_load_state("networkidle") if path != "/satu-layar/layar/" else page.wait_for_timeout(500)
        assert console_errors == [], (path, console_errors)
    # the language switch submits through behaviours.js, not an inline handler
    page.select_option("#lang-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert console_errors == []
    # an injected inline script without the nonce does not run
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                             document.body.appendChild(s); }""")
    assert page.evaluate("window.pwned") is None
    assert any("Content Security Policy" in error for error in console_errors), console_errors
