"""The public open-data page in a real browser, without a login: aggregates only, small counts suppressed, and
no personal data anywhere (page, CSV, JSON), although visitors gave their names and NIK at the desk."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from satulayar.visits import services as visit_services
from satulayar.visits.choices import TicketChannel
from satulayar.visits.models import Service
from tests.factories import kelurahan_named

VISITORS = [("Ahmad Rizani", "6371031203850001"), ("Siti Aminah", "6371034506900002"),
            ("Muhammad Yusuf", "6371032107880003"), ("Nurul Hidayah", "6371035111920004"),
            ("Rahmat Hidayat", "6371030101800005"), ("Dewi Lestari", "6371034202950006")]


@pytest.fixture
def served_city(transactional_db, org):
    ktp = Service.objects.create(city=org.city, code="ktp", prefix="A", name="Surat pengantar KTP/KK", order=1)
    now = timezone.now()
    busy, quiet = org.kuin, kelurahan_named("Alalak Utara")
    for index, (name, nik) in enumerate(VISITORS):  # six at Kuin Cerucuk: shown
        visit_services.ticket_issue(kelurahan=busy, service=ktp, channel=TicketChannel.DESK, visitor_name=name,
                                    visitor_nik=nik, now=now - dt.timedelta(minutes=30 - index))
    for name, nik in VISITORS[:2]:  # two at Alalak Utara: fewer than five, suppressed
        visit_services.ticket_issue(kelurahan=quiet, service=ktp, channel=TicketChannel.DESK, visitor_name=name,
                                    visitor_nik=nik, now=now - dt.timedelta(minutes=5))
    return org


def test_the_public_page_shows_aggregates_and_no_personal_data(served_city, live_server, browser):
    org = served_city
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server.url}/data-terbuka/")
    expect(page.get_by_role("heading", name="Data terbuka layanan kelurahan")).to_be_visible()
    table = page.get_by_test_id("opendata-table")
    expect(table.get_by_role("row", name="Kuin Cerucuk")).to_contain_text("6")
    expect(table.get_by_role("row", name="Alalak Utara")).to_contain_text("0")  # its 2 visits are hidden
    texts = [page.locator("body").inner_text()]
    for dataset in ("kunjungan", "waktu-layanan", "ikm", "indikator"):
        for fmt in ("csv", "json"):
            response = page.request.get(f"{live_server.url}/data-terbuka/{dataset}.{fmt}")
            assert response.status == 200, (dataset, fmt)
            texts.append(response.text())
    visits = json.loads(page.request.get(f"{live_server.url}/data-terbuka/kunjungan.json").text())["rows"]
    by_place = {row["kelurahan"]: row for row in visits}
    assert by_place["Kuin Cerucuk"]["visits"] == 6 and not by_place["Kuin Cerucuk"]["suppressed"]
    assert by_place["Alalak Utara"]["visits"] is None and by_place["Alalak Utara"]["suppressed"]
    staff = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan]
    for text in texts:
        for name, nik in VISITORS:
            assert name not in text and nik not in text
        for employee in staff:
            assert employee.name not in text and employee.nip not in text
    context.close()
    time.sleep(0.5)
