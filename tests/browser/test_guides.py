"""The role guides in a browser: the header's help icon opens the section that describes the page, and a guide with
its screenshots fits a phone and a desk without a console error (CSP included) or a failed request."""

import pytest

from satulayar.core.guides import GUIDES

SIZES = {"phone": (390, 844), "desk": (1440, 900)}
WIDEST = "() => document.documentElement.scrollWidth"


@pytest.fixture
def people(transactional_db, org, personas):
    for user in vars(personas).values():
        user.set_password("satulayar")
        user.save()
    return personas


def test_the_help_icon_opens_the_section_of_the_guide(people, live_server, page, login, console_errors):
    login(page, "admin_bkpsdm")
    page.goto(f"{live_server.url}/organisasi/pegawai/")
    page.get_by_test_id("help-link").click()
    page.wait_for_url(f"{live_server.url}/panduan/bkpsdm/#pegawai")
    assert page.locator("h2#pegawai").is_visible()
    assert not console_errors


@pytest.mark.parametrize("size", SIZES)
def test_every_guide_fits_the_screen_and_shows_its_screenshots(people, live_server, browser, login, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text[:160]}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    login(page, "pegawai_dinkes")
    for slug in GUIDES:
        page.goto(f"{live_server.url}/panduan/{slug}/", wait_until="load")
        images = page.locator(".guide img")
        assert images.count() > 0, slug
        for i in range(images.count()):
            box = images.nth(i).bounding_box()
            assert box and box["width"] > 50, f"{slug}: image {i} not shown"
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), f"{slug}: image {i}"
        assert page.evaluate(WIDEST) <= width, f"{slug} is wider than a {size}"
    assert not problems, "\n".join(problems)
    context.close()
