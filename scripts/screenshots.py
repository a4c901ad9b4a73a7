#!/usr/bin/env python3
"""Screenshots of the one screen for docs/: logs in to a running demo and saves docs/screenshots/*.png.

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--user walikota] [--password satulayar]

Uses Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through Playwright; never downloads a browser.
"""

import argparse
import os
import re
import sys
from pathlib import Path

from django_otp.oath import totp
from playwright.sync_api import sync_playwright

DEMO_TOTP_KEY = b"satulayar-demo-totp!".hex()  # satulayar.demo.users: the demo logins' published key

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MAP = "#kelurahan-map[data-ready=true]"
SHOTS = [  # (file, path, viewport, what to wait for, full page)
    ("overview.png", "/satu-layar/", (1440, 900), "#panel-attendance", True),
    ("map.png", "/satu-layar/peta/?ukuran=visits", (1440, 900), MAP, False),
    ("map-attendance.png", "/satu-layar/peta/?ukuran=attendance", (1440, 900), MAP, False),
    ("map-wait.png", "/satu-layar/peta/?ukuran=wait", (1440, 900), MAP, False),
    ("wall.png", "/satu-layar/layar/", (1920, 1080), "#live-state[data-state=online]", False),
    ("alerts.png", "/satu-layar/peringatan/?status=semua", (1440, 900), "main", False),
    ("open-data.png", "/data-terbuka/", (1440, 900), "main", True),
]


PHONE_SHOTS = [  # as the inspector on a phone: the latest sidak's roster and its report
    ("sidak-roster-phone.png", "", "main"),
    ("sidak-report-phone.png", "laporan/", "main"),
]
SIDAK = re.compile(r"^/sidak/(\d+)/(laporan/)?$")  # the list links an open sidak's roster, a closed one's report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SATULAYAR_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--user", default="walikota")
    parser.add_argument("--inspector", default="inspektur")
    parser.add_argument("--password", default="satulayar")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        page = _logged_in(browser, args.url, args.user, args.password, (1440, 900))
        if page is None:
            return 1
        for name, path, (width, height), ready, full in SHOTS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{args.url}{path}")
            page.wait_for_selector(ready, timeout=15_000)
            page.wait_for_timeout(1200)  # charts animate in
            page.screenshot(path=str(OUT / name), full_page=full)
            print(f"saved {OUT / name}")
        phone = _logged_in(browser, args.url, args.inspector, args.password, (390, 844))
        if phone is None:
            return 1
        phone.goto(f"{args.url}/sidak/")
        hrefs = phone.eval_on_selector_all("main a[href]", "links => links.map((a) => a.getAttribute('href'))")
        found = next((SIDAK.match(h) for h in hrefs if SIDAK.match(h)), None)
        if found is None:
            print("no sidak in this demo: the phone shots are skipped", file=sys.stderr)
            return 1
        for name, tail, ready in PHONE_SHOTS:
            phone.goto(f"{args.url}/sidak/{found.group(1)}/{tail}")
            phone.wait_for_selector(ready, timeout=15_000)
            phone.wait_for_timeout(600)
            phone.screenshot(path=str(OUT / name), full_page=False)
            print(f"saved {OUT / name}")
        browser.close()
    return 0


def _logged_in(browser, url: str, user: str, password: str, size: tuple[int, int]):
    """A page logged in as `user` (with the demo's published second-factor key where the role needs one)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{url}/masuk/")
    page.get_by_label("Nama pengguna").fill(user)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("networkidle")
    if "/faktor-kedua/" in page.url:  # city-wide roles: the demo's published TOTP key
        page.get_by_label("Kode verifikasi").fill(f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}")
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_load_state("networkidle")
    if "/masuk/" in page.url:
        print(f"login as {user} failed", file=sys.stderr)
        return None
    return page


if __name__ == "__main__":
    sys.exit(main())
