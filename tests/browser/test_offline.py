"""Nothing lost on a phone without a connection: a sidak's photo marks wait in IndexedDB and go out completely
and once, in requests under the server's limit; a refused mark keeps its reason and is not sent again by
itself; the roster and the check-in page reopen offline from the service worker, and a check-in made offline
is stored once, at the phone's time, flagged as sent late."""

import datetime as dt

import cv2
import numpy as np
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from satulayar.attendance.checkin import BROWSER_PURPOSE
from satulayar.attendance.models import Punch
from satulayar.attendance.schedules import work_schedule_set
from satulayar.core.keyed_hash import keyed_hash
from satulayar.inspections import services
from satulayar.inspections.models import Mark
from satulayar.org import services as org_services
from satulayar.org.choices import Role
from satulayar.org.models import Employee, Site
from tests.factories import make_employee, make_unit

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}
OFFICE = {"latitude": -3.318_600, "longitude": 114.594_400, "accuracy": 15}
WAIT_CACHED = """async () => {
  for (;;) {
    const cache = await caches.open("satulayar-pages-v1");
    if (navigator.serviceWorker.controller && await cache.match(location.pathname)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""


def camera_photo() -> dict:
    """A phone-sized JPEG (about 4 MB of detail that does not compress), as a file picker hands it over."""
    rng = np.random.default_rng(15)
    pixels = rng.integers(0, 256, size=(1800, 2400, 3), dtype=np.uint8)
    ok, jpeg = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok and len(jpeg) > 2_621_440  # bigger than Django's request limit by itself
    return {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg.tobytes()}


@pytest.fixture(scope="module")
def photo():
    return camera_photo()


@pytest.fixture
def sidak(transactional_db, city):
    unit = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    work_schedule_set(actor=None, unit=unit, name="Pelayanan tujuh hari", effective_from=dt.date(2020, 1, 1),
                      days={weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)})
    people = [make_employee(unit, f"Pegawai Dinkes {n:02d}", position="Staf") for n in range(1, 13)]
    inspector = get_user_model().objects.create_user(username="inspektur_luring", password="satulayar")
    org_services.role_assign(actor=None, user=inspector, role=Role.INSPECTOR, city=city)
    inspection = services.inspection_start(actor=inspector, units=[unit], title="Sidak luring")
    return inspection, people


def row(page, name):
    return page.get_by_test_id("roster-row").filter(has_text=name)


def batch_posts(page) -> list[int]:
    """The size of every marks request the page sends."""
    sizes = []
    page.on("request", lambda r: sizes.append(len(r.post_data_buffer or b""))
            if r.method == "POST" and r.url.endswith("/marks/batch") else None)
    return sizes


def open_roster(browser, login, live_server, inspection):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, "inspektur_luring")
    page.goto(f"{live_server.url}/sidak/{inspection.pk}/")
    return context, page, errors


def mark_with_photo(page, name, photo):
    person = row(page, name)
    person.locator("summary").click()
    person.locator("[data-role=photo]").set_input_files(photo)
    person.get_by_role("button", name="Ada di tempat").click()
    return person


def test_twelve_photo_marks_made_offline_are_sent_completely_and_once(sidak, live_server, browser, login, photo,
                                                                      settings):
    inspection, people = sidak
    context, page, errors = open_roster(browser, login, live_server, inspection)
    sizes = batch_posts(page)
    context.set_offline(True)
    for person in people:
        marked = mark_with_photo(page, person.name, photo)
        expect(marked.locator("[data-role=state]")).to_have_text("Menunggu dikirim")
    expect(page.get_by_test_id("pending")).to_have_text("12 penandaan menunggu dikirim (tersimpan di ponsel)")
    expect(page.get_by_test_id("roster-progress")).to_contain_text(
        "12 dari 12 pegawai sudah diamati (12 menunggu dikirim).")
    assert not Mark.objects.exists() and not sizes

    context.set_offline(False)
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=60_000)
    expect(page.get_by_test_id("roster-progress")).to_contain_text("12 dari 12 pegawai sudah diamati.")
    marks = list(Mark.objects.select_related("entry__employee"))
    assert len(marks) == 12 and {m.entry.employee for m in marks} == set(people)
    assert all(m.photo.name.endswith(".jpg") for m in marks)
    assert len(sizes) == 12 and max(sizes) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # one photo per request

    # The connection comes back again, the page is reloaded: nothing is left to send, nothing doubles.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim")
    page.wait_for_timeout(1500)
    assert Mark.objects.count() == 12 and len(sizes) == 12
    assert page.evaluate(f"SatuLayarOffline.store.by('sidak-marks', {inspection.pk})") == []
    assert errors == []
    context.close()


def test_a_refused_mark_shows_its_reason_and_is_not_sent_again_by_itself(sidak, live_server, browser, login, photo,
                                                                         settings):
    inspection, people = sidak
    context, page, errors = open_roster(browser, login, live_server, inspection)
    sizes = batch_posts(page)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000  # lowered after the page announced 2,5 MB
    marked = mark_with_photo(page, people[0].name, photo)
    reason = "Kiriman terlalu besar: batasnya 48,8\xa0KB per kiriman."
    expect(marked.locator("[data-role=state]")).to_have_text(f"Ditolak: {reason}")
    expect(page.get_by_test_id("sync-errors")).to_contain_text(f"{people[0].name}: {reason}")
    for _ in range(3):  # reconnects and the 15-second timer do not resend a refusal
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(700)
    page.reload()
    expect(row(page, people[0].name).locator("[data-role=state]")).to_have_text(f"Ditolak: {reason}")
    page.wait_for_timeout(1000)
    assert len(sizes) == 1 and not Mark.objects.exists()
    stored = page.evaluate(f"SatuLayarOffline.store.by('sidak-marks', {inspection.pk})")
    assert [(m["state"], m["reason"]) for m in stored] == [("refused", reason)]

    # The limit is back; the inspector sends the refused mark again on purpose.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    page.get_by_role("button", name="Kirim ulang yang ditolak").click()
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=20_000)
    expect(row(page, people[0].name).locator("[data-role=state]")).to_have_text("Tersimpan", timeout=10_000)
    assert Mark.objects.count() == 1 and len(sizes) == 2
    assert errors == []
    context.close()


def test_a_proxy_error_page_is_retried_with_backoff_and_stored_once(sidak, live_server, browser, login):
    inspection, people = sidak
    context = browser.new_context(**PHONE, service_workers="block")  # so the route below sees the page's posts
    page = context.new_page()
    login(page, "inspektur_luring")
    page.goto(f"{live_server.url}/sidak/{inspection.pk}/")
    answers = []

    def flaky_gateway(route):
        answers.append(route.request.post_data_json["marks"][0]["uuid"])
        if len(answers) == 1:
            route.fulfill(status=502, content_type="text/html", body="<html><h1>502 Bad Gateway</h1></html>")
        else:
            route.continue_()

    page.route("**/marks/batch", flaky_gateway)
    row(page, people[0].name).get_by_role("button", name="Ada di tempat").click()
    expect(page.get_by_test_id("pending")).to_contain_text("1 penandaan menunggu dikirim")
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=20_000)
    assert len(answers) == 2 and answers[0] == answers[1] and Mark.objects.count() == 1
    expect(page.get_by_test_id("sync-errors")).to_be_hidden()
    context.close()


def test_a_full_phone_storage_is_said_before_a_row_says_queued(sidak, live_server, browser, login):
    inspection, people = sidak
    context, page, errors = open_roster(browser, login, live_server, inspection)
    # The phone's storage is full: Chromium's own IndexedDB refuses every write with a QuotaExceededError.
    page.evaluate("""() => {
      IDBObjectStore.prototype.put = function () { throw new DOMException("full", "QuotaExceededError"); };
    }""")
    person = row(page, people[0].name)
    person.get_by_role("button", name="Ada di tempat").click()
    expect(page.get_by_test_id("sync-errors")).to_have_text(
        "Penyimpanan ponsel penuh: penandaan ini belum tersimpan. Kosongkan ruang penyimpanan lalu coba lagi.")
    expect(person.locator("[data-role=state]")).to_have_text("")
    expect(person.get_by_role("button", name="Ada di tempat")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim")
    assert not Mark.objects.exists() and errors == []
    context.close()


def test_the_roster_reopens_offline_with_its_last_data(sidak, live_server, browser, login):
    inspection, people = sidak
    context, page, errors = open_roster(browser, login, live_server, inspection)
    page.evaluate(WAIT_CACHED)
    Employee.objects.filter(pk=people[0].pk).update(name="Nama Baru Setelah Luring")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("roster-row")).to_have_count(12)
    expect(row(page, people[0].name)).to_be_visible()  # the copy kept by the service worker
    expect(page.get_by_text("Nama Baru Setelah Luring")).to_have_count(0)
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
    row(page, people[1].name).get_by_role("button", name="Tidak ditemukan").click()  # marking still works
    expect(page.get_by_test_id("pending")).to_contain_text("1 penandaan menunggu dikirim")
    context.set_offline(False)
    expect(page.get_by_test_id("pending")).to_have_text("Semua penandaan terkirim", timeout=20_000)
    expect(page.get_by_text("Nama Baru Setelah Luring")).to_be_visible()  # refreshed once sent
    assert Mark.objects.count() == 1 and errors == []
    context.close()


@pytest.fixture
def asn(transactional_db, city):
    unit = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    Site.objects.create(city=city, unit=unit, name="Kantor Dinas Kesehatan", lat=OFFICE["latitude"],
                        lon=OFFICE["longitude"], radius_m=100)
    user = get_user_model().objects.create_user(username="asn_luring", first_name="Rahmadi", password="satulayar")
    return make_employee(unit, "Rahmadi, S.K.M.", position="Epidemiolog", user=user)


def test_a_check_in_made_offline_is_stored_once_at_the_phone_time_flagged_late(asn, live_server, browser, login,
                                                                                settings):
    settings.ATTENDANCE_LATE_AFTER_S = 0
    context = browser.new_context(**PHONE, permissions=["geolocation"], geolocation=OFFICE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, "asn_luring")
    page.goto(f"{live_server.url}/kehadiran/presensi/")
    page.evaluate(WAIT_CACHED)

    context.set_offline(True)
    page.reload()  # opens from the service worker's copy
    page.get_by_role("button", name="Absen masuk").click()
    queued = page.get_by_test_id("checkin-queued")
    expect(queued).to_contain_text("tersimpan di ponsel dan dikirim otomatis saat terhubung")
    assert not Punch.objects.exists()
    pressed = page.evaluate(f"SatuLayarOffline.store.by('checkins', {asn.user_id})")[0]["device_at"]

    context.set_offline(False)
    expect(page.get_by_test_id("checkin-synced")).to_have_text("Presensi luring terkirim.", timeout=20_000)
    expect(page.get_by_test_id("sent-late")).to_have_text("dikirim terlambat (luring)")
    expect(page.get_by_role("button", name="Absen pulang")).to_be_visible()
    punch = Punch.objects.get()
    assert punch.sent_late and punch.client_uuid
    kept = page.evaluate("localStorage.getItem('satulayar.checkin.browser')")  # the queue carried the browser id
    assert kept and punch.browser == keyed_hash(purpose=BROWSER_PURPOSE, value=kept)
    assert punch.at == dt.datetime.fromisoformat(pressed).replace(microsecond=0)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    page.wait_for_timeout(1000)
    assert Punch.objects.count() == 1 and errors == []
    context.close()


def test_an_offline_check_in_refused_when_back_keeps_its_reason_and_is_not_resent(asn, live_server, browser, login):
    far = {**OFFICE, "latitude": OFFICE["latitude"] + 0.018}  # about 2 km north
    context = browser.new_context(**PHONE, permissions=["geolocation"], geolocation=far)
    page = context.new_page()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/api/attendance/checkins" in r.url
            else None)
    login(page, "asn_luring")
    page.goto(f"{live_server.url}/kehadiran/presensi/")
    context.set_offline(True)
    page.get_by_role("button", name="Absen masuk").click()
    expect(page.get_by_test_id("checkin-queued")).to_be_visible()
    context.set_offline(False)
    refused = page.get_by_test_id("checkin-refused")
    expect(refused).to_contain_text("ditolak: Anda berada 2.00", timeout=20_000)
    expect(refused).to_contain_text("dari Kantor Dinas Kesehatan (radius 100 m).")
    for _ in range(2):
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(700)
    page.reload()
    expect(page.get_by_test_id("checkin-refused")).to_be_visible()
    page.wait_for_timeout(1000)
    assert len(posts) == 1 and not Punch.objects.exists()
    page.get_by_test_id("checkin-refused").get_by_role("button", name="Buang").click()
    expect(page.get_by_test_id("checkin-refused")).to_have_count(0)
    assert page.evaluate(f"SatuLayarOffline.store.by('checkins', {asn.user_id})") == []
    context.close()


def test_marks_left_in_localstorage_by_the_earlier_page_are_sent_once(sidak, live_server, browser, login):
    inspection, people = sidak
    context, page, errors = open_roster(browser, login, live_server, inspection)
    legacy = [{"uuid": "6f1c2d3e-4b5a-4c6d-8e7f-901234567890", "employee": people[2].pk, "observation": "present",
               "observed_at": dt.datetime.now(dt.UTC).isoformat(), "note": "dari antrean lama", "photo": ""}]
    page.evaluate("([key, items]) => localStorage.setItem(key, JSON.stringify(items))",
                  [f"satulayar.sidak.{inspection.pk}.queue", legacy])
    page.reload()
    expect(row(page, people[2].name).locator("[data-role=state]")).to_have_text("Tersimpan", timeout=10_000)
    page.reload()
    page.wait_for_timeout(1000)
    assert list(Mark.objects.values_list("note", flat=True)) == ["dari antrean lama"]
    assert page.evaluate(f"localStorage.getItem('satulayar.sidak.{inspection.pk}.queue')") is None
    assert errors == []
    context.close()
