"""Browser tests: real headless Chromium from Debian, driven by Playwright, against a live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made from the
# test itself are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install -y --no-install-recommends "
                    "chromium chromium-driver fonts-liberation", pytrace=False)
    return {
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture
def login(live_server):
    def do_login(page, username, password="satulayar"):
        page.goto(f"{live_server.url}/masuk/")
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Kata sandi").fill(password)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(f"{live_server.url}/")

    return do_login
