"""The set-based engine gives the per-person engine's rows, status by status and unit day by unit day."""

import datetime as dt
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from satulayar.attendance.choices import CalendarDayKind, LeaveKind, PunchSource, ScheduleKind
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import CalendarDay, DailyStatus, Punch, UnitDay
from satulayar.attendance.rollups import unit_days_refresh
from satulayar.attendance.schedules import shift_set, work_schedule_set
from satulayar.attendance.status import daily_status_rebuild, daily_status_refresh
from satulayar.attendance.status_bulk import unit_days_write_sets
from satulayar.core.time import zone_named
from satulayar.demo.papers import doctor_letter
from satulayar.org.models import Employee
from tests.factories import make_employee

WITA = zone_named("Asia/Makassar")
FIRST, LAST = dt.date(2018, 1, 1), dt.date(2018, 1, 21)
FIELDS = ("status", "scheduled_start", "scheduled_end", "first_in", "last_out", "late_minutes", "early_minutes",
          "missing_out", "leave_id")
UNIT_FIELDS = ("expected", "present", "late", "late_minutes", "early", "early_minutes", "missing_out", "on_leave",
               "absent", "not_yet", "day_off_present", "arrivals")


def _dates():
    return [FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def _statuses() -> dict:
    return {(r.employee_id, r.date): tuple(getattr(r, f) for f in FIELDS) for r in DailyStatus.objects.all()}


def _unit_days() -> dict:
    return {(r.unit_id, r.date): tuple(getattr(r, f) for f in UNIT_FIELDS)
            for r in UnitDay.objects.all() if r.expected or r.day_off_present}


@pytest.fixture
def messy_history(org, personas):
    """Three weeks with everything the rules distinguish: early, late (to the microsecond), repeat taps, one punch,
    excluded punches, weekend work, a holiday, a special work day, leave (two overlapping), grace, no punches."""
    rng = random.Random(13)
    staff = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan]
    staff += [make_employee(unit, name=f"Pegawai {n}") for n, unit in enumerate([org.dinkes, org.p2p, org.kominfo])]
    work_schedule_set(actor=None, unit=org.kominfo, name="Kominfo", effective_from=dt.date(2018, 1, 10),
                      days={w: (dt.time(8), dt.time(15, 30)) for w in range(6)}, grace_minutes=7)
    CalendarDay.objects.create(city=org.city, date=dt.date(2018, 1, 16), kind=CalendarDayKind.CITY_HOLIDAY, name="L")
    CalendarDay.objects.create(city=org.city, date=dt.date(2018, 1, 20), kind=CalendarDayKind.WORK_DAY, name="K")
    punches = []
    for day in _dates():
        for employee in staff:
            if rng.random() < 0.15:
                continue
            arrive = dt.datetime.combine(day, dt.time(7), WITA) + dt.timedelta(
                minutes=rng.randrange(0, 70), seconds=rng.randrange(60), microseconds=rng.choice([0, 1, 999_999]))
            times = [arrive]
            draw = rng.random()
            if draw < 0.8:
                times.append(arrive + dt.timedelta(hours=rng.randrange(3, 10), minutes=rng.randrange(60),
                                                   microseconds=rng.choice([0, 500_000])))
            if draw < 0.2:
                times.append(arrive + dt.timedelta(minutes=rng.choice([4, 5]), seconds=rng.choice([0, 59])))
            punches += [Punch(employee=employee, at=at, source=PunchSource.DEVICE, excluded=rng.random() < 0.05)
                        for at in times]
    Punch.objects.bulk_create(punches)
    leaves = ((org.staff.p2p, LeaveKind.SICK, 10, 11), (org.staff.p2p, LeaveKind.PERMIT, 12, 12),
              (staff[-1], LeaveKind.ANNUAL, 13, 17))
    for employee, kind, start, end in leaves:
        leave = leave_request_create(actor=None, employee=employee, kind=kind, start_date=dt.date(2018, 1, start),
                                     end_date=dt.date(2018, 1, end), reason="Keperluan keluarga",
                                     attachments=[doctor_letter(employee.name, 2)] if kind == LeaveKind.SICK else [])
        leave_request_decide(actor=None, request=leave, approve=True)
    return staff


@pytest.mark.parametrize("now", [dt.datetime(2018, 2, 1, 9, tzinfo=WITA), dt.datetime(2018, 1, 15, 10, tzinfo=WITA)],
                         ids=["closed", "mid-range"])
def test_set_based_rebuild_equals_the_per_person_engine(org, messy_history, now):
    daily_status_refresh(pairs={(e.pk, d) for e in messy_history for d in _dates()}, now=now)
    per_person, per_person_units = _statuses(), _unit_days()
    DailyStatus.objects.update(status="x", late_minutes=999)  # stale rows the rebuild must overwrite
    written = daily_status_rebuild(city=org.city, start=FIRST, end=LAST, now=now)
    assert _statuses() == per_person
    assert written == len(per_person)
    assert _unit_days() == per_person_units


def test_rows_the_rules_no_longer_give_are_deleted(org):
    employee = org.staff.kominfo
    sunday = dt.date(2018, 1, 7)
    Punch.objects.create(employee=employee, at=dt.datetime(2018, 1, 7, 9, tzinfo=WITA), source=PunchSource.DEVICE)
    daily_status_rebuild(city=org.city, start=sunday, end=sunday, now=dt.datetime(2018, 2, 1, tzinfo=WITA))
    assert DailyStatus.objects.get(employee=employee, date=sunday).status == "libur"
    Punch.objects.update(excluded=True)
    daily_status_rebuild(city=org.city, start=sunday, end=sunday, now=dt.datetime(2018, 2, 1, tzinfo=WITA))
    assert not DailyStatus.objects.filter(employee=employee, date=sunday).exists()


def test_shift_units_go_through_the_per_person_engine(org):
    nurse = org.staff.p2p
    work_schedule_set(actor=None, unit=org.p2p, name="Sif", effective_from=dt.date(2018, 1, 1),
                      kind=ScheduleKind.SHIFT)
    shift_set(actor=None, employee=nurse, date=dt.date(2018, 1, 8), start=dt.time(21), end=dt.time(7))
    Punch.objects.create(employee=nurse, at=dt.datetime(2018, 1, 8, 21, 10, tzinfo=WITA), source=PunchSource.DEVICE)
    Punch.objects.create(employee=nurse, at=dt.datetime(2018, 1, 9, 7, 5, tzinfo=WITA), source=PunchSource.DEVICE)
    daily_status_rebuild(city=org.city, start=dt.date(2018, 1, 8), end=dt.date(2018, 1, 9),
                         now=dt.datetime(2018, 2, 1, tzinfo=WITA))
    row = DailyStatus.objects.get(employee=nurse, date=dt.date(2018, 1, 8))
    assert (row.status, row.late_minutes, row.last_out) == ("hadir", 10, dt.datetime(2018, 1, 9, 7, 5, tzinfo=WITA))
    assert not DailyStatus.objects.filter(employee=nurse, date=dt.date(2018, 1, 9)).exists()
    assert UnitDay.objects.get(unit=org.p2p, date=dt.date(2018, 1, 8)).present == 1


def test_unit_days_across_a_daylight_saving_change(org):
    """The arrivals' local minutes stay right on a day whose UTC offset changes (SQLite adds a fixed offset per
    day, and such days go through the per-unit path)."""
    org.city.timezone = "America/New_York"
    org.city.save()
    zone, change = zone_named("America/New_York"), dt.date(2018, 3, 12)  # Monday after the switch; and the Sunday
    employee = Employee.objects.select_related("unit__city").get(pk=org.staff.kominfo.pk)
    for day in (dt.date(2018, 3, 9), dt.date(2018, 3, 11), change):
        Punch.objects.create(employee=employee, at=dt.datetime.combine(day, dt.time(7, 45), zone),
                             source=PunchSource.DEVICE)
    daily_status_rebuild(city=org.city, start=dt.date(2018, 3, 9), end=change,
                         now=dt.datetime(2018, 4, 1, tzinfo=zone))
    rebuilt = _unit_days()
    unit_days_refresh(pairs={(org.kominfo.pk, d) for d in (dt.date(2018, 3, 9), dt.date(2018, 3, 11), change)})
    assert _unit_days() == rebuilt
    assert rebuilt[(org.kominfo.pk, change)][-1] == {"465": 1}


def test_unit_days_write_sets_replaces_only_the_units_and_dates_given(org, messy_history):
    daily_status_rebuild(city=org.city, start=FIRST, end=LAST, now=dt.datetime(2018, 2, 1, tzinfo=WITA))
    before = _unit_days()
    UnitDay.objects.filter(unit=org.dinkes).update(present=99)
    unit_days_write_sets(unit_ids=[org.dinkes.pk], start=FIRST, end=dt.date(2018, 1, 7))
    after = _unit_days()
    assert {k: v for k, v in after.items() if k[0] != org.dinkes.pk or k[1] <= dt.date(2018, 1, 7)} == \
        {k: v for k, v in before.items() if k[0] != org.dinkes.pk or k[1] <= dt.date(2018, 1, 7)}
    assert all(v[1] == 99 for k, v in after.items() if k[0] == org.dinkes.pk and k[1] > dt.date(2018, 1, 7))


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_while_punches_arrive_leaves_the_day_consistent(org):
    """One thread rebuilds a day over and over while another records punches and refreshes their statuses the way
    an ingest does; afterwards every row and unit day is what the rules give from all the punches."""
    day, now = dt.date(2018, 1, 9), dt.datetime(2018, 1, 9, 12, tzinfo=WITA)
    staff = [make_employee(org.dinkes if n % 2 else org.kominfo, name=f"Pegawai {n}") for n in range(30)]
    done = threading.Event()

    def rebuild():
        try:
            while not done.is_set():
                daily_status_rebuild(city=org.city, start=day, end=day, now=now)
        finally:
            connections.close_all()

    def punches():
        try:
            for n, employee in enumerate(staff):
                Punch.objects.create(employee=employee, at=dt.datetime(2018, 1, 9, 7, n, tzinfo=WITA),
                                     source=PunchSource.DEVICE)
                daily_status_refresh(pairs=[(employee.pk, day)], now=now)
        finally:
            done.set()
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(rebuild), pool.submit(punches)]:
            future.result()
    maintained, maintained_units = _statuses(), _unit_days()
    daily_status_refresh(pairs={(e.pk, day) for e in Employee.objects.all()}, now=now)
    assert maintained == _statuses()
    assert maintained_units == _unit_days()
    assert sum(1 for row in maintained.values() if row[0] == "hadir") == 30
