"""The work calendar: seeded from the `holidays` package, checked against the reference list, then editable."""

import collections
import csv
import datetime as dt
import io
from pathlib import Path

import holidays
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from satulayar.attendance.calendar import (
    calendar_day_delete,
    calendar_day_save,
    calendar_seed,
    holidays_from_package,
    is_work_day,
)
from satulayar.attendance.choices import CalendarDayKind, DayStatus, PunchSource, ScheduleKind
from satulayar.attendance.models import CalendarDay, DailyStatus, Punch
from satulayar.attendance.reports import long_holiday_returns, normal_day_near
from satulayar.attendance.schedules import work_schedule_set
from satulayar.attendance.status import daily_status_rebuild
from satulayar.audit.models import AuditEntry
from satulayar.core.time import zone_named

REFERENCE = Path(__file__).parent / "data" / "hari_libur.csv"
WITA = zone_named("Asia/Makassar")


def reference_rows() -> list[tuple[dt.date, str]]:
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        return [(dt.date.fromisoformat(row["date"]), row["kind"]) for row in csv.DictReader(handle)]


def test_seed_2018_2026_equals_the_reference_list(city):
    """Every date of the checked list is seeded with the same kind, and the package adds no other date.

    The list has 214 rows on 213 dates (2021-05-13 is both Kenaikan Yesus Kristus and Idul Fitri); the
    package gives the same two names that day, so the rows match one for one.
    """
    added = calendar_seed(city=city, years=range(2018, 2027))
    seeded = collections.Counter(CalendarDay.objects.filter(city=city).values_list("date", "kind"))
    expected = collections.Counter(reference_rows())
    assert added == 214
    assert seeded == expected
    assert sum(1 for _d, kind in expected.elements() if kind == CalendarDayKind.COLLECTIVE_LEAVE) == 62
    assert set(CalendarDay.objects.filter(date=dt.date(2021, 5, 13)).values_list("name", flat=True)) == {
        "Hari Raya Idul Fitri", "Kenaikan Yesus Kristus"}


def test_cuti_bersama_is_exactly_the_government_category():
    """Mapping by the name "Cuti Bersama" and by the package's GOVERNMENT category agree."""
    government = holidays.country_holidays("ID", years=range(2018, 2028), categories=(holidays.GOVERNMENT,),
                                           language="id")
    by_name = {(d, n) for d, n, kind in holidays_from_package(years=range(2018, 2028))
               if kind == CalendarDayKind.COLLECTIVE_LEAVE}
    assert by_name == {(d, n) for d in government for n in government.get_list(d)}


def test_seed_is_idempotent_and_keeps_admin_edits(city):
    assert calendar_seed(city=city, years=[2018]) == 25
    cuti = CalendarDay.objects.get(city=city, date=dt.date(2018, 12, 24))
    assert cuti.kind == CalendarDayKind.COLLECTIVE_LEAVE
    calendar_day_save(actor=None, city=city, date=cuti.date, kind=CalendarDayKind.WORK_DAY,
                      name="Cuti bersama dibatalkan", day=cuti)
    assert calendar_seed(city=city, years=[2018, 2019]) == 21  # only 2019 is new
    assert CalendarDay.objects.get(city=city, date=dt.date(2018, 12, 24)).kind == CalendarDayKind.WORK_DAY
    assert CalendarDay.objects.filter(city=city, date__year=2018).count() == 25
    assert AuditEntry.objects.filter(object_type="attendance.calendarday", action="create").count() == 2


def test_work_days_read_the_table_and_the_schedule(org):
    city = org.city
    calendar_seed(city=city, years=[2018])
    assert not is_work_day(city=city, date=dt.date(2018, 1, 1))  # Tahun Baru, a Monday
    assert is_work_day(city=city, date=dt.date(2018, 1, 2))
    assert not is_work_day(city=city, date=dt.date(2018, 1, 6))  # Saturday
    assert not is_work_day(city=city, date=dt.date(2018, 6, 11))  # cuti bersama Idul Fitri
    # A city day is the admins' to add: Hari Jadi Kota Banjarmasin (24 September) is not a holiday by itself.
    assert is_work_day(city=city, date=dt.date(2018, 9, 24))
    calendar_day_save(actor=None, city=city, date=dt.date(2018, 9, 24), kind=CalendarDayKind.CITY_HOLIDAY,
                      name="Hari Jadi Kota Banjarmasin")
    assert not is_work_day(city=city, date=dt.date(2018, 9, 24))
    # A special work day on a Saturday.
    calendar_day_save(actor=None, city=city, date=dt.date(2018, 1, 13), kind=CalendarDayKind.WORK_DAY,
                      name="Hari kerja pengganti")
    assert is_work_day(city=city, date=dt.date(2018, 1, 13))
    # A unit with a six-day week works on Saturdays; a shift unit works every day, holidays included.
    six_days = {w: (dt.time(7, 30), dt.time(14, 0)) for w in range(6)}
    work_schedule_set(actor=None, unit=org.kominfo, name="Enam hari", effective_from=dt.date(2018, 1, 1),
                      days=six_days)
    assert is_work_day(city=city, date=dt.date(2018, 1, 6), unit=org.kominfo)
    assert not is_work_day(city=city, date=dt.date(2018, 1, 6), unit=org.dinkes)
    work_schedule_set(actor=None, unit=org.p2p, name="Sif", effective_from=dt.date(2018, 1, 1),
                      kind=ScheduleKind.SHIFT)
    assert is_work_day(city=city, date=dt.date(2018, 1, 1), unit=org.p2p)


def test_only_a_city_hr_admin_edits_the_calendar(personas, org):
    for name in ("admin_dinas_kesehatan", "walikota", "pegawai_dinkes", "outsider"):
        with pytest.raises(PermissionDenied):
            calendar_day_save(actor=getattr(personas, name), city=org.city, date=dt.date(2018, 9, 24),
                              kind=CalendarDayKind.CITY_HOLIDAY, name="Hari Jadi Kota Banjarmasin")
    day = calendar_day_save(actor=personas.admin_bkpsdm, city=org.city, date=dt.date(2018, 9, 24),
                            kind=CalendarDayKind.CITY_HOLIDAY, name="Hari Jadi Kota Banjarmasin")
    entry = AuditEntry.objects.get(object_type="attendance.calendarday", object_id=str(day.pk))
    assert (entry.actor, entry.action, entry.after["kind"]) == (personas.admin_bkpsdm, "create", "libur_daerah")
    with pytest.raises(PermissionDenied):
        calendar_day_delete(actor=personas.admin_dinas_kesehatan, day=day)
    with pytest.raises(ValidationError) as excinfo:
        calendar_day_save(actor=personas.admin_bkpsdm, city=org.city, date=dt.date(2018, 9, 24),
                          kind=CalendarDayKind.CITY_HOLIDAY, name="Hari Jadi Kota Banjarmasin")
    assert "sudah ada" in str(excinfo.value)
    with pytest.raises(ValidationError):
        calendar_day_save(actor=personas.admin_bkpsdm, city=org.city, date=dt.date(2018, 9, 25),
                          kind=CalendarDayKind.CITY_HOLIDAY, name="  ")
    day_id = day.pk
    calendar_day_delete(actor=personas.admin_bkpsdm, day=day)
    assert not CalendarDay.objects.filter(pk=day_id).exists()
    assert AuditEntry.objects.filter(object_id=str(day_id), action="delete", actor=personas.admin_bkpsdm).exists()


def test_calendar_edits_move_the_statuses(org):
    """A day made a holiday drops its TK rows and keeps worked days as libur; made a work day again, it
    gets every employee's status back."""
    day = dt.date(2018, 9, 24)  # Monday
    Punch.objects.create(employee=org.staff.kominfo, at=dt.datetime(2018, 9, 24, 7, 20, tzinfo=WITA),
                         source=PunchSource.DEVICE)
    daily_status_rebuild(city=org.city, start=day, end=day)
    assert DailyStatus.objects.filter(date=day, status=DayStatus.ABSENT).count() == 4
    holiday = calendar_day_save(actor=None, city=org.city, date=day, kind=CalendarDayKind.CITY_HOLIDAY,
                                name="Hari Jadi Kota Banjarmasin")
    assert list(DailyStatus.objects.filter(date=day).values_list("employee", "status")) == [
        (org.staff.kominfo.pk, DayStatus.HOLIDAY)]
    calendar_day_delete(actor=None, day=holiday)
    assert DailyStatus.objects.filter(date=day, status=DayStatus.ABSENT).count() == 4
    assert DailyStatus.objects.get(date=day, employee=org.staff.kominfo).status == DayStatus.PRESENT


def test_first_work_day_after_a_long_holiday(city):
    calendar_seed(city=city, years=[2017, 2018])
    returns = long_holiday_returns(city=city, start=dt.date(2018, 1, 1), end=dt.date(2018, 7, 31))
    # Weekends made long by Tahun Baru (Mon), Imlek (Fri), Wafat Isa Al-Masih (Fri), Hari Lahir Pancasila
    # (Fri), and Idul Fitri 9-20 June with its cuti bersama. An ordinary weekend, or a single holiday in
    # mid-week (Waisak on Tuesday 29 May), is not a long holiday.
    assert returns == [dt.date(2018, 1, 2), dt.date(2018, 2, 19), dt.date(2018, 4, 2), dt.date(2018, 6, 4),
                       dt.date(2018, 6, 21)]
    # The first work day of a year is always one, however short the break before it.
    assert long_holiday_returns(city=city, start=dt.date(2018, 1, 1), end=dt.date(2018, 7, 31),
                                min_days=4) == [dt.date(2018, 1, 2), dt.date(2018, 6, 21)]
    # The normal day to compare 2 January with: the Tuesday one week later.
    assert normal_day_near(city=city, date=dt.date(2018, 1, 2), today=dt.date(2018, 3, 1)) == dt.date(2018, 1, 9)


def test_the_first_work_day_of_2026_follows_a_single_holiday(city):
    calendar_seed(city=city, years=[2025, 2026])
    # Thursday 1 January is Tahun Baru; Friday 2 January is the first work day after one day off.
    returns = long_holiday_returns(city=city, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert returns[0] == dt.date(2026, 1, 2)


def test_seed_calendar_command(city):
    out = io.StringIO()
    call_command("seed_calendar", "--city", "banjarmasin", "--years", "2025-2026", stdout=out)
    assert out.getvalue().strip() == "Kota Banjarmasin: 53 calendar days added for 2025-2026"
    call_command("seed_calendar", "--city", "banjarmasin", "--years", "2025-2026", stdout=out)
    assert out.getvalue().strip().endswith("0 calendar days added for 2025-2026")
    with pytest.raises(CommandError, match="unknown city"):
        call_command("seed_calendar", "--city", "atlantis", "--years", "2025")
    with pytest.raises(CommandError, match="--years"):
        call_command("seed_calendar", "--city", "banjarmasin", "--years", "dua ribu")
