"""The one screen in a real browser: an executive watches the overview while a punch comes in through the
attendance API and a citizen takes a ticket, and both show within a second without a reload; a department head's
screen holds nothing of another unit."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay
from satulayar.attendance.schedules import work_schedule_set
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule
from satulayar.visits.models import Service, Ticket
from tests.factories import make_employee

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "id-ID"}
LIVE_WITHIN_MS = 1_000
ALL_DAY = {weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)}


@pytest.fixture
def city_at_work(transactional_db, org, personas):
    """Every unit works today (whatever day the test runs), Kuin Cerucuk offers a service, logins have passwords."""
    today = timezone.localdate()
    CalendarDay.objects.create(city=org.city, date=today, kind=CalendarDayKind.WORK_DAY, name="Hari kerja uji")
    for unit in (org.setda, org.dinkes, org.kominfo, org.kecamatan):
        work_schedule_set(actor=None, unit=unit, name="Sepanjang hari", effective_from=today - dt.timedelta(days=60),
                          days=ALL_DAY)
    Service.objects.create(city=org.city, code="pengantar-ktp-kk", prefix="A", name="Surat pengantar KTP/KK",
                           sla_minutes=15, order=1)
    for user in vars(personas).values():
        user.set_password("satulayar")
        user.save()
    return org


def _api_session(browser, live_server, login):
    """A logged-in HR admin's browser context and its CSRF token, for the JSON API."""
    context = browser.new_context()
    page = context.new_page()
    login(page, "admin_bkpsdm")
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    return context, token


def test_the_overview_shows_a_new_punch_and_a_new_ticket_within_a_second(city_at_work, live_server, browser,
                                                                          login):
    org = city_at_work
    screen_context = browser.new_context(**DESKTOP)
    screen = screen_context.new_page()
    login(screen, "walikota")
    screen.goto(f"{live_server.url}/satu-layar/")
    expect(screen.locator("#live-state")).to_have_attribute("data-state", "online")
    expect(screen.get_by_test_id("attendance-present")).to_have_text("0 dari 5")
    expect(screen.get_by_test_id("services-visits")).to_have_text("0")
    screen.evaluate("window.__sameDocument = true")
    # The attendance chart is updated in place (merged), not thrown away and drawn again from zero.
    screen.evaluate("document.querySelector('#panel-attendance [data-chart]').__kept = true")

    api, token = _api_session(browser, live_server, login)
    reply = api.request.post(f"{live_server.url}/api/attendance/punches", headers={"X-CSRFToken": token},
                             data={"punches": [{"nip": org.staff.dinkes.nip, "at": timezone.now().isoformat()}]})
    assert reply.status == 200 and reply.json()["accepted"] == 1
    posted = time.monotonic()
    expect(screen.get_by_test_id("attendance-present")).to_have_text("1 dari 5", timeout=LIVE_WITHIN_MS)
    punch_ms = (time.monotonic() - posted) * 1000
    assert screen.evaluate("document.querySelector('#panel-attendance [data-chart]').__kept === true")
    assert "%" in screen.locator("#panel-attendance [data-chart]").inner_text()  # the axis: "100 %"

    citizen_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    citizen = citizen_context.new_page()
    citizen.goto(f"{live_server.url}/antrean/{org.kuin.code}/")
    citizen.get_by_role("button", name="Ambil nomor: Surat pengantar KTP/KK").click()
    citizen.wait_for_url("**/antrean/tiket/**")
    taken = time.monotonic()
    assert Ticket.objects.filter(kelurahan=org.kuin).count() == 1
    expect(screen.get_by_test_id("services-visits")).to_have_text("1", timeout=LIVE_WITHIN_MS)
    expect(screen.get_by_test_id("services-waiting")).to_have_text("1", timeout=LIVE_WITHIN_MS)
    ticket_ms = (time.monotonic() - taken) * 1000
    expect(screen.get_by_test_id("services-row").first).to_contain_text("Kuin Cerucuk")
    assert screen.evaluate("window.__sameDocument === true")  # the page was never reloaded
    print(f"punch shown after {punch_ms:.0f} ms, ticket after {ticket_ms:.0f} ms")

    # An alert opened by the worker reaches the same screen live, and can be acknowledged there.
    rule = AlertRule.objects.create(city=org.city, name="Antrean uji", kind=AlertKind.QUEUE_LONG, threshold=0)
    from satulayar.dashboard.alerts import alerts_evaluate

    assert alerts_evaluate(city=org.city).opened == 1
    expect(screen.get_by_test_id("alerts-count")).to_have_text("1", timeout=LIVE_WITHIN_MS)
    screen.get_by_test_id("alerts-list").get_by_role("button", name="Ketahui").click()
    expect(screen.get_by_role("alert")).to_contain_text("diketahui")
    assert Alert.objects.get(rule=rule).acknowledged_by.username == "walikota"
    for context in (screen_context, api, citizen_context):
        context.close()
    time.sleep(1)  # the live server notices the closed stream at its next write and lets go of the database


def test_a_department_heads_screen_holds_no_other_units_data(city_at_work, live_server, browser, login):
    org = city_at_work
    make_employee(org.kominfo, "Rina Kartika", position="Pranata Komputer")
    AlertRule.objects.create(city=org.city, name="Kehadiran SKPD", kind=AlertKind.ATTENDANCE_LOW, threshold=90)
    from satulayar.dashboard.alerts import alerts_evaluate

    assert alerts_evaluate(city=org.city).opened == 4  # Setda, Dinkes, Diskominfotik, the kecamatan: none in
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    login(page, "admin_dinas_kesehatan")
    page.goto(f"{live_server.url}/satu-layar/")
    expect(page.get_by_test_id("panel-attendance")).to_contain_text("Kehadiran ASN hari ini")
    expect(page.get_by_test_id("alerts-count")).to_have_text("1")
    body = page.locator("body").inner_text()
    for other in ("Diskominfotik", "Setda", "Sekretariat Daerah", "Kuin Cerucuk", "Rina Kartika",
                  "Muhammad Iqbal", "Noor Aisyah", "Fauzan"):
        assert other not in body, other
    assert "Dinkes" in body or "Dinas Kesehatan" in body
    for path in ("/satu-layar/unit/", "/satu-layar/peringatan/?status=semua", "/satu-layar/peta/data.json",
                 "/satu-layar/layar/", "/satu-layar/panel/attendance/?unduh=csv"):
        response = page.request.get(f"{live_server.url}{path}")
        assert response.status == 200, path
        text = response.text()
        for other in ("Diskominfotik", "Setda", "Kuin Cerucuk", "Muhammad Iqbal", "Noor Aisyah"):
            assert other not in text, (path, other)
    assert page.request.get(f"{live_server.url}/satu-layar/unit/{org.kominfo.pk}/").status == 404
    assert page.request.get(f"{live_server.url}/satu-layar/kelurahan/{org.kuin.pk}/").status == 404
    assert page.request.get(f"{live_server.url}/satu-layar/pegawai/{org.staff.kominfo.pk}/").status == 404
    context.close()
    time.sleep(1)
