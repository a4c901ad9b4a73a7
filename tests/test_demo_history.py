"""The demo's attendance history: a small city over the month around Idul Fitri 2026, built once for the module.

The range ends on Friday 27 March 2026: Nyepi, cuti bersama and Idul Fitri keep offices closed from Wednesday
18 to Tuesday 24 March, so Wednesday 25 March is the first working day after a week off.
"""

import datetime as dt
from collections import Counter, defaultdict
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.db.models import F
from django.test import override_settings

from satulayar.attendance.choices import DayStatus, DeviceStatus, LeaveKind, PunchSource, RequestStatus
from satulayar.attendance.leave_balance import annual_leave_balance
from satulayar.attendance.models import DailyStatus, Device, Kiosk, LeaveAttachment, LeaveRequest, Punch, Shift
from satulayar.demo.generator import seed_city
from satulayar.demo.history import (
    SUSPICIOUS_COUNT,
    PlannedLeave,
    fire_operations_unit,
    history_build,
    history_people,
    history_plan,
    history_range,
    leave_write,
    roster_start_for,
    work_calendar,
)
from satulayar.org.models import City

EMPLOYEES = 300
DAYS = 30
SEED = 2018
END = dt.date(2026, 3, 27)
AFTER_BREAK = dt.date(2026, 3, 25)
LEAVE_STATUSES = {DayStatus.ANNUAL_LEAVE, DayStatus.SICK, DayStatus.PERMIT, DayStatus.FIELD_DUTY}

# The marker makes pytest-django set up the test database, which the module fixture below uses.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once, read everything the tests need into plain data, and roll the database back."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), transaction.atomic(), media:
        seed_city(city_slug="banjarmasin", employees=EMPLOYEES, days=DAYS, seed=SEED, history=False)
        city = City.objects.get(slug="banjarmasin")
        summary = history_build(city=city, days=DAYS, seed=SEED, end=END)
        start, end = history_range(end=END, days=DAYS)
        zone = city.zone
        shift_unit = fire_operations_unit(city)
        data = SimpleNamespace(
            summary=summary, start=start, end=end,
            roster_start=roster_start_for(start=start, end=end),
            calendar=work_calendar(city=city, start=start, end=end,
                                   roster_start=roster_start_for(start=start, end=end)),
            year_turn=work_calendar(city=city, start=dt.date(2025, 12, 1), end=dt.date(2026, 1, 31)),
            people=history_people(city=city, seed=SEED, shift_unit=shift_unit),
            punches=[(e, at.astimezone(zone), source, device, site) for e, at, source, device, site in
                     Punch.objects.values_list("employee_id", "at", "source", "device_id", "site_id")],
            mobile=list(Punch.objects.filter(source=PunchSource.MOBILE).values_list("lat", "lon", "distance_m")),
            statuses=list(DailyStatus.objects.values_list("employee_id", "date", "status", "late_minutes")),
            devices={d.pk: (d.serial_number, d.status, d.site_id) for d in Device.objects.all()},
            kiosks=list(Kiosk.objects.values_list("pk", "site_id", "active")),
            kiosk_punches=list(Punch.objects.filter(source=PunchSource.KIOSK).values_list("kiosk_id", "site_id",
                                                                                         "device_id")),
            leaves=list(LeaveRequest.objects.values_list("status", "decided_by_id", "start_date", "end_date")),
            shifts=list(Shift.objects.values_list("employee_id", "date")),
            papers=list(LeaveAttachment.objects.values_list("request__kind", "request__start_date",
                                                            "request__end_date", "content_type")),
            sick_over_a_day=LeaveRequest.objects.filter(kind=LeaveKind.SICK).exclude(
                start_date=F("end_date")).count(),
            balances=[annual_leave_balance(employee=request.employee, year=year)
                      for request in LeaveRequest.objects.filter(kind=LeaveKind.ANNUAL).select_related(
                          "employee__unit") for year in {request.start_date.year, request.end_date.year}],
        )
        transaction.set_rollback(True)
    return data


def office_people(demo):
    return [p for p in demo.people if p.team is None and p.suspicious_slot is None]


def punch_days(demo) -> dict[int, set[dt.date]]:
    days = defaultdict(set)
    for employee_id, at, *_rest in demo.punches:
        days[employee_id].add(at.date())
    return days


def test_most_employees_punch_on_most_work_days(demo):
    work_days = set(demo.calendar.hours)
    on_leave = defaultdict(set)
    for employee_id, date, status, _late in demo.statuses:
        if status in LEAVE_STATUSES:
            on_leave[employee_id].add(date)
    days = punch_days(demo)
    coverage = [len(days[p.employee_id] & work_days) / len(work_days - on_leave[p.employee_id])
                for p in office_people(demo)]
    assert len(coverage) > 0.9 * EMPLOYEES
    assert sum(coverage) / len(coverage) > 0.93
    assert sum(share >= 0.85 for share in coverage) > 0.9 * len(coverage)


def test_office_staff_never_punch_on_weekends_or_holidays_but_the_fire_brigade_does(demo):
    work_days = set(demo.calendar.hours)
    assert dt.date(2026, 3, 20) not in work_days and dt.date(2026, 3, 23) not in work_days  # cuti bersama
    shift_staff = {p.employee_id for p in demo.people if p.team is not None}
    stray = [(e, at) for e, at, *_rest in demo.punches
             if at.date() not in work_days and not (e in shift_staff and at.date() >= demo.roster_start)]
    # A night shift's departure falls on the next morning, still inside the roster.
    assert stray == []
    assert shift_staff, "the demo catalogue has a fire brigade"
    holidays_worked = {at.date() for e, at, *_rest in demo.punches if e in shift_staff} - work_days
    assert dt.date(2026, 3, 21) in holidays_worked  # Idul Fitri
    assert {e for e, _date in demo.shifts} == shift_staff
    assert min(date for _e, date in demo.shifts) == demo.roster_start


def test_suspicious_staff_punch_at_the_same_second_every_work_day(demo):
    suspicious = [p.employee_id for p in demo.people if p.suspicious_slot is not None]
    assert len(suspicious) == SUSPICIOUS_COUNT == len(demo.summary.suspicious)
    work_days = set(demo.calendar.hours)
    for employee_id in suspicious:
        by_day = defaultdict(list)
        for e, at, *_rest in demo.punches:
            if e == employee_id:
                by_day[at.date()].append(at.time())
        assert set(by_day) == work_days
        assert len({min(times) for times in by_day.values()}) == 1
        assert len({max(times) for times in by_day.values()}) == 1
        assert all(len(times) == 2 for times in by_day.values())
    arrivals = sorted({at.time() for e, at, *_rest in demo.punches if e in suspicious and at.hour < 12})
    assert arrivals[0] == dt.time(7, 29) and len(arrivals) == SUSPICIOUS_COUNT  # a few seconds apart


def test_statuses_have_a_plausible_spread(demo):
    office = {p.employee_id for p in office_people(demo)}
    counts = Counter(status for e, _date, status, _late in demo.statuses if e in office)
    work = sum(counts[s] for s in (DayStatus.PRESENT, DayStatus.ABSENT, *LEAVE_STATUSES))
    late = sum(1 for e, _d, status, minutes in demo.statuses if e in office and status == DayStatus.PRESENT
               and minutes > 0)
    assert counts[DayStatus.PRESENT] / work > 0.9
    assert 0.03 < late / counts[DayStatus.PRESENT] < 0.3
    assert 0 < counts[DayStatus.ABSENT] / work < 0.05
    assert sum(counts[s] for s in LEAVE_STATUSES) > 0
    assert counts[DayStatus.NOT_YET] == 0  # every day of the history is over
    assert sum(demo.summary.statuses.values()) == demo.summary.daily_statuses == len(demo.statuses)
    assert demo.summary.punches == len(demo.punches)


def test_the_first_working_day_after_a_long_break_is_worse(demo):
    office = {p.employee_id for p in office_people(demo)}
    by_day = defaultdict(Counter)
    for e, date, status, late in demo.statuses:
        if e in office and status in (DayStatus.PRESENT, DayStatus.ABSENT):
            by_day[date][status] += 1
            by_day[date]["late"] += status == DayStatus.PRESENT and late > 0

    def rate(counter, key):
        return counter[key] / (counter[DayStatus.PRESENT] + counter[DayStatus.ABSENT])

    ordinary = [day for day in demo.calendar.hours if day not in demo.calendar.dips]
    normal_presence = sum(rate(by_day[day], DayStatus.PRESENT) for day in ordinary) / len(ordinary)
    normal_late = sum(rate(by_day[day], "late") for day in ordinary) / len(ordinary)
    assert demo.calendar.dips[AFTER_BREAK] == 1.0
    assert rate(by_day[AFTER_BREAK], DayStatus.PRESENT) < normal_presence - 0.04
    assert rate(by_day[AFTER_BREAK], "late") > normal_late + 0.1


def test_the_first_working_day_of_the_year_and_after_christmas_are_dips():
    from satulayar.demo.history import dips_for

    hours = {dt.date(2025, 12, 1) + dt.timedelta(days=n): (dt.time(7, 30), dt.time(16)) for n in range(62)}
    for day in list(hours):
        if day.weekday() >= 5 or day in (dt.date(2025, 12, 25), dt.date(2025, 12, 26), dt.date(2026, 1, 1)):
            del hours[day]
    dips = dips_for(hours, start=dt.date(2025, 12, 1), end=dt.date(2026, 1, 31))
    assert dips == {dt.date(2025, 12, 29): 0.7, dt.date(2026, 1, 2): 1.0}


def test_the_seeded_calendar_gives_the_mayors_monday(demo):
    dips = demo.year_turn.dips
    assert dips[dt.date(2026, 1, 2)] == 1.0  # the first working day of 2026, a Friday
    assert dips[dt.date(2025, 12, 29)] == 0.7  # after Christmas, cuti bersama and the weekend
    assert dt.date(2026, 1, 12) not in dips


def test_punches_come_from_approved_machines_at_their_site_or_by_phone(demo):
    assert demo.devices and all(serial.startswith("BJM") and status == DeviceStatus.APPROVED
                                for serial, status, _site in demo.devices.values())
    sources = Counter(source for _e, _at, source, _device, _site in demo.punches)
    assert sources[PunchSource.DEVICE] > 0.9 * len(demo.punches)
    for _e, _at, source, device, site in demo.punches:
        if source == PunchSource.DEVICE:
            assert demo.devices[device][2] == site
        else:
            assert device is None and site is not None
    assert all(lat and lon and distance is not None for lat, lon, distance in demo.mobile)


def test_part_of_one_office_checks_in_at_its_kiosk(demo):
    [(kiosk, site, active)] = demo.kiosks
    assert active and site in {device_site for _serial, _status, device_site in demo.devices.values()}
    assert 0 < len(demo.kiosk_punches) < 0.1 * len(demo.punches)
    assert set(demo.kiosk_punches) == {(kiosk, site, None)}


def test_leave_is_requested_and_approved_by_the_system(demo):
    assert demo.leaves
    assert all(status == RequestStatus.APPROVED and decided_by is None for status, decided_by, *_d in demo.leaves)
    assert all(demo.start <= start <= end <= demo.end for _s, _d, start, end in demo.leaves)


def test_sick_leave_over_a_day_carries_a_real_paper_and_annual_leave_fits_the_balance(demo):
    # A month of 300 people has few sick spells over a day (the full year has dozens): each one has its letter.
    assert len(demo.papers) == demo.sick_over_a_day
    assert all(kind == LeaveKind.SICK and end > start for kind, start, end, _type in demo.papers)
    assert {content_type for *_rest, content_type in demo.papers} <= {"application/pdf", "image/jpeg"}
    assert demo.balances and all(b.used + b.pending <= b.available for b in demo.balances)


def test_a_planned_sick_spell_is_written_with_its_letter_and_approved(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    spell = PlannedLeave(org.staff.p2p.pk, LeaveKind.SICK, dt.date(2026, 3, 9), dt.date(2026, 3, 11), "Sakit")
    request = leave_write(org.staff.p2p, spell)
    [paper] = request.attachments.all()
    assert request.status == RequestStatus.APPROVED and paper.content_type in ("application/pdf", "image/jpeg")
    assert paper.file.read(3) in (b"%PD", b"\xff\xd8\xff")
    one_day = leave_write(org.staff.kominfo, PlannedLeave(org.staff.kominfo.pk, LeaveKind.SICK, dt.date(2026, 3, 9),
                                                          dt.date(2026, 3, 9), "Sakit"))
    assert not one_day.attachments.exists()


def test_the_plan_is_deterministic_whatever_the_order(demo):
    first = history_plan(people=demo.people, calendar=demo.calendar, seed=SEED)
    assert first == history_plan(people=demo.people, calendar=demo.calendar, seed=SEED)
    backwards = history_plan(people=list(reversed(demo.people)), calendar=demo.calendar, seed=SEED)

    def key(row):
        return row.employee_id, row.at

    assert sorted(first.device, key=key) == sorted(backwards.device, key=key)
    assert sorted(first.mobile, key=key) == sorted(backwards.mobile, key=key)
    assert sorted(first.leaves, key=lambda leave: leave.employee_id) == \
        sorted(backwards.leaves, key=lambda leave: leave.employee_id)
    assert history_plan(people=demo.people, calendar=demo.calendar, seed=SEED + 1).device != first.device
    assert len(first.device) + len(first.mobile) == demo.summary.punches
