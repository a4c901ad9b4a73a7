"""The attendance kiosk on a tablet: a check-in with the camera's selfie, one made without a connection and sent
once when it is back, and the file picker standing in for a missing camera."""

import datetime as dt
import re

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.kiosks import kiosk_register
from satulayar.attendance.models import Punch
from satulayar.attendance.schedules import work_schedule_set
from satulayar.org.models import Site
from tests.browser.conftest import CHROMIUM
from tests.browser.test_offline import WAIT_CACHED
from tests.factories import make_employee, make_unit

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True, "locale": "id-ID"}
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
# Awaited inside the page: wait_for_function's polling evaluates strings, which the Content-Security-Policy forbids.
CAMERA_RUNNING = """async () => {
  const video = document.querySelector("[data-kiosk-video]");
  while (!video.videoWidth) await new Promise((resolve) => setTimeout(resolve, 50));
}"""


@pytest.fixture
def kiosk(transactional_db, city):
    unit = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    work_schedule_set(actor=None, unit=unit, name="Pelayanan tujuh hari", effective_from=dt.date(2020, 1, 1),
                      days={weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)})
    site = Site.objects.create(city=city, unit=unit, name="Kantor Dinas Kesehatan", lat=-3.3186, lon=114.5944,
                               radius_m=100)
    people = [make_employee(unit, "Rahmadi, S.K.M.", position="Epidemiolog"),
              make_employee(unit, "dr. Siti Rahmah", position="Kepala Dinas")]
    kiosk, token = kiosk_register(actor=None, site=site, name="Lobi Dinkes")
    return kiosk, token, people


@pytest.fixture
def camera_browser(browser_type):
    browser = browser_type.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                  *FAKE_CAMERA])
    yield browser
    browser.close()


def check_in(page, nip: str):
    page.get_by_label("NIP atau PIN").fill(nip)
    page.get_by_role("button", name="Presensi").click()


def test_camera_check_in_then_one_made_offline_sent_once(kiosk, live_server, camera_browser, settings):
    settings.ATTENDANCE_LATE_AFTER_S = 0
    device, token, (rahmadi, siti) = kiosk
    context = camera_browser.new_context(**TABLET, permissions=["camera"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/kehadiran/anjungan/{token}/")
    expect(page.get_by_test_id("kiosk-clock")).to_have_text(re.compile(r"^\d{2}\.\d{2}$"))
    expect(page.get_by_test_id("kiosk-date")).to_have_text(
        re.compile(r"^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} \w+ \d{4}$"))
    expect(page.get_by_label("Pratinjau kamera")).to_be_visible()
    page.evaluate(CAMERA_RUNNING)

    check_in(page, rahmadi.nip)
    expect(page.get_by_test_id("kiosk-heading")).to_have_text(re.compile(r"^Masuk \d{2}\.\d{2}$"))
    expect(page.get_by_test_id("kiosk-name")).to_have_text("Rahmadi")
    punch = Punch.objects.get()
    assert (punch.employee, punch.source, punch.kiosk) == (rahmadi, PunchSource.KIOSK, device)
    assert punch.selfie.name.endswith(".jpg") and not punch.sent_late
    expect(page.get_by_label("NIP atau PIN")).to_be_visible(timeout=10_000)  # back to the start
    expect(page.get_by_label("NIP atau PIN")).to_have_value("")

    page.evaluate(WAIT_CACHED)
    context.set_offline(True)
    page.reload()  # opens from the service worker's copy
    page.evaluate(CAMERA_RUNNING)  # the reloaded page starts its camera again
    check_in(page, siti.nip)
    expect(page.get_by_test_id("kiosk-heading")).to_have_text("Tersimpan, akan dikirim")
    expect(page.get_by_test_id("kiosk-queue")).to_have_text("1 presensi tersimpan, akan dikirim.")
    [queued] = page.evaluate(f"SatuLayarOffline.store.by('kiosk-punches', '/kehadiran/anjungan/{token}/presensi/')"
                             ".then((items) => items.map((i) => ({device_at: i.device_at, size: i.selfie.size})))")
    assert queued["size"] > 1000 and Punch.objects.count() == 1

    context.set_offline(False)
    expect(page.get_by_test_id("kiosk-queue")).to_have_text("Presensi luring terkirim.", timeout=20_000)
    late = Punch.objects.get(employee=siti)
    assert late.sent_late and late.kiosk == device and late.client_uuid and late.selfie
    assert late.at == dt.datetime.fromisoformat(queued["device_at"]).replace(microsecond=0)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    page.wait_for_timeout(1000)
    assert Punch.objects.count() == 2 and errors == []
    context.close()


def test_without_a_camera_the_file_picker_takes_the_selfie(kiosk, live_server, browser):
    _device, token, (rahmadi, _siti) = kiosk
    ok, jpeg = cv2.imencode(".jpg", np.full((480, 640, 3), 128, dtype=np.uint8))
    assert ok
    context = browser.new_context(**TABLET)
    page = context.new_page()
    page.goto(f"{live_server.url}/kehadiran/anjungan/{token}/")
    check_in(page, "123")
    expect(page.get_by_test_id("kiosk-error")).to_have_text(
        "Swafoto wajib: hadapkan wajah ke kamera lalu ambil foto.")
    page.get_by_label("Swafoto", exact=True).set_input_files(
        {"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": jpeg.tobytes()})
    check_in(page, "123")
    expect(page.get_by_test_id("kiosk-error")).to_have_text(
        "NIP/PIN 123 tidak dikenal atau pegawai tidak aktif. Periksa angkanya lalu coba lagi.")
    check_in(page, rahmadi.nip)
    expect(page.get_by_test_id("kiosk-heading")).to_have_text(re.compile(r"^Masuk \d{2}\.\d{2}$"))
    assert Punch.objects.get().employee == rahmadi
    context.close()
