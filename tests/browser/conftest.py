"""Browser tests: real headless Chromium from Debian, driven by Playwright, against a live server."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from satulayar.core.security import needs_second_factor

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
    """The login form, and for a role that needs it the second-factor page with a code from the user's device."""

    def do_login(page, username, password="satulayar"):
        device = _totp_device(username)
        page.goto(f"{live_server.url}/masuk/")
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Kata sandi").fill(password)
        page.get_by_role("button", name="Masuk").click()
        if device is not None:
            page.wait_for_url("**/masuk/faktor-kedua/**")
            page.get_by_label("Kode verifikasi").fill(f"{totp(device.bin_key):06d}")
            page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_url(f"{live_server.url}/")

    return do_login


def _totp_device(username: str):
    user = get_user_model().objects.get(username=username)
    if not needs_second_factor(user):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Uji", confirmed=True)


@pytest.fixture
def console_errors(page):
    """Console errors of the page (a Content-Security-Policy violation is one); a test asserts the list is empty."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
