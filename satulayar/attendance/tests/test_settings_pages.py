"""The attendance settings pages (calendar, special hours, schedules, shifts, TPP rules, device commands): what
the admins in scope save goes through the services (audited, one live event), what others are refused, and rows
of another city stay out of sight."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from satulayar.attendance import devices
from satulayar.attendance.choices import CalendarDayKind, CommandStatus, ScheduleKind, TppViolation
from satulayar.attendance.models import CalendarDay, DeviceCommand, Shift, SpecialHours, TppRule, WorkSchedule
from satulayar.attendance.recap import tpp_rules_seed_default
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.org.models import City

CALENDAR, SCHEDULES, SHIFTS, TPP, DEVICES = ("/kehadiran/kalender/", "/kehadiran/jadwal/", "/kehadiran/jadwal/sif/",
                                             "/kehadiran/tpp/", "/kehadiran/mesin/")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def other_city(db):
    return City.objects.create(slug="banjarbaru", name="Banjarbaru", code="63.72", timezone="Asia/Makassar")


def week(prefix="", **days):
    data = {f"{prefix}start_{d}": "" for d in range(7)} | {f"{prefix}end_{d}": "" for d in range(7)}
    for d in range(5):
        data[f"start_{d}"], data[f"end_{d}"] = "08:00", "16:00"
    return data | days


# --- calendar and special hours ----------------------------------------------------------------------------------

def test_hr_admin_adds_changes_and_deletes_a_city_holiday(client_for, org, django_capture_on_commit_callbacks):
    client = client_for("admin_bkpsdm")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CALENDAR, {"date": "2026-09-24", "kind": CalendarDayKind.CITY_HOLIDAY,
                                          "name": "Hari Jadi Kota Banjarmasin"})
    assert response.status_code == 302 and response["Location"].endswith("?tahun=2026")
    day = CalendarDay.objects.get(city=org.city, name="Hari Jadi Kota Banjarmasin")
    assert Event.objects.filter(kind="calendar.day_saved", data__day=day.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(day.pk), action="create").exists()
    page = text(client.get(f"{CALENDAR}?tahun=2026"))
    assert "Hari Jadi Kota Banjarmasin" in page and "Libur daerah" in page

    response = client.post(f"{CALENDAR}{day.pk}/", {"date": "2026-09-25", "kind": CalendarDayKind.WORK_DAY,
                                                    "name": "Hari Jadi Kota Banjarmasin"})
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.date, day.kind) == (dt.date(2026, 9, 25), CalendarDayKind.WORK_DAY)

    assert client.post(f"{CALENDAR}{day.pk}/hapus/").status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_calendar_errors_land_on_their_fields(client_for, org):
    response = client_for("admin_bkpsdm").post(CALENDAR, {"date": "2026-09-24", "kind": CalendarDayKind.CITY_HOLIDAY,
                                                          "name": "   "})
    assert response.status_code == 422
    assert 'id="id_name-error"' in text(response) and not CalendarDay.objects.exists()


def test_special_hours_for_ramadan(client_for, org):
    client = client_for("admin_bkpsdm")
    data = {f"special-{key}": value for key, value in {  # the form's prefix: the calendar form has a `name` too
        "name": "Ramadan 1448 H", "start_date": "2027-02-08", "end_date": "2027-03-09", "start_time": "08:00",
        "end_time": "14:00", "friday_end_time": "11:00"}.items()}
    assert client.post(f"{CALENDAR}jam-khusus/", data).status_code == 302
    assert SpecialHours.objects.get(city=org.city).end_time == dt.time(14)
    again = client.post(f"{CALENDAR}jam-khusus/", data)
    assert again.status_code == 422 and 'id="id_special-start_date-error"' in text(again)
    assert SpecialHours.objects.count() == 1


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "admin_dinas_kesehatan", "walikota", "outsider"])
def test_only_the_city_hr_admin_keeps_the_calendar(client_for, org, persona):
    day = CalendarDay.objects.create(city=org.city, date=dt.date(2026, 9, 24), kind=CalendarDayKind.CITY_HOLIDAY,
                                     name="Hari Jadi")
    client = client_for(persona)
    assert client.get(CALENDAR).status_code == 403
    assert client.post(CALENDAR, {"date": "2026-09-25", "kind": "libur_daerah", "name": "X"}).status_code == 403
    assert client.post(f"{CALENDAR}{day.pk}/hapus/").status_code == 403
    assert client.post(f"{CALENDAR}jam-khusus/", {}).status_code == 403
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["Hari Jadi"]


def test_another_citys_calendar_day_is_out_of_sight(client_for, org, other_city):
    theirs = CalendarDay.objects.create(city=other_city, date=dt.date(2026, 4, 20), kind=CalendarDayKind.CITY_HOLIDAY,
                                        name="Hari Jadi Banjarbaru")
    client = client_for("admin_bkpsdm")
    assert "Hari Jadi Banjarbaru" not in text(client.get(f"{CALENDAR}?tahun=2026"))
    assert client.get(f"{CALENDAR}{theirs.pk}/").status_code == 404
    assert client.post(f"{CALENDAR}{theirs.pk}/hapus/").status_code == 404
    assert CalendarDay.objects.filter(pk=theirs.pk).exists()


# --- schedules and shifts ---------------------------------------------------------------------------------------

def test_unit_admin_sets_a_schedule_for_a_unit_in_their_subtree(client_for, org, django_capture_on_commit_callbacks):
    client = client_for("admin_dinas_kesehatan")
    page = text(client.get(SCHEDULES))
    assert "Dinas Kesehatan" in page and "Bidang Pencegahan" in page and "Diskominfotik" not in page
    assert "Dinas Komunikasi" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SCHEDULES, {"unit": org.p2p.pk, "name": "Jam P2P", "kind": ScheduleKind.FIXED,
                                           "effective_from": "2026-01-05", "grace_minutes": "10", **week()})
    assert response.status_code == 302
    schedule = WorkSchedule.objects.get(unit=org.p2p)
    assert schedule.grace_minutes == 10 and schedule.days.count() == 5
    assert Event.objects.filter(kind="schedule.set", data__schedule=schedule.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(schedule.pk)).exists()


def test_schedule_errors_land_on_their_fields(client_for, org):
    client = client_for("admin_bkpsdm")
    response = client.post(SCHEDULES, {"unit": org.dinkes.pk, "name": "Jam", "kind": ScheduleKind.FIXED,
                                       "effective_from": "2026-01-05", "grace_minutes": "200",
                                       **week(start_0="09:00", end_0="08:00", start_1="08:00", end_1="")})
    page = text(response)
    assert response.status_code == 422
    assert 'id="id_end_1-error"' in page
    assert not WorkSchedule.objects.exists()
    response = client.post(SCHEDULES, {"unit": org.dinkes.pk, "name": "Jam", "kind": ScheduleKind.FIXED,
                                       "effective_from": "2026-01-05", "grace_minutes": "200", **week()})
    assert response.status_code == 422 and 'id="id_grace_minutes-error"' in text(response)
    response = client.post(SCHEDULES, {"unit": org.dinkes.pk, "name": "Jam", "kind": ScheduleKind.FIXED,
                                       "effective_from": "2026-01-05", "grace_minutes": "0",
                                       **week(start_0="09:00", end_0="08:00")})
    assert response.status_code == 422 and "Jam pulang harus setelah jam masuk (hari 0)." in text(response)
    assert not WorkSchedule.objects.exists()


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "walikota", "lurah_kuin_cerucuk", "outsider"])
def test_schedules_refused_without_employee_management(client_for, org, persona):
    client = client_for(persona)
    assert client.get(SCHEDULES).status_code == 403
    assert client.post(SCHEDULES, {"unit": org.dinkes.pk, "name": "X", "kind": "fixed",
                                   "effective_from": "2026-01-05", "grace_minutes": "0", **week()}).status_code == 403
    assert not WorkSchedule.objects.exists()


def test_unit_admin_outside_their_subtree_is_refused(client_for, org, other_city):
    client = client_for("admin_dinas_kesehatan")
    assert client.get(f"{SCHEDULES}?unit={org.kominfo.pk}").status_code == 403
    response = client.post(SCHEDULES, {"unit": org.kominfo.pk, "name": "X", "kind": "fixed",
                                       "effective_from": "2026-01-05", "grace_minutes": "0", **week()})
    assert response.status_code == 403
    assert client.post(SHIFTS, {"unit": org.kominfo.pk, "employee": org.staff.kominfo.pk, "date": "2026-01-05",
                                "start": "07:00", "end": "15:00"}).status_code == 403
    from tests.factories import make_unit
    theirs = make_unit(other_city, "Dinas Kesehatan Banjarbaru", "BJB-DINKES")
    assert client_for("admin_bkpsdm").get(f"{SCHEDULES}?unit={theirs.pk}").status_code == 404
    assert not WorkSchedule.objects.exists() and not Shift.objects.exists()


def test_a_shift_is_rostered_for_staff_in_scope_only(client_for, org, django_capture_on_commit_callbacks):
    client = client_for("admin_dinas_kesehatan")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SHIFTS, {"unit": org.dinkes.pk, "employee": org.staff.p2p.pk, "date": "2026-01-05",
                                        "start": "22:00", "end": "06:00"})
    assert response.status_code == 302
    shift = Shift.objects.get(employee=org.staff.p2p)
    assert shift.end_at - shift.start_at == dt.timedelta(hours=8)
    assert Event.objects.filter(kind="shift.set", data__shift=shift.pk).exists()
    refused = client.post(SHIFTS, {"unit": org.dinkes.pk, "employee": org.staff.kominfo.pk, "date": "2026-01-05",
                                   "start": "07:00", "end": "15:00"})
    assert refused.status_code == 422 and 'id="id_employee-error"' in text(refused)
    assert Shift.objects.count() == 1


# --- TPP rules --------------------------------------------------------------------------------------------------

def test_hr_admin_edits_the_tpp_rule_table(client_for, org, django_capture_on_commit_callbacks):
    tpp_rules_seed_default(city=org.city)
    client = client_for("admin_bkpsdm")
    assert "Tidak absen pulang" in text(client.get(TPP))
    overlapping = client.post(TPP, {"violation": TppViolation.LATE, "min_minutes": "20", "max_minutes": "40",
                                    "percent": "1"})
    assert overlapping.status_code == 422 and 'id="id_min_minutes-error"' in text(overlapping)
    rule = TppRule.objects.get(city=org.city, violation=TppViolation.ABSENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{TPP}{rule.pk}/", {"violation": TppViolation.ABSENT, "min_minutes": "0",
                                                    "max_minutes": "", "percent": "2,5".replace(",", ".")})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.percent == Decimal("2.5")
    assert Event.objects.filter(kind="tpp.rule_saved", data__rule=rule.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(rule.pk), action="update").exists()
    assert client.post(f"{TPP}{rule.pk}/hapus/").status_code == 302
    assert not TppRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "admin_dinas_kesehatan", "inspektur"])
def test_tpp_rules_refused_to_others(client_for, org, persona):
    tpp_rules_seed_default(city=org.city)
    rule = TppRule.objects.filter(city=org.city).first()
    client = client_for(persona)
    assert client.get(TPP).status_code == 403
    assert client.post(f"{TPP}{rule.pk}/hapus/").status_code == 403
    assert TppRule.objects.filter(pk=rule.pk).exists()


def test_another_citys_tpp_rules_are_out_of_sight(client_for, org, other_city):
    theirs = TppRule.objects.create(city=other_city, violation=TppViolation.ABSENT, percent=Decimal("7.77"))
    client = client_for("admin_bkpsdm")
    assert "7,77" not in text(client.get(TPP)) and "7.77" not in text(client.get(TPP))
    assert client.post(f"{TPP}{theirs.pk}/hapus/").status_code == 404


# --- device commands --------------------------------------------------------------------------------------------

@pytest.fixture
def machine(org):
    return devices.device_register(actor=None, city=org.city, serial_number="BJM0001", name="Lobi Dinkes")


def test_hr_admin_queues_a_command_and_a_reupload_and_sees_the_result(client_for, org, machine,
                                                                      django_capture_on_commit_callbacks):
    client = client_for("admin_bkpsdm")
    assert "Lobi Dinkes" in text(client.get(DEVICES))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DEVICES}{machine.pk}/", {"action": "command", "command": "INFO"})
    assert response.status_code == 302
    queued = DeviceCommand.objects.get(device=machine)
    assert Event.objects.filter(kind="device.command_queued", data__command=queued.pk).exists()
    response = client.post(f"{DEVICES}{machine.pk}/", {"action": "reupload", "start": "2026-01-05T07:00",
                                                        "end": "2026-01-05T17:00"})
    assert response.status_code == 302
    reupload = DeviceCommand.objects.exclude(pk=queued.pk).get()
    assert "2026-01-05 07:00:00" in reupload.command
    DeviceCommand.objects.filter(pk=queued.pk).update(status=CommandStatus.DONE, return_code=0,
                                                      result="UserCount=120")
    page = text(client.get(f"{DEVICES}{machine.pk}/"))
    assert "UserCount=120" in page and "Selesai" in page


def test_device_command_errors_land_on_their_fields(client_for, org, machine):
    client = client_for("admin_bkpsdm")
    response = client.post(f"{DEVICES}{machine.pk}/", {"action": "reupload", "start": "2026-01-05T17:00",
                                                        "end": "2026-01-05T07:00"})
    assert response.status_code == 422 and "Awal periode harus sebelum akhirnya." in text(response)
    response = client.post(f"{DEVICES}{machine.pk}/", {"action": "command", "command": ""})
    assert response.status_code == 422 and 'id="id_command-error"' in text(response)
    assert not DeviceCommand.objects.exists()


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "admin_dinas_kesehatan", "walikota"])
def test_device_pages_refused_to_others(client_for, org, machine, persona):
    client = client_for(persona)
    assert client.get(DEVICES).status_code == 403
    assert client.post(f"{DEVICES}{machine.pk}/", {"action": "command", "command": "INFO"}).status_code == 403
    assert not DeviceCommand.objects.exists()


def test_another_citys_device_is_out_of_sight(client_for, org, other_city):
    theirs = devices.device_register(actor=None, city=other_city, serial_number="BJB0001", name="Lobi Banjarbaru")
    client = client_for("admin_bkpsdm")
    assert "Lobi Banjarbaru" not in text(client.get(DEVICES))
    assert client.post(f"{DEVICES}{theirs.pk}/", {"action": "command", "command": "INFO"}).status_code == 404
    assert not DeviceCommand.objects.exists()


def test_the_navigation_offers_each_page_to_its_admins_only(client_for, org):
    pages = {"Kalender kerja", "Aturan potongan TPP", "Mesin absensi", "Jadwal kerja"}
    shown = {}
    for persona in ("admin_bkpsdm", "admin_dinas_kesehatan", "pegawai_dinkes"):
        page = text(client_for(persona).get("/kehadiran/cuti/", follow=True))
        shown[persona] = {label for label in pages if label in page}
    assert shown == {"admin_bkpsdm": pages, "admin_dinas_kesehatan": {"Jadwal kerja"}, "pegawai_dinkes": set()}
