"""The monthly recap and TPP of a constructed month, against values worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from satulayar.attendance.choices import CalendarDayKind, LeaveKind, PunchSource, TppViolation
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import CalendarDay, Punch, TppPolicy, TppRule
from satulayar.attendance.recap import (
    TppLine,
    employee_recap,
    tpp_deduction,
    tpp_rules_seed_default,
    unit_recaps,
)
from satulayar.attendance.reports import (
    employee_month,
    holiday_return_comparison,
    monthly_recap,
    unit_monthly_recap,
)
from satulayar.attendance.status import daily_status_rebuild
from satulayar.core.time import zone_named
from satulayar.demo.papers import doctor_letter
from satulayar.org.models import Employee

WITA = zone_named("Asia/Makassar")
JANUARY_2019 = [dt.date(2019, 1, day) for day in range(1, 32)]
AFTER_MONTH = dt.datetime(2019, 2, 1, 9, 0, tzinfo=WITA)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2019, 1, day, hour, minute, second, tzinfo=WITA)


@pytest.fixture
def january(org):
    """Rahmadi (Bidang P2P, Dinas Kesehatan) in January 2019, under the city default schedule
    (Mon-Thu 07:30-16:00, Fri 07:30-11:00, no grace) and the default TPP rules.

    1 Jan (Tue) Tahun Baru: a holiday. Work days: 23 weekdays - 1 = 22.
    Every work day 07:25 in and 16:05 out (Fri 11:05), except:
      2 Jan  in 07:45:00           late 15 min
      3 Jan  in 08:05:00           late 35 min
      8 Jan  in 09:00:00           late 90 min (the last minute of the 61-90 bracket)
      9 Jan  in 07:31:00           late 1 min
     10 Jan  out 15:00             early 60 min
     14 Jan  no punch              TK
     15-16 Jan sick leave (approved)
     17 Jan  in 07:20 only         missing departure
     18 Jan  in 07:30:59 (Fri)     not late: 59 seconds are not a minute
     21 Jan  in 10:00:00           late 150 min
      5 Jan (Sat) 08:00-12:00      worked on a day off: libur, not a work day
    """
    employee = org.staff.p2p
    CalendarDay.objects.create(city=org.city, date=dt.date(2019, 1, 1), kind=CalendarDayKind.NATIONAL_HOLIDAY,
                               name="Tahun Baru Masehi")
    arrivals = {2: (7, 45), 3: (8, 5), 8: (9, 0), 9: (7, 31), 18: (7, 30, 59), 21: (10, 0)}
    departures = {10: (15, 0)}
    for day in JANUARY_2019:
        if day.weekday() >= 5 or day.day in (1, 14, 15, 16):
            continue
        Punch.objects.create(employee=employee, at=at(day.day, *arrivals.get(day.day, (7, 25))),
                             source=PunchSource.DEVICE)
        if day.day != 17:
            default_out = (11, 5) if day.weekday() == 4 else (16, 5)
            Punch.objects.create(employee=employee, at=at(day.day, *departures.get(day.day, default_out)),
                                 source=PunchSource.DEVICE)
    Punch.objects.create(employee=employee, at=at(5, 8), source=PunchSource.DEVICE)
    Punch.objects.create(employee=employee, at=at(5, 12), source=PunchSource.DEVICE)
    sick = leave_request_create(actor=None, employee=employee, kind=LeaveKind.SICK, start_date=dt.date(2019, 1, 15),
                                end_date=dt.date(2019, 1, 16), reason="Tifus, surat keterangan dokter",
                                attachments=[doctor_letter(employee.name, 2)])
    leave_request_decide(actor=None, request=sick, approve=True)
    daily_status_rebuild(city=org.city, start=JANUARY_2019[0], end=JANUARY_2019[-1], now=AFTER_MONTH)
    tpp_rules_seed_default(city=org.city)
    return employee


def test_monthly_recap_of_the_constructed_month(january):
    recap = employee_recap(employee=january, year=2019, month=1)
    assert recap.work_days == 22
    assert recap.present == 19  # 22 work days - 1 TK - 2 sick
    assert (recap.late_count, recap.late_minutes) == (5, 291)  # 15 + 35 + 90 + 1 + 150
    assert (recap.early_count, recap.early_minutes) == (1, 60)
    assert recap.missing_out == 1
    assert recap.absent == 1
    assert (recap.annual_leave, recap.sick, recap.permit, recap.field_duty, recap.study) == (0, 2, 0, 0, 0)
    assert recap.not_yet == 0
    assert recap.attendance_rate == Decimal("86.36")  # 19 / 22 = 0.863636…
    assert recap.tpp_percent == Decimal("9.25")


def test_tpp_of_the_constructed_month(january):
    result = tpp_deduction(employee=january, year=2019, month=1)
    # late: 0.5 (15 min) + 1 (35) + 1.25 (90) + 0.5 (1) + 1.5 (150) = 4.75
    # early: 1 (60 min); TK: 3 (one day); missing departure: 0.5 (one day)
    # 4.75 + 1 + 3 + 0.5 = 9.25, under the 100 % cap
    assert result.percent == Decimal("9.25")
    assert (result.total, result.cap, result.capped) == (Decimal("9.25"), Decimal(100), False)
    assert result.lines == [
        TppLine(dt.date(2019, 1, 2), TppViolation.LATE, 15, Decimal("0.50")),
        TppLine(dt.date(2019, 1, 3), TppViolation.LATE, 35, Decimal("1.00")),
        TppLine(dt.date(2019, 1, 8), TppViolation.LATE, 90, Decimal("1.25")),
        TppLine(dt.date(2019, 1, 9), TppViolation.LATE, 1, Decimal("0.50")),
        TppLine(dt.date(2019, 1, 10), TppViolation.EARLY, 60, Decimal("1.00")),
        TppLine(dt.date(2019, 1, 14), TppViolation.ABSENT, 0, Decimal("3.00")),
        TppLine(dt.date(2019, 1, 17), TppViolation.MISSING_OUT, 0, Decimal("0.50")),
        TppLine(dt.date(2019, 1, 21), TppViolation.LATE, 150, Decimal("1.50")),
    ]


def test_tpp_follows_the_rule_table_and_the_cap(january, org):
    TppPolicy.objects.filter(city=org.city).update(monthly_cap_percent=Decimal("5"))
    result = tpp_deduction(employee=january, year=2019, month=1)
    assert (result.percent, result.total, result.capped) == (Decimal("5.00"), Decimal("9.25"), True)
    # A city that does not cut for a missing departure, and cuts 4 % for TK:
    TppRule.objects.filter(city=org.city, violation=TppViolation.MISSING_OUT).delete()
    TppRule.objects.filter(city=org.city, violation=TppViolation.ABSENT).update(percent=Decimal("4"))
    TppPolicy.objects.filter(city=org.city).update(monthly_cap_percent=Decimal("100"))
    assert tpp_deduction(employee=january, year=2019, month=1).percent == Decimal("9.75")  # 9.25 - 0.5 + 1


def test_default_rules_are_seeded_once(org):
    assert tpp_rules_seed_default(city=org.city) == 10
    assert tpp_rules_seed_default(city=org.city) == 0
    late = TppRule.objects.filter(city=org.city, violation=TppViolation.LATE)
    assert list(late.values_list("min_minutes", "max_minutes", "percent")) == [
        (1, 30, Decimal("0.50")), (31, 60, Decimal("1.00")), (61, 90, Decimal("1.25")), (91, None, Decimal("1.50"))]
    assert TppPolicy.objects.get(city=org.city).monthly_cap_percent == Decimal(100)


def test_unit_recap_sums_the_subtree(january, org):
    # dr. Siti Rahmah (Dinas Kesehatan itself) has no punches: 22 TK days.
    employees = Employee.objects.filter(unit__path__startswith=org.dinkes.path).select_related("unit__city")
    dinkes, p2p = unit_recaps(units=[org.dinkes, org.p2p], employees=employees, year=2019, month=1)
    assert (p2p.employees, p2p.work_days, p2p.present, p2p.absent, p2p.attendance_rate) == (
        1, 22, 19, 1, Decimal("86.36"))
    assert (dinkes.employees, dinkes.work_days, dinkes.present, dinkes.absent, dinkes.sick) == (2, 44, 19, 23, 2)
    assert (dinkes.late_count, dinkes.late_minutes) == (5, 291)
    assert dinkes.attendance_rate == Decimal("43.18")  # 19 / 44


def test_report_selectors_follow_the_user_scope(january, org, personas):
    mine = monthly_recap(user=personas.pegawai_dinkes, year=2019, month=1)
    assert [(r.name, r.present, r.tpp_percent) for r in mine] == [("Rahmadi, S.K.M.", 19, Decimal("9.25"))]
    dinkes = monthly_recap(user=personas.admin_dinas_kesehatan, year=2019, month=1)
    assert [r.name for r in dinkes] == ["dr. Siti Rahmah", "Rahmadi, S.K.M."]
    assert len(monthly_recap(user=personas.walikota, year=2019, month=1)) == 5
    assert monthly_recap(user=personas.outsider, year=2019, month=1) == []
    with pytest.raises(Http404):
        monthly_recap(user=personas.admin_dinas_kesehatan, year=2019, month=1, unit_id=org.kominfo.pk)
    units = unit_monthly_recap(user=personas.admin_dinas_kesehatan, year=2019, month=1)
    assert [(u.unit_name, u.employees, u.present) for u in units] == [
        ("Dinas Kesehatan", 2, 19), ("Bidang Pencegahan dan Pengendalian Penyakit", 1, 19)]
    with pytest.raises(PermissionDenied):
        unit_monthly_recap(user=personas.pegawai_dinkes, year=2019, month=1)
    month = employee_month(user=personas.pegawai_dinkes, employee_id=january.pk, year=2019, month=1)
    assert (len(month.days), month.recap.tpp_percent, month.tpp.percent) == (23, Decimal("9.25"), Decimal("9.25"))
    assert [line.violation for line in month.tpp_by_date[dt.date(2019, 1, 21)]] == [TppViolation.LATE]
    with pytest.raises(Http404):
        employee_month(user=personas.pegawai_dinkes, employee_id=org.staff.dinkes.pk, year=2019, month=1)


def test_first_day_after_the_new_year_beside_a_normal_day(org, personas):
    """Tuesday 2 January 2018 (the mayor's sidak) against Tuesday 9 January."""
    CalendarDay.objects.create(city=org.city, date=dt.date(2018, 1, 1), kind=CalendarDayKind.NATIONAL_HOLIDAY,
                               name="Tahun Baru Masehi")
    staff = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan]
    on_jan_2 = [(7, 20), (8, 10), (9, 0), None, None]  # two late, two away
    on_jan_9 = [(7, 20), (7, 25), (7, 40), (7, 28), None]  # one late, one away
    for day, arrivals in ((2, on_jan_2), (9, on_jan_9)):
        for employee, arrival in zip(staff, arrivals, strict=True):
            if arrival:
                Punch.objects.create(employee=employee, at=dt.datetime(2018, 1, day, *arrival, tzinfo=WITA),
                                     source=PunchSource.DEVICE)
    daily_status_rebuild(city=org.city, start=dt.date(2018, 1, 2), end=dt.date(2018, 1, 9), now=AFTER_MONTH)
    comparison = holiday_return_comparison(user=personas.walikota, city=org.city, date=dt.date(2018, 1, 2))
    after, normal = comparison.after_holiday, comparison.normal
    assert (after.date, after.expected, after.present, after.late, after.absent) == (dt.date(2018, 1, 2), 5, 3, 2, 2)
    assert after.average_late_minutes == Decimal("65.0")  # (40 + 90) / 2
    assert (after.present_rate, after.on_time_rate) == (Decimal("60.00"), Decimal("20.00"))
    assert (normal.date, normal.present, normal.late, normal.absent) == (dt.date(2018, 1, 9), 4, 1, 1)
    assert (normal.present_rate, normal.on_time_rate) == (Decimal("80.00"), Decimal("60.00"))
    scoped = holiday_return_comparison(user=personas.admin_dinas_kesehatan, city=org.city, date=dt.date(2018, 1, 2))
    assert (scoped.after_holiday.expected, scoped.after_holiday.late) == (2, 1)
    with pytest.raises(PermissionDenied):
        holiday_return_comparison(user=personas.pegawai_dinkes, city=org.city, date=dt.date(2018, 1, 2))
