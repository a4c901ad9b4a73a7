"""Phone check-in guards: repeats, leaving early, positions that look made up."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.utils import timezone

from satulayar.attendance.checkin import checkin_record
from satulayar.attendance.models import Punch
from satulayar.attendance.schedules import schedule_create_default, work_schedule_set
from satulayar.org.models import Site
from tests.factories import login_as

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
MONDAY = dt.date(2026, 3, 2)
OFFICE = (-3.318_600, 114.594_400)


def at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), WITA)


@pytest.fixture
def pegawai(personas, org):
    Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=OFFICE[0],
                        lon=OFFICE[1], radius_m=100)
    schedule_create_default(city=org.city)  # Mon-Thu 07.30-16.00, Fri 07.30-11.00
    return personas.pegawai_dinkes


def check_in(user, now, point=OFFICE, accuracy=15.0, **extra):
    return checkin_record(user=user, lat=point[0], lon=point[1], accuracy_m=accuracy, now=now, **extra)


def test_four_check_ins_in_the_same_minute_are_stored_once(pegawai, settings):
    settings.ATTENDANCE_REPEAT_WINDOW_S = 120
    first = check_in(pegawai, at(MONDAY, 7, 31, 2))
    for second in (10, 30, 59):
        again = check_in(pegawai, at(MONDAY, 7, 31, second))
        assert again.pk == first.pk and again.already_recorded
    assert Punch.objects.count() == 1
    later = check_in(pegawai, at(MONDAY, 7, 33, 3), confirm_early=True)  # outside the two-minute window
    assert later.pk != first.pk and Punch.objects.count() == 2


def test_the_page_answers_sudah_tercatat_with_the_first_time(pegawai):
    client = Client()
    login_as(client, pegawai)
    data = {"lat": OFFICE[0], "lon": OFFICE[1], "accuracy": 12}
    assert client.post("/kehadiran/presensi/", data).status_code == 200
    stored = Punch.objects.get()
    answer = client.post("/kehadiran/presensi/", data).content.decode()
    local = stored.at.astimezone(WITA)
    assert f"Sudah tercatat pukul {local:%H.%M}" in answer
    assert Punch.objects.count() == 1


def test_leaving_before_the_scheduled_end_asks_for_confirmation(pegawai):
    check_in(pegawai, at(MONDAY, 7, 25))
    with pytest.raises(ValidationError) as excinfo:
        check_in(pegawai, at(MONDAY, 13, 2))
    assert excinfo.value.code == "early_leave"
    assert " ".join(excinfo.value.messages).startswith(
        "Jadwal pulang pukul 16.00; Anda pulang 178 menit lebih awal.")
    assert Punch.objects.count() == 1
    punch = check_in(pegawai, at(MONDAY, 13, 2), confirm_early=True)
    assert punch.at == at(MONDAY, 13, 2) and Punch.objects.count() == 2
    # After the end, or as the first punch of the day, nothing is asked.
    check_in(pegawai, at(MONDAY + dt.timedelta(days=1), 8, 0))
    check_in(pegawai, at(MONDAY + dt.timedelta(days=1), 16, 5))


@pytest.mark.usefixtures("mid_morning")  # "ten minutes ago" stays on today
def test_the_check_in_page_offers_the_confirmation(pegawai):
    today = timezone.localtime(timezone.now(), WITA).date()
    work_schedule_set(actor=None, unit=pegawai.employee.unit, name="Sepanjang hari", effective_from=today,
                      days={weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)})
    client = Client()
    login_as(client, pegawai)
    data = {"lat": OFFICE[0], "lon": OFFICE[1], "accuracy": 12}
    assert client.post("/kehadiran/presensi/", data).status_code == 200
    Punch.objects.update(at=F("at") - dt.timedelta(minutes=10))  # arrived ten minutes ago, outside the window
    answer = client.post("/kehadiran/presensi/", data)
    page = answer.content.decode()
    assert answer.status_code == 422 and "Pulang lebih awal?" in page and "menit lebih awal" in page
    assert 'name="confirm_early" value="1"' in page and "Ya, pulang sekarang" in page
    assert Punch.objects.count() == 1
    assert client.post("/kehadiran/presensi/", {**data, "confirm_early": "1"}).status_code == 200
    assert Punch.objects.count() == 2


def test_an_impossible_speed_is_stored_flagged_not_refused(pegawai, org):
    Site.objects.create(city=org.city, unit=org.dinkes, name="Puskesmas Jauh", lat=-2.5, lon=115.5, radius_m=100)
    check_in(pegawai, at(MONDAY, 7, 25))
    far = check_in(pegawai, at(MONDAY, 7, 45), point=(-2.5, 115.5), confirm_early=True)  # ~135 km in 20 min
    assert "kecepatan mustahil" in far.position_flag
    assert Punch.objects.get(pk=far.pk).position_flag == far.position_flag
    assert Punch.objects.get(at=at(MONDAY, 7, 25)).position_flag == ""


def test_accuracy_exactly_the_same_for_days_is_flagged(pegawai, settings):
    settings.ATTENDANCE_CONSTANT_ACCURACY_DAYS = 3
    for offset in range(3):
        day = MONDAY + dt.timedelta(days=offset)
        assert check_in(pegawai, at(day, 7, 30), accuracy=4.7).position_flag == ""
    flagged = check_in(pegawai, at(MONDAY + dt.timedelta(days=3), 7, 30), accuracy=4.7)
    assert "akurasi persis 4,7 m setiap hari selama 4 hari" in flagged.position_flag
    honest = check_in(pegawai, at(MONDAY + dt.timedelta(days=3), 16, 0), accuracy=8.3)
    assert honest.position_flag == ""


def test_an_altitude_that_never_changes_is_flagged(pegawai, settings):
    settings.ATTENDANCE_CONSTANT_ACCURACY_DAYS = 2
    for offset, accuracy in enumerate((9.0, 12.0)):
        day = MONDAY + dt.timedelta(days=offset)
        assert check_in(pegawai, at(day, 7, 30), accuracy=accuracy, altitude_m=0.0).position_flag == ""
    flagged = check_in(pegawai, at(MONDAY + dt.timedelta(days=2), 7, 30), accuracy=14.0, altitude_m=0.0)
    assert flagged.position_flag == "ketinggian persis 0,0 m tanpa berubah selama 3 hari"
    assert Punch.objects.get(pk=flagged.pk).altitude_m == 0.0
    # A phone that reports no altitude is not judged on it.
    assert check_in(pegawai, at(MONDAY + dt.timedelta(days=2), 16, 5), accuracy=11.0).position_flag == ""


def test_the_page_stores_the_altitude_the_phone_reported(pegawai):
    client = Client()
    login_as(client, pegawai)
    client.post("/kehadiran/presensi/", {"lat": OFFICE[0], "lon": OFFICE[1], "accuracy": 12, "altitude": 21.5})
    assert Punch.objects.get().altitude_m == 21.5
