"""One phone browser for several people, a phone that does not move, and perfect surveys from one address: what
the check-in and rating paths store (keyed hashes only), what the rules flag, with the numbers, and what they leave
alone."""

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from satulayar.attendance.checkin import BROWSER_PURPOSE, checkin_record
from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.models import Punch
from satulayar.core.keyed_hash import keyed_hash
from satulayar.integrity.rules import frozen_position, ikm_max_address, shared_browser, still_position
from satulayar.integrity.rules.base import Window
from satulayar.org.models import Site
from satulayar.visits import services
from satulayar.visits.choices import IKM_ELEMENTS, TicketStatus
from satulayar.visits.imports import TicketRow, tickets_import
from satulayar.visits.models import RATING_ADDRESS_PURPOSE, Rating, Service, Ticket

ZONE = ZoneInfo("Asia/Makassar")
MONDAY = dt.date(2026, 11, 2)
DAYS = [MONDAY + dt.timedelta(days=n) for n in range(19) if (MONDAY + dt.timedelta(days=n)).weekday() < 5]
OFFICE = (-3.318_600, 114.594_400)
PERFECT = (4,) * len(IKM_ELEMENTS)


def at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), ZONE)


def north_of(point, metres: float) -> tuple[float, float]:
    return point[0] + math.degrees(metres / 6_371_008.8), point[1]


def window(org) -> Window:
    return Window(city=org.city, start=MONDAY, end=MONDAY + dt.timedelta(days=30))


def phone(org, employee, when, point=OFFICE, accuracy=10.0, browser="", source=PunchSource.MOBILE) -> None:
    punches_ingest(city=org.city, rows=[PunchRow(employee.pk, when, lat=point[0], lon=point[1], accuracy_m=accuracy,
                                                 browser=browser)], source=source, now=when + dt.timedelta(minutes=1))


# --- one browser, several people ---------------------------------------------------------------------------------


@pytest.fixture
def office(org):
    return Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=OFFICE[0],
                               lon=OFFICE[1], radius_m=100)


def test_a_check_in_stores_only_the_keyed_hash_of_the_browser_id(personas, office):
    now = dt.datetime(2026, 3, 2, 7, 31, tzinfo=ZONE)
    punch = checkin_record(user=personas.pegawai_dinkes, lat=OFFICE[0], lon=OFFICE[1], accuracy_m=12, now=now,
                           browser_id="b6a3c1f0-1d2e-4f00-9a7b-5c4d3e2f1a0b")
    punch.refresh_from_db()
    assert punch.browser == keyed_hash(purpose=BROWSER_PURPOSE, value="b6a3c1f0-1d2e-4f00-9a7b-5c4d3e2f1a0b")
    assert len(punch.browser) == 32 and "b6a3c1f0" not in punch.browser
    assert keyed_hash(purpose="rating.address", value="b6a3c1f0-1d2e-4f00-9a7b-5c4d3e2f1a0b") != punch.browser
    with pytest.raises(ValidationError) as excinfo:
        checkin_record(user=personas.pegawai_dinkes, lat=OFFICE[0], lon=OFFICE[1], accuracy_m=12,
                       now=now + dt.timedelta(hours=9), browser_id="x" * 65)
    assert " ".join(excinfo.value.messages).startswith("Kode peramban tidak sah (paling banyak 64 karakter).")
    assert Punch.objects.count() == 1


def test_the_page_and_the_offline_queue_carry_the_browser_id(client_for, personas, office):
    client = client_for("pegawai_dinkes")
    point = north_of(OFFICE, 10)
    page = client.post("/kehadiran/presensi/", {"lat": point[0], "lon": point[1], "accuracy": 10,
                                                "browser_id": "ponsel-satu"})
    assert page.status_code == 200 and 'name="browser_id"' in page.content.decode()
    made = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).replace(microsecond=0)
    queued = client.post("/api/attendance/checkins", {
        "uuid": "0b9d6f4e-2c1a-4e3b-8f5d-7a6c5b4e3d2c", "device_at": made.isoformat(), "lat": point[0],
        "lon": point[1], "accuracy_m": 12, "browser_id": "ponsel-satu"}, content_type="application/json")
    assert queued.status_code == 201, queued.content
    expected = keyed_hash(purpose=BROWSER_PURPOSE, value="ponsel-satu")
    assert list(Punch.objects.values_list("browser", flat=True)) == [expected, expected]


def test_one_browser_checking_in_three_people_is_found_with_its_owner(org):
    mine, theirs = "a" * 32, "b" * 32
    owner, first, second = org.staff.p2p, org.staff.dinkes, org.staff.kominfo
    for n, day in enumerate(DAYS[:5]):
        phone(org, owner, at(day, 7, 10), browser=mine)
        phone(org, first if n % 2 else second, at(day, 7, 11), browser=mine)
        phone(org, org.staff.pemerintahan, at(day, 7, 30), browser=theirs)
    [signal] = shared_browser.detect(window(org), shared_browser.DEFAULTS)
    assert signal.employee_id == owner.pk and signal.unit_id == owner.unit_id and signal.key == mine
    assert signal.summary == "Satu peramban untuk presensi 3 pegawai"
    assert "10 presensi ponsel dari satu peramban antara 02-11-2026 dan 06-11-2026" in signal.explanation
    assert {e["employee"] for e in signal.evidence} == {owner.pk, first.pk, second.pk}
    assert shared_browser.detect(window(org), {"min_employees": 4}) == []


def test_two_people_on_one_phone_and_shared_machines_are_left_alone(org):
    for day in DAYS[:5]:
        phone(org, org.staff.p2p, at(day, 7, 10), browser="c" * 32)
        phone(org, org.staff.dinkes, at(day, 7, 12), browser="c" * 32)
        phone(org, org.staff.kominfo, at(day, 7, 14), browser="c" * 32, source=PunchSource.DEVICE)
    assert shared_browser.detect(window(org), shared_browser.DEFAULTS) == []


# --- a phone that does not move --------------------------------------------------------------------------------


def test_check_ins_within_decimetres_of_each_other_are_found_and_real_jitter_is_not(org):
    for n, day in enumerate(DAYS[:6]):
        for hour in (7, 16):
            wobble = (n * 2 + hour % 2) % 5 / 10  # 0 … 0,4 m
            phone(org, org.staff.p2p, at(day, hour, 5 + n), north_of(OFFICE, wobble), accuracy=5.0 + n + hour / 10)
            phone(org, org.staff.dinkes, at(day, hour, 5 + n), north_of(OFFICE, 3 + (n * 7 + hour) % 11),
                  accuracy=5.0 + n + hour / 10)
    [signal] = still_position.detect(window(org), still_position.DEFAULTS)
    assert signal.employee_id == org.staff.p2p.pk and signal.key == f"{org.staff.p2p.pk}:posisi"
    assert "11 dari 11 perpindahan" in signal.explanation and "pergeseran terbesar 0,4 m" in signal.explanation
    assert len(signal.evidence) == 12
    assert still_position.detect(window(org), {**still_position.DEFAULTS, "max_metres": 0.2}) == []


def test_the_same_accuracy_to_the_metre_for_weeks_is_found_and_for_days_is_not(org):
    for n, day in enumerate(DAYS[:14]):
        phone(org, org.staff.p2p, at(day, 7, 5), north_of(OFFICE, 3 + 4 * (n % 5)), accuracy=8.6 + (n % 8) / 10)
    [signal] = still_position.detect(window(org), still_position.DEFAULTS)
    assert signal.key == f"{org.staff.p2p.pk}:akurasi"
    assert signal.summary == "Akurasi 9 m pada 14 dari 14 presensi ponsel selama 18 hari"
    assert still_position.detect(window(org), {**still_position.DEFAULTS, "min_weeks": 3}) == []


def test_the_very_same_values_are_left_to_frozen_position(org):
    for day in DAYS[:10]:
        phone(org, org.staff.p2p, at(day, 7, 5), OFFICE, accuracy=12.0)
    assert still_position.detect(window(org), still_position.DEFAULTS) == []
    assert [s.employee_id for s in frozen_position.detect(window(org), frozen_position.DEFAULTS)] == [
        org.staff.p2p.pk]


# --- perfect surveys from one address ---------------------------------------------------------------------------


def _rated(org, finished: list[dt.datetime], addresses: list[str], scores=PERFECT) -> None:
    service, _new = Service.objects.get_or_create(city=org.city, code="sk", prefix="B", defaults={
        "name": "Surat keterangan", "sla_minutes": 15})
    counter = services.counter_ensure(actor=None, kelurahan=org.kuin, number=1)
    day = finished[0].date()
    first = Ticket.objects.filter(kelurahan=org.kuin, date=day).count() + 1
    tickets_import(rows=[TicketRow(kelurahan_id=org.kuin.pk, service_id=service.pk, prefix="B", number=first + i,
                                   date=day, status=TicketStatus.DONE, issued_at=at(day, 8, 0),
                                   called_at=done - dt.timedelta(minutes=6), serving_at=done - dt.timedelta(minutes=5),
                                   finished_at=done, counter_id=counter.pk, scores=scores, rating_address=address)
                         for i, (done, address) in enumerate(zip(finished, addresses, strict=True))])


def test_perfect_surveys_from_one_address_within_hours_are_found(org):
    day = DAYS[2]
    _rated(org, [at(day, 9, 10 * n) for n in range(6)], ["36.71.20.4"] * 6)
    stored = set(Rating.objects.values_list("address", flat=True))
    assert stored == {keyed_hash(purpose=RATING_ADDRESS_PURPOSE, value="36.71.20.4")}
    [signal] = ikm_max_address.detect(window(org), ikm_max_address.DEFAULTS)
    assert signal.kelurahan_id == org.kuin.pk and len(signal.evidence) == 6
    assert signal.summary == "6 survei IKM sempurna dari satu alamat dalam 50 menit"
    assert "Antara 04-11-2026 09:00:00 dan 04-11-2026 09:50:00, 6 dari 6 survei IKM" in signal.explanation
    assert ikm_max_address.detect(window(org), {**ikm_max_address.DEFAULTS, "min_ratings": 7}) == []
    assert ikm_max_address.detect(window(org), {**ikm_max_address.DEFAULTS, "hours": 0.5}) == []


def test_surveys_from_many_addresses_or_not_perfect_or_unknown_are_left_alone(org):
    day = DAYS[2]
    _rated(org, [at(day, 9, 10 * n) for n in range(6)], [f"36.71.20.{n}" for n in range(6)])
    _rated(org, [at(day, 13, 10 * n) for n in range(6)], ["36.71.20.9"] * 6, scores=(4,) * 8 + (3,))
    _rated(org, [at(day, 15, 5 * n) for n in range(6)], [""] * 6)
    assert Rating.objects.filter(address="").count() == 6
    assert ikm_max_address.detect(window(org), ikm_max_address.DEFAULTS) == []


def test_the_office_wifi_with_mixed_surveys_is_left_alone_unless_the_share_is_lowered(org):
    day = DAYS[2]
    _rated(org, [at(day, 9, 10 * n) for n in range(6)], ["103.20.0.10"] * 6)
    _rated(org, [at(day, 10, 5 * n) for n in range(10)], ["103.20.0.10"] * 10, scores=(4,) * 7 + (3, 2))
    assert ikm_max_address.detect(window(org), ikm_max_address.DEFAULTS) == []
    [signal] = ikm_max_address.detect(window(org), {**ikm_max_address.DEFAULTS, "min_share": 0.3})
    assert "6 dari 16 survei IKM" in signal.explanation and len(signal.evidence) == 6


def test_the_public_survey_stores_the_keyed_hash_of_the_client_address(org):
    service = Service.objects.create(city=org.city, code="ktp", prefix="A", name="Surat pengantar KTP/KK",
                                     sla_minutes=15)
    counter = services.counter_ensure(actor=None, kelurahan=org.kuin, number=1)
    ticket = services.ticket_issue(kelurahan=org.kuin, service=service, channel="online")
    services.ticket_call_next(actor=None, kelurahan=org.kuin, counter=counter)
    ticket.refresh_from_db()
    services.ticket_start(actor=None, ticket=ticket)
    services.ticket_finish(actor=None, ticket=ticket)
    response = Client().post(f"/antrean/tiket/{ticket.token}/nilai/", {code: 4 for code, _label in IKM_ELEMENTS},
                             REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 302
    rating = Rating.objects.get(ticket=ticket)
    assert rating.address == keyed_hash(purpose=RATING_ADDRESS_PURPOSE, value="198.51.100.23")
    assert "198.51.100.23" not in rating.address
