#!/usr/bin/env python3
"""Screenshots of the role guides (docs/panduan/img/*.png): logs in to a running demo as each demo login.

    .venv/bin/python scripts/guide_screenshots.py [--url http://127.0.0.1:8000] [--only walikota,loket]

Start the demo first (`satulayar demo`). City-wide roles pass the second factor with the demo's published TOTP key.
Uses Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through Playwright; never downloads a browser. Each PNG is
reduced to a 256-colour palette so the guides stay small. tests/test_guides.py checks every image a guide names exists.
"""

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "panduan" / "img"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = (1280, 800)
PHONE = (390, 844)
# guide → (demo login, viewport, [(file, path, what to wait for, link to follow first or None)])
SHOTS = {
    "walikota": ("walikota", DESKTOP, [
        ("walikota-satu-layar.png", "/satu-layar/", "#panel-attendance", None),
        ("walikota-peta.png", "/satu-layar/peta/?ukuran=attendance", "#kelurahan-map[data-ready=true]", None),
        ("walikota-peta-antrean.png", "/satu-layar/peta/?ukuran=wait", "#kelurahan-map[data-ready=true]", None),
        ("walikota-telusur.png", "/satu-layar/unit/", "main", None),
    ]),
    "command-center": ("operator_cc", DESKTOP, [
        ("cc-peringatan.png", "/satu-layar/peringatan/", "main", None),
        ("cc-kamera.png", "/cctv/", "main", None),
        ("cc-cek-silang.png", "/cctv/cek-silang/", "main", None),
        ("cc-layar-dinding.png", "/satu-layar/layar/", "#live-state[data-state=online]", None),
    ]),
    "inspektur": ("inspektur", DESKTOP, [
        ("inspektur-sidak.png", "/sidak/", "main", None),
        ("inspektur-mulai.png", "/sidak/mulai/", "main", None),
        ("inspektur-integritas.png", "/integritas/", "main", None),
        ("inspektur-audit.png", "/audit/", "main", None),
    ]),
    "bkpsdm": ("admin_bkpsdm", DESKTOP, [
        ("bkpsdm-pegawai.png", "/organisasi/pegawai/", "main", None),
        ("bkpsdm-unit.png", "/organisasi/unit/", "main", None),
        ("bkpsdm-kalender.png", "/kehadiran/kalender/", "main", None),
        ("bkpsdm-tpp.png", "/kehadiran/tpp/", "main", None),
    ]),
    "admin-unit": ("admin_dinkes", DESKTOP, [
        ("unit-hari-ini.png", "/kehadiran/", "main", None),
        ("unit-rekap.png", "/kehadiran/rekap/", "main", None),
        ("unit-cuti.png", "/kehadiran/cuti/persetujuan/", "main", None),
        ("unit-tindak-lanjut.png", "/sidak/temuan/", "main", None),
    ]),
    "loket": ("lurah_kuin_cerucuk", PHONE, [
        ("loket-pilih.png", "/layanan/loket/", "main", None),
        ("loket-meja.png", "/layanan/loket/", "main", "main a[href^='/layanan/loket/']"),
        ("loket-laporan.png", "/layanan/laporan/", "main", None),
    ]),
    "pegawai": ("pegawai", PHONE, [
        ("pegawai-presensi.png", "/kehadiran/presensi/", "main", None),
        ("pegawai-saya.png", "/kehadiran/saya/", "main", None),
        ("pegawai-cuti.png", "/kehadiran/cuti/", "main", None),
    ]),
    "integrasi": ("admin_diskominfotik", DESKTOP, [
        ("integrasi-sumber.png", "/integrasi/", "main", None),
        ("integrasi-indikator.png", "/integrasi/indikator/", "main", None),
        ("integrasi-katalog.png", "/integrasi/katalog/", "main", None),
        ("integrasi-klien-api.png", "/integrasi/klien-api/", "main", None),
    ]),
}


def demo_secrets() -> tuple[str, str]:
    """The demo's published password and TOTP key, read from the demo itself so a changed key is followed."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satulayar.settings")
    import django

    django.setup()
    from satulayar.demo.users import DEMO_PASSWORD, DEMO_TOTP_KEY

    return DEMO_PASSWORD, DEMO_TOTP_KEY


def log_in(page, url: str, username: str, password: str, totp_key: str) -> None:
    from django_otp.oath import totp

    page.goto(f"{url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("networkidle")
    if "/masuk/faktor-kedua/" in page.url:
        field = page.get_by_label("Kode verifikasi")
        field.fill(f"{totp(bytes.fromhex(totp_key)):06d}")
        field.press("Enter")
        page.wait_for_load_state("networkidle")
    if "/masuk/" in page.url:
        raise RuntimeError(f"login as {username} failed (at {page.url})")


def save_small(png: bytes, path: Path) -> None:
    """A 256-colour palette PNG: a third of the size of Chromium's, the text as sharp."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SATULAYAR_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--only", default="", help="comma-separated guides (default: all)")
    args = parser.parse_args()
    password, totp_key = demo_secrets()
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = [g for g in args.only.split(",") if g] or list(SHOTS)
    failures = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        for guide in wanted:
            username, (width, height), shots = SHOTS[guide]
            context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID",
                                          timezone_id="Asia/Makassar", is_mobile=width < 600,
                                          geolocation={"latitude": -3.3186, "longitude": 114.5944},
                                          permissions=["geolocation"])
            page = context.new_page()
            log_in(page, args.url, username, password, totp_key)
            for name, path, ready, follow in shots:
                try:
                    page.goto(f"{args.url}{path}")
                    if follow:
                        page.locator(follow).first.click()
                        page.wait_for_load_state("networkidle")
                    page.wait_for_selector(ready, timeout=20_000)
                    page.wait_for_timeout(1200)  # charts and maps animate in
                    save_small(page.screenshot(), OUT / name)
                    print(f"saved {OUT / name} ({(OUT / name).stat().st_size // 1024} KB)")
                except Exception as exc:  # one broken page must not lose the others' screenshots
                    failures += 1
                    print(f"FAILED {name} ({path}): {exc}", file=sys.stderr)
            context.close()
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
