"""Daily status rules on constructed days, and the schedules behind them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from satulayar.attendance.choices import CalendarDayKind, DayStatus, LeaveKind, PunchSource, ScheduleKind
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import CalendarDay, DailyStatus, Punch, Shift
from satulayar.attendance.reports import late_today, not_in_today, today_by_unit
from satulayar.attendance.schedules import (
    DEFAULT_SCHEDULE_NAME,
    expected_hours,
    schedule_create_default,
    schedule_for_unit,
    shift_set,
    special_hours_set,
    work_schedule_set,
)
from satulayar.attendance.status import daily_status_rebuild, daily_status_refresh, day_status_for, statuses_compute
from satulayar.attendance.status_bulk import statuses_rebuild_sets
from satulayar.audit.models import AuditEntry
from satulayar.core.time import zone_named
from satulayar.demo.papers import doctor_letter
from satulayar.org.models import Employee

WITA = zone_named("Asia/Makassar")
MONDAY, TUESDAY, FRIDAY, SATURDAY = dt.date(2018, 1, 8), dt.date(2018, 1, 9), dt.date(2018, 1, 12), dt.date(2018, 1, 13)
LATER = dt.datetime(2018, 2, 1, 9, 0, tzinfo=WITA)


def wita(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=WITA)


def punch(employee, at: dt.datetime, **extra) -> Punch:
    return Punch.objects.create(employee=employee, at=at, source=extra.pop("source", PunchSource.DEVICE), **extra)


@pytest.fixture(params=["per_person", "set_based"])
def status_of(request):
    """Every rule test runs on both engines: the per-person refresh and the set-based rebuild (status_bulk)."""
    def compute(employee, day: dt.date, now: dt.datetime = LATER) -> DailyStatus | None:
        if request.param == "per_person":
            daily_status_refresh(pairs=[(employee.pk, day)], now=now)
        else:
            loaded = Employee.objects.select_related("unit__city").get(pk=employee.pk)
            statuses_rebuild_sets(employees=[loaded], start=day, end=day, now=now)
        return DailyStatus.objects.filter(employee=employee, date=day).first()

    return compute


@pytest.fixture
def ahmad(org):
    return org.staff.p2p


def test_on_time_day_with_arrival_and_departure(ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 7, 22, 40))
    punch(ahmad, wita(TUESDAY, 12, 5))
    punch(ahmad, wita(TUESDAY, 16, 3))
    row = status_of(ahmad, TUESDAY)
    assert row.status == DayStatus.PRESENT
    assert (row.first_in, row.last_out) == (wita(TUESDAY, 7, 22, 40), wita(TUESDAY, 16, 3))
    assert (row.scheduled_start, row.scheduled_end) == (wita(TUESDAY, 7, 30), wita(TUESDAY, 16))
    assert (row.late_minutes, row.early_minutes, row.missing_out) == (0, 0, False)
    assert row.scheduled_start.tzinfo is not None and row.scheduled_start.utcoffset() == dt.timedelta(0)


def test_late_counts_whole_minutes_after_start_plus_grace(org, ahmad, status_of):
    work_schedule_set(actor=None, unit=org.dinkes, name="Dinkes", effective_from=dt.date(2018, 1, 1),
                      days={w: (dt.time(7, 30), dt.time(16, 0)) for w in range(5)}, grace_minutes=5)
    punch(ahmad, wita(TUESDAY, 7, 41, 30))  # 07:35 + 6 min 30 s
    punch(ahmad, wita(TUESDAY, 15, 44, 10))  # 15 min 50 s before 16:00
    row = status_of(ahmad, TUESDAY)
    assert (row.status, row.late_minutes, row.early_minutes) == (DayStatus.PRESENT, 6, 15)
    punch(ahmad, wita(MONDAY, 7, 35, 59))  # within grace
    punch(ahmad, wita(MONDAY, 16, 0))
    assert status_of(ahmad, MONDAY).late_minutes == 0


def test_short_friday(ahmad, status_of):
    punch(ahmad, wita(FRIDAY, 7, 29))
    punch(ahmad, wita(FRIDAY, 10, 30))
    row = status_of(ahmad, FRIDAY)
    assert (row.scheduled_end, row.early_minutes) == (wita(FRIDAY, 11), 30)


def test_device_status_codes_do_not_decide_in_and_out(ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 7, 40), device_state=1)  # the machine said "out"
    punch(ahmad, wita(TUESDAY, 16, 10), device_state=0)  # and "in"
    row = status_of(ahmad, TUESDAY)
    assert (row.first_in, row.last_out, row.late_minutes) == (wita(TUESDAY, 7, 40), wita(TUESDAY, 16, 10), 10)


def test_one_punch_is_a_missing_departure_once_the_day_is_over(ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 7, 50))
    during = status_of(ahmad, TUESDAY, now=wita(TUESDAY, 15))
    assert (during.status, during.late_minutes, during.missing_out, during.last_out) == (
        DayStatus.PRESENT, 20, False, None)
    after = status_of(ahmad, TUESDAY, now=wita(TUESDAY + dt.timedelta(days=1), 0, 0))
    assert (after.missing_out, after.early_minutes) == (True, 0)


def test_a_repeated_tap_is_not_a_departure(ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 7, 25))
    punch(ahmad, wita(TUESDAY, 7, 29, 59))  # under five minutes later: the same arrival
    row = status_of(ahmad, TUESDAY)
    assert (row.last_out, row.missing_out, row.early_minutes) == (None, True, 0)
    punch(ahmad, wita(TUESDAY, 7, 30, 0))  # five minutes: a (very early) departure
    row = status_of(ahmad, TUESDAY)
    assert (row.last_out, row.missing_out, row.early_minutes) == (wita(TUESDAY, 7, 30), False, 510)


def test_excluded_punches_are_ignored(ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 6, 0), excluded=True)
    punch(ahmad, wita(TUESDAY, 8, 0))
    punch(ahmad, wita(TUESDAY, 16, 30))
    punch(ahmad, wita(TUESDAY, 23, 0), excluded=True)
    row = status_of(ahmad, TUESDAY)
    assert (row.first_in, row.last_out, row.late_minutes) == (wita(TUESDAY, 8), wita(TUESDAY, 16, 30), 30)


def test_no_punch_tk_belum_hadir_and_future(ahmad, status_of):
    assert status_of(ahmad, TUESDAY).status == DayStatus.ABSENT
    assert status_of(ahmad, TUESDAY, now=wita(TUESDAY, 9)).status == DayStatus.NOT_YET
    assert status_of(ahmad, TUESDAY, now=wita(TUESDAY, 16, 30)).status == DayStatus.NOT_YET  # until midnight
    assert status_of(ahmad, TUESDAY, now=wita(MONDAY, 9)) is None  # a future date has no row
    assert not DailyStatus.objects.filter(employee=ahmad).exists()


def test_days_off_have_a_row_only_when_worked(org, ahmad, status_of):
    CalendarDay.objects.create(city=org.city, date=MONDAY, kind=CalendarDayKind.CITY_HOLIDAY, name="Libur daerah")
    assert status_of(ahmad, SATURDAY) is None
    assert status_of(ahmad, MONDAY) is None
    punch(ahmad, wita(SATURDAY, 8, 0))
    punch(ahmad, wita(SATURDAY, 12, 0))
    row = status_of(ahmad, SATURDAY)
    assert (row.status, row.first_in, row.last_out, row.scheduled_start, row.late_minutes) == (
        DayStatus.HOLIDAY, wita(SATURDAY, 8), wita(SATURDAY, 12), None, 0)
    # A special work day on a Saturday takes the hours of the schedule's first day.
    CalendarDay.objects.create(city=org.city, date=SATURDAY, kind=CalendarDayKind.WORK_DAY, name="Pengganti")
    row = status_of(ahmad, SATURDAY)
    assert (row.status, row.late_minutes, row.early_minutes) == (DayStatus.PRESENT, 30, 240)


def test_approved_leave_sets_the_status_pending_does_not(ahmad, status_of):
    request = leave_request_create(actor=None, employee=ahmad, kind=LeaveKind.SICK, start_date=MONDAY,
                                   end_date=TUESDAY, reason="Demam, surat dokter terlampir",
                                   attachments=[doctor_letter(ahmad.name, 2)])
    assert status_of(ahmad, MONDAY).status == DayStatus.ABSENT
    leave_request_decide(actor=None, request=request, approve=True)
    punch(ahmad, wita(TUESDAY, 9, 0))  # came by to hand in the letter
    monday, tuesday = status_of(ahmad, MONDAY), status_of(ahmad, TUESDAY)
    assert (monday.status, monday.leave_id) == (DayStatus.SICK, request.pk)
    assert (tuesday.status, tuesday.first_in, tuesday.late_minutes) == (DayStatus.SICK, wita(TUESDAY, 9), 0)


def test_ramadan_hours_override_fixed_schedules(org, ahmad, personas, status_of):
    ramadan = dict(name="Ramadan 1439 H", start_date=dt.date(2018, 5, 17), end_date=dt.date(2018, 6, 14),
                   start_time=dt.time(8), end_time=dt.time(14), friday_end_time=dt.time(11))
    with pytest.raises(PermissionDenied):
        special_hours_set(actor=personas.admin_dinas_kesehatan, city=org.city, **ramadan)
    special_hours_set(actor=personas.admin_bkpsdm, city=org.city, **ramadan)
    with pytest.raises(ValidationError):
        special_hours_set(actor=personas.admin_bkpsdm, city=org.city, **{**ramadan, "name": "Lagi"})
    tuesday, friday = dt.date(2018, 5, 22), dt.date(2018, 5, 25)
    assert expected_hours(employee=ahmad, date=tuesday) == (wita(tuesday, 8), wita(tuesday, 14))
    assert expected_hours(employee=ahmad, date=friday) == (wita(friday, 8), wita(friday, 11))
    assert expected_hours(employee=ahmad, date=dt.date(2018, 5, 15)) == (wita(dt.date(2018, 5, 15), 7, 30),
                                                                         wita(dt.date(2018, 5, 15), 16))
    punch(ahmad, wita(tuesday, 8, 10))
    punch(ahmad, wita(tuesday, 13, 50))
    row = status_of(ahmad, tuesday)
    assert (row.late_minutes, row.early_minutes) == (10, 10)


def test_schedules_are_effective_dated_and_inherited(org, ahmad, personas):
    assert schedule_for_unit(unit=org.p2p, date=TUESDAY).name == DEFAULT_SCHEDULE_NAME
    assert expected_hours(employee=ahmad, date=SATURDAY) is None
    with pytest.raises(PermissionDenied):
        work_schedule_set(actor=personas.admin_dinas_kesehatan, unit=org.kominfo, name="X",
                          effective_from=TUESDAY, days={0: (dt.time(8), dt.time(15))})
    work_schedule_set(actor=personas.admin_dinas_kesehatan, unit=org.dinkes, name="Dinkes 2018",
                      effective_from=dt.date(2018, 1, 1), days={w: (dt.time(8), dt.time(15)) for w in range(5)})
    work_schedule_set(actor=personas.admin_dinas_kesehatan, unit=org.dinkes, name="Dinkes Februari",
                      effective_from=dt.date(2018, 2, 1), days={w: (dt.time(7), dt.time(15)) for w in range(6)})
    assert schedule_for_unit(unit=org.p2p, date=TUESDAY).name == "Dinkes 2018"  # inherited from the parent
    assert schedule_for_unit(unit=org.p2p, date=dt.date(2018, 2, 6)).name == "Dinkes Februari"
    assert schedule_for_unit(unit=org.p2p, date=dt.date(2017, 12, 29)).name == DEFAULT_SCHEDULE_NAME
    assert expected_hours(employee=ahmad, date=TUESDAY) == (wita(TUESDAY, 8), wita(TUESDAY, 15))
    feb_saturday = dt.date(2018, 2, 3)
    assert expected_hours(employee=ahmad, date=feb_saturday) == (wita(feb_saturday, 7), wita(feb_saturday, 15))
    work_schedule_set(actor=None, unit=org.p2p, name="P2P sendiri", effective_from=dt.date(2017, 1, 1),
                      days={w: (dt.time(9), dt.time(17)) for w in range(5)})
    assert schedule_for_unit(unit=org.p2p, date=dt.date(2018, 2, 6)).name == "P2P sendiri"  # own before parent
    assert AuditEntry.objects.filter(object_type="attendance.workschedule").count() == 3
    with pytest.raises(ValidationError):
        work_schedule_set(actor=None, unit=org.p2p, name="Terbalik", effective_from=TUESDAY,
                          days={0: (dt.time(16), dt.time(8))})


def test_a_schedule_change_recomputes_the_rows_already_written(org, ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 7, 50))
    punch(ahmad, wita(TUESDAY, 16, 0))
    assert status_of(ahmad, TUESDAY).late_minutes == 20
    work_schedule_set(actor=None, unit=org.dinkes, name="Mulai 08.00", effective_from=dt.date(2018, 1, 1),
                      days={w: (dt.time(8), dt.time(16)) for w in range(5)})
    assert DailyStatus.objects.get(employee=ahmad, date=TUESDAY).late_minutes == 0


def test_default_schedule_can_be_written_on_root_units(org):
    assert schedule_create_default(city=org.city) == 4  # Setda, Dinkes, Diskominfotik, the kecamatan
    assert schedule_create_default(city=org.city) == 0
    schedule = schedule_for_unit(unit=org.kel_office, date=TUESDAY)
    assert schedule.schedule_id is not None and schedule.days[4] == (dt.time(7, 30), dt.time(11))


def test_night_shift_crosses_midnight_and_ignores_holidays(org, personas):
    nurse = org.staff.p2p
    work_schedule_set(actor=None, unit=org.p2p, name="Sif 24 jam", effective_from=dt.date(2018, 1, 1),
                      kind=ScheduleKind.SHIFT, grace_minutes=0)
    new_year = dt.date(2018, 1, 1)
    CalendarDay.objects.create(city=org.city, date=new_year, kind=CalendarDayKind.NATIONAL_HOLIDAY, name="Tahun Baru")
    with pytest.raises(PermissionDenied):
        shift_set(actor=personas.pegawai_dinkes, employee=nurse, date=new_year, start=dt.time(21), end=dt.time(7))
    shift_set(actor=personas.admin_dinas_kesehatan, employee=nurse, date=new_year, start=dt.time(21), end=dt.time(7))
    assert Shift.objects.get(employee=nurse).end_at == wita(dt.date(2018, 1, 2), 7)
    punch(nurse, wita(new_year, 20, 50))
    departure = punch(nurse, wita(dt.date(2018, 1, 2), 6, 40))
    # The ingest refreshes the local date of each punch: the departure's date is 2 January.
    daily_status_refresh(pairs=[(nurse.pk, new_year), (nurse.pk, departure.at.astimezone(WITA).date())], now=LATER)
    row = DailyStatus.objects.get(employee=nurse, date=new_year)
    assert (row.status, row.first_in, row.last_out, row.late_minutes, row.early_minutes) == (
        DayStatus.PRESENT, wita(new_year, 20, 50), wita(dt.date(2018, 1, 2), 6, 40), 0, 20)
    assert not DailyStatus.objects.filter(employee=nurse, date=dt.date(2018, 1, 2)).exists()  # no shift, no row
    # A weekday without a shift is a day off for a shift worker; office staff keep the calendar.
    assert expected_hours(employee=nurse, date=TUESDAY) is None
    assert expected_hours(employee=org.staff.dinkes, date=new_year) is None


def test_a_late_night_punch_refreshes_the_night_shift_alone(org):
    nurse = org.staff.p2p
    work_schedule_set(actor=None, unit=org.p2p, name="Sif", effective_from=dt.date(2018, 1, 1),
                      kind=ScheduleKind.SHIFT)
    shift_set(actor=None, employee=nurse, date=MONDAY, start=dt.time(21), end=dt.time(7))
    punch(nurse, wita(MONDAY, 21, 15))
    punch(nurse, wita(TUESDAY, 7, 5))
    daily_status_refresh(pairs=[(nurse.pk, TUESDAY)], now=LATER)  # only the departure's day is touched
    row = DailyStatus.objects.get(employee=nurse, date=MONDAY)
    assert (row.late_minutes, row.last_out, row.missing_out) == (15, wita(TUESDAY, 7, 5), False)


def test_rebuild_writes_every_active_employee(org):
    punch(org.staff.kominfo, wita(MONDAY, 7, 20))
    punch(org.staff.kominfo, wita(MONDAY, 16, 5))
    written = daily_status_rebuild(city=org.city, start=MONDAY, end=SATURDAY, now=LATER)
    assert written == 5 * 5  # five employees, Monday to Friday; Saturday has no row
    assert DailyStatus.objects.filter(status=DayStatus.ABSENT).count() == 24
    assert DailyStatus.objects.get(employee=org.staff.kominfo, date=MONDAY).status == DayStatus.PRESENT
    assert daily_status_rebuild(city=org.city, start=MONDAY, end=SATURDAY, now=LATER) == 25
    assert DailyStatus.objects.count() == 25


def test_refresh_queries_do_not_grow_with_the_batch(org, django_assert_max_num_queries):
    staff = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan]
    for employee in staff:
        for offset in range(5):
            punch(employee, wita(MONDAY + dt.timedelta(days=offset), 7, 40))
    pairs = [(e.pk, MONDAY + dt.timedelta(days=n)) for e in staff for n in range(7)]
    # The cities (is today open?), a savepoint, the employees, the unit-days locked (read, the missing ones
    # inserted, read again), 6 for the rules' inputs, the old statuses, one upsert, one update of the unit-days.
    with django_assert_max_num_queries(16):
        assert daily_status_refresh(pairs=pairs, now=LATER) == 25


def test_day_status_for_and_compute_do_not_write(ahmad):
    punch(ahmad, wita(TUESDAY, 7, 45))
    row = day_status_for(employee=ahmad, date=TUESDAY, now=wita(TUESDAY, 10))
    assert (row.status, row.late_minutes, row.pk) == (DayStatus.PRESENT, 15, None)
    assert statuses_compute(pairs=[(ahmad.pk, SATURDAY)], now=LATER) == {(ahmad.pk, SATURDAY): None}
    assert not DailyStatus.objects.exists()


def test_today_by_unit_lists_who_is_not_in_yet(org, personas):
    now = wita(TUESDAY, 8, 15)
    punch(org.staff.dinkes, wita(TUESDAY, 7, 20))
    punch(org.staff.p2p, wita(TUESDAY, 7, 55))
    rows = {row.unit.code: row for row in today_by_unit(user=personas.admin_dinas_kesehatan, now=now)}
    assert set(rows) == {"DINKES", "DINKES-P2P"}
    assert (rows["DINKES"].expected, rows["DINKES"].present, rows["DINKES"].late) == (1, 1, 0)
    assert (rows["DINKES-P2P"].present, rows["DINKES-P2P"].late, rows["DINKES-P2P"].not_in) == (1, 1, 0)
    city_rows = {row.unit.code: row for row in today_by_unit(user=personas.walikota, now=now)}
    assert city_rows["DISKOMINFOTIK"].not_in == 1
    assert not_in_today(unit_ids=[org.kominfo.pk], date=TUESDAY) == [(org.staff.kominfo, DayStatus.NOT_YET)]
    assert late_today(unit_ids=[org.dinkes.pk, org.p2p.pk], date=TUESDAY) == [(org.staff.p2p, 25)]
    assert city_rows["DISKOMINFOTIK"].present_rate == 0
    with pytest.raises(PermissionDenied):
        today_by_unit(user=personas.pegawai_dinkes, now=now)


def test_a_punch_flagged_from_the_future_counts_only_once_its_time_has_come(ahmad, status_of):
    punch(ahmad, wita(TUESDAY, 7, 25), future_flag=True)  # a machine clock ahead: waits for its time or an admin
    before = status_of(ahmad, TUESDAY, now=wita(TUESDAY, 7, 0))
    assert before is not None and before.status == DayStatus.NOT_YET and before.first_in is None
    assert status_of(ahmad, FRIDAY, now=wita(TUESDAY, 7, 0)) is None  # a later day: no row yet
    punch(ahmad, wita(FRIDAY, 7, 20), future_flag=True)
    assert status_of(ahmad, FRIDAY, now=wita(TUESDAY, 7, 0)) is None
    after = status_of(ahmad, TUESDAY, now=wita(TUESDAY, 8, 0))
    assert (after.status, after.first_in) == (DayStatus.PRESENT, wita(TUESDAY, 7, 25))
