"""Phone check-in in a real browser, with the position faked inside and outside the office geofence."""

import math
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from satulayar.attendance.checkin import BROWSER_PURPOSE, EARTH_RADIUS_M
from satulayar.attendance.choices import CalendarDayKind, PunchSource
from satulayar.attendance.models import CalendarDay, Punch
from satulayar.core.keyed_hash import keyed_hash
from satulayar.core.time import local_date
from satulayar.org.models import Site
from tests.factories import make_employee, make_unit

OFFICE = {"latitude": -3.318_600, "longitude": 114.594_400}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}


def north_of(point: dict, metres: float) -> dict:
    return {**point, "latitude": point["latitude"] + math.degrees(metres / EARTH_RADIUS_M)}


@pytest.fixture
def asn(transactional_db, city):
    unit = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    Site.objects.create(city=city, unit=unit, name="Kantor Dinas Kesehatan", lat=OFFICE["latitude"],
                        lon=OFFICE["longitude"], radius_m=100)
    user = get_user_model().objects.create_user(username="asn_presensi", first_name="Rahmadi")
    user.set_password("satulayar")
    user.save()
    return make_employee(unit, "Rahmadi, S.K.M.", position="Epidemiolog", user=user)


def phone_page(browser, login, live_server, **context_options):
    context = browser.new_context(**PHONE, **context_options)
    page = context.new_page()
    login(page, "asn_presensi")
    page.goto(f"{live_server.url}/kehadiran/presensi/")
    return context, page


def test_check_in_inside_then_refused_outside(asn, live_server, browser, login):
    context, page = phone_page(browser, login, live_server, permissions=["geolocation"],
                               geolocation={**north_of(OFFICE, 30), "accuracy": 15})
    assert page.get_by_text("Kantor Dinas Kesehatan · radius 100 m").is_visible()
    page.get_by_role("button", name="Absen masuk").click()
    result = page.get_by_test_id("checkin-result")
    result.wait_for()
    assert re.fullmatch(r"Tercatat \d\d\.\d\d WITA di Kantor Dinas Kesehatan\.",
                        page.get_by_test_id("checkin-message").inner_text())
    punch = Punch.objects.get()
    assert (punch.employee, punch.source, punch.accuracy_m) == (asn, PunchSource.MOBILE, 15)
    assert punch.distance_m == pytest.approx(30, abs=0.5)
    assert page.get_by_role("button", name="Absen pulang").is_visible()
    assert page.get_by_test_id("checkin-punches").locator("li").count() == 1
    context.close()

    context, page = phone_page(browser, login, live_server, permissions=["geolocation"],
                               geolocation={**north_of(OFFICE, 2000), "accuracy": 15})
    page.get_by_role("button", name="Absen pulang").click()
    page.get_by_test_id("checkin-result").wait_for()
    assert "Presensi ditolak" in page.get_by_test_id("checkin-result").inner_text()
    assert page.get_by_test_id("checkin-message").inner_text() == (
        "Anda berada 2.000 m dari Kantor Dinas Kesehatan (radius 100 m).")
    assert Punch.objects.count() == 1
    context.close()


def test_denied_location_is_explained_and_nothing_sent(asn, live_server, browser, login):
    context, page = phone_page(browser, login, live_server)  # no geolocation permission granted
    page.get_by_role("button", name="Absen masuk").click()
    error = page.get_by_role("alert").filter(has_text="Akses lokasi ditolak")
    error.wait_for()
    assert page.get_by_role("button", name="Absen masuk").is_enabled()  # may try again
    assert not Punch.objects.exists()
    context.close()


def test_the_browser_keeps_one_id_and_the_punch_stores_only_its_keyed_hash(asn, live_server, browser, login,
                                                                           settings):
    settings.ATTENDANCE_REPEAT_WINDOW_S = 0
    city = asn.unit.city  # a day off: the second punch is then no early departure, whatever the hour of the run
    CalendarDay.objects.create(city=city, date=local_date(city, timezone.now()), kind=CalendarDayKind.CITY_HOLIDAY,
                               name="Libur uji")
    context, page = phone_page(browser, login, live_server, permissions=["geolocation"],
                               geolocation={**north_of(OFFICE, 30), "accuracy": 15})
    page.get_by_role("button", name="Absen masuk").click()
    page.get_by_test_id("checkin-result").wait_for()
    kept = page.evaluate("localStorage.getItem('satulayar.checkin.browser')")
    assert re.fullmatch(r"[0-9a-f-]{36}", kept)
    page.wait_for_timeout(1_100)  # punches are stored to the second: the next one a second later
    page.reload()
    page.get_by_role("button", name="Absen pulang").click()
    expect(page.get_by_test_id("checkin-punches").locator("li")).to_have_count(2)
    assert page.evaluate("localStorage.getItem('satulayar.checkin.browser')") == kept
    assert set(Punch.objects.values_list("browser", flat=True)) == {keyed_hash(purpose=BROWSER_PURPOSE, value=kept)}
    assert Punch.objects.count() == 2 and kept not in Punch.objects.first().browser
    context.close()
