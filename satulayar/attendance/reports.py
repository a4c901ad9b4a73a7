"""Reads behind the attendance reports. Every one takes the user and goes through org.access for scope.

- `today_by_unit`: today's presence per unit, read from the maintained unit-days (status.day_open opens the
  day, every write adds its difference); `late_today` and `not_in_today`: who, from the status rows, paged;
- `long_holiday_returns` and `holiday_return_comparison`: the first working day after a long holiday
  beside a normal day (the mayor's sidak of 2 January 2018);
- `monthly_recap`, `unit_monthly_recap`, `employee_month`: the month per employee, per unit, and one
  employee's days with their TPP lines.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import DailyStatus, Punch, UnitDay
from satulayar.attendance.plan import HOLIDAY_KINDS, WorkPlan
from satulayar.attendance.recap import (
    EmployeeRecap,
    TppResult,
    UnitRecap,
    employee_recaps,
    tpp_month,
    unit_recaps,
)
from satulayar.attendance.rollups import SCHEDULED, days_totals
from satulayar.attendance.status import days_open
from satulayar.core.numbers import percent
from satulayar.core.periods import month_bounds
from satulayar.core.time import local_date
from satulayar.org import access
from satulayar.org.models import City, Employee, Unit, subtree_q


def _require_view_employees(user) -> None:
    if not access.scope_for(user).can("view_employees"):
        raise PermissionDenied(_("Anda tidak berwenang melihat laporan kehadiran unit."))


# --- today -----------------------------------------------------------------------------------------------

PAGE_SIZE = 100
TODAY_COUNTS = ("expected", "present", "late", "late_minutes", "on_leave", "not_yet", "absent")


@dataclass
class UnitToday:
    """A unit's own staff today (its unit-day): `expected` is who is scheduled today (rollups.SCHEDULED), the one
    definition every page of today shares."""

    unit: Unit
    employees: int = 0
    expected: int = 0
    present: int = 0
    late: int = 0
    late_minutes: int = 0
    on_leave: int = 0
    not_yet: int = 0
    absent: int = 0

    @property
    def present_rate(self) -> Decimal | None:
        return percent(self.present, self.expected)

    @property
    def not_in(self) -> int:
        """Scheduled and not in: not yet, or TK once the day is over."""
        return self.not_yet + self.absent

    def add(self, other: "UnitToday") -> None:
        for name in ("employees", *TODAY_COUNTS):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def today_by_unit(*, user, now: dt.datetime | None = None) -> list[UnitToday]:
    """One row per visible unit (tree order) counting its own active employees today."""
    _require_view_employees(user)
    units = access.units_for(user).filter(active=True, pk__in=rollup_units_for(user).values("pk")).order_by("path")
    return units_today(units=units, employees=access.employees_for(user).filter(active=True), now=now)


def units_today(*, units, employees, now: dt.datetime | None = None) -> list[UnitToday]:
    """`today_by_unit` over units the caller has scoped (the alert rules run without a user): their unit-days of
    today, opened first where nothing has opened the day yet. `employees` (active, in scope) are only counted."""
    now = now or timezone.now()
    units = list(units.select_related("city") if isinstance(units, QuerySet) else units)
    rows = {unit.pk: UnitToday(unit=unit) for unit in units}
    cities = {unit.city_id: unit.city for unit in units}
    days_open(now=now, cities=cities.values())
    today = {city_id: local_date(city, now) for city_id, city in cities.items()}
    for unit_id, count in (employees.filter(unit_id__in=list(rows)).order_by().values_list("unit_id")
                           .annotate(n=Count("id"))):
        rows[unit_id].employees = count
    for day in UnitDay.objects.filter(unit_id__in=list(rows), date__in=set(today.values())).only(
            "unit_id", "date", *TODAY_COUNTS):
        row = rows[day.unit_id]
        if day.date == today[row.unit.city_id]:
            for name in TODAY_COUNTS:
                setattr(row, name, getattr(day, name))
    return [rows[unit.pk] for unit in units]


def _today_people(statuses, *, unit_ids, date: dt.date, limit: int | None, offset: int):
    rows = (statuses.filter(SCHEDULED, date=date, employee__unit_id__in=unit_ids, employee__active=True)
            .select_related("employee__unit__city"))
    return rows[offset:offset + limit] if limit is not None else rows


def late_today(*, unit_ids, date: dt.date, limit: int | None = PAGE_SIZE, offset: int = 0,
               ) -> list[tuple[Employee, int]]:
    """(employee, minutes late) of those units' staff on that date, latest first: the status rows through their
    (date, status) index, a page at a time. The caller has scoped `unit_ids` to units whose staff it may name."""
    statuses = DailyStatus.objects.filter(status=DayStatus.PRESENT, late_minutes__gt=0).order_by(
        "-late_minutes", "employee__name", "employee_id")
    return [(row.employee, row.late_minutes) for row in _today_people(statuses, unit_ids=unit_ids, date=date,
                                                                      limit=limit, offset=offset)]


def not_in_today(*, unit_ids, date: dt.date, limit: int | None = PAGE_SIZE, offset: int = 0,
                 ) -> list[tuple[Employee, str]]:
    """(employee, status) of those units' staff scheduled on that date and not in (not yet, or TK), by name."""
    statuses = DailyStatus.objects.filter(status__in=(DayStatus.NOT_YET, DayStatus.ABSENT)).order_by(
        "employee__name", "employee_id")
    return [(row.employee, row.status) for row in _today_people(statuses, unit_ids=unit_ids, date=date,
                                                               limit=limit, offset=offset)]


# --- the first working day after a long holiday ------------------------------------------------------------

def long_holiday_returns(*, city: City, start: dt.date, end: dt.date, min_days: int = 3) -> list[dt.date]:
    """Work days in [start, end] that follow at least `min_days` days off, one of them a holiday or cuti
    bersama (an ordinary weekend is not a long holiday), and the first work day of each year (the day a mayor
    checks). Uses the city's default week."""
    lookback = dt.timedelta(days=21)
    plan = WorkPlan(start=start - lookback, end=end, city_ids=[city.pk])
    found = []
    day = start
    while day <= end:
        if plan.is_work_day(city_id=city.pk, unit=None, date=day):
            off, holiday, before = 0, False, day - dt.timedelta(days=1)
            while before >= start - lookback and not plan.is_work_day(city_id=city.pk, unit=None, date=before):
                off += 1
                holiday = holiday or bool(plan.calendar_kinds(city.pk, before) & HOLIDAY_KINDS)
                before -= dt.timedelta(days=1)
            if (off >= min_days and holiday) or before.year < day.year:
                found.append(day)
        day += dt.timedelta(days=1)
    return found


@dataclass(frozen=True)
class DaySummary:
    date: dt.date
    expected: int
    present: int
    late: int
    absent: int
    on_leave: int
    average_late_minutes: Decimal | None

    @property
    def present_rate(self) -> Decimal | None:
        return percent(self.present, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.present - self.late, self.expected)


@dataclass(frozen=True)
class HolidayComparison:
    after_holiday: DaySummary
    normal: DaySummary | None


def day_summary(*, user, date: dt.date) -> DaySummary:
    found = days_summary(user=user, start=date, end=date)
    return found[0] if found else DaySummary(date=date, expected=0, present=0, late=0, absent=0, on_leave=0,
                                             average_late_minutes=None)


def rollup_units_for(user, *, counted: bool = False):
    """The units whose rollups add up to the staff the user sees in attendance figures (`counted`: also a
    city-wide role that only sees rates, as in `access.attendance_employees_for`)."""
    scope = access.scope_for(user)
    units = Unit.objects.filter(city_id__in=scope.city_ids)
    if scope.city_wide and (scope.can("view_employees") or (counted and scope.can("view_attendance_rates"))):
        return units
    if not scope.can("view_employees") or not scope.unit_paths:
        return units.none()
    return units.subtree(scope.unit_paths)


def days_summary(*, user, start: dt.date, end: dt.date, unit: Unit | None = None) -> list[DaySummary]:
    """`day_summary` for each date of a range with written statuses (of `unit`'s subtree if given), read from the
    unit-day rollups: one grouped query over units × days, whatever the history behind them."""
    _require_view_employees(user)
    units = rollup_units_for(user)
    if unit is not None:
        units = units.subtree(unit)
    return [DaySummary(date=date, expected=t.expected, present=t.present, late=t.late, absent=t.absent,
                       on_leave=t.on_leave, average_late_minutes=t.average_late_minutes)
            for date, t in days_totals(unit_ids=units.values("pk"), start=start, end=end).items() if t.expected]


def normal_day_near(*, city: City, date: dt.date, today: dt.date | None = None) -> dt.date | None:
    """The same weekday one, then two … four weeks later (or earlier) that is a work day and not itself the
    end of a long holiday, and not after today."""
    today = today or local_date(city)
    span = dt.timedelta(weeks=4)
    plan = WorkPlan(start=date - span, end=date + span, city_ids=[city.pk])
    returns = set(long_holiday_returns(city=city, start=date - span, end=date + span))
    for weeks in (1, -1, 2, -2, 3, -3, 4, -4):
        candidate = date + dt.timedelta(weeks=weeks)
        if candidate <= today and candidate not in returns and plan.is_work_day(city_id=city.pk, unit=None,
                                                                                 date=candidate):
            return candidate
    return None


def holiday_return_comparison(*, user, city: City, date: dt.date, normal_date: dt.date | None = None,
                              ) -> HolidayComparison:
    normal_date = normal_date or normal_day_near(city=city, date=date)
    return HolidayComparison(after_holiday=day_summary(user=user, date=date),
                             normal=day_summary(user=user, date=normal_date) if normal_date else None)


# --- the month ---------------------------------------------------------------------------------------------

def _scoped_employees(user, year: int, month: int, unit_id: int | None = None):
    """Visible employees who are active or have days in that month (someone who left still has a recap)."""
    first, last = month_bounds(year, month)
    in_month = DailyStatus.objects.filter(date__range=(first, last)).values("employee_id")
    employees = access.employees_for(user).filter(Q(active=True) | Q(pk__in=in_month)).select_related("unit__city")
    if unit_id:
        unit = access.unit_get_for_user(user=user, pk=unit_id)
        employees = employees.filter(subtree_q(unit, via="unit"))
    return employees.order_by("unit__path", "name", "id")


def monthly_recap(*, user, year: int, month: int, unit_id: int | None = None,
                  until: dt.date | None = None) -> list[EmployeeRecap]:
    """One row per employee the user may see (an employee sees themself), with the month's TPP cut."""
    return employee_recaps(employees=_scoped_employees(user, year, month, unit_id), year=year, month=month,
                           until=until)


def unit_monthly_recap(*, user, year: int, month: int, until: dt.date | None = None) -> list[UnitRecap]:
    """One row per visible unit, summing its whole subtree."""
    _require_view_employees(user)
    units = access.units_for(user).filter(active=True).order_by("path")
    return unit_recaps(units=units, employees=_scoped_employees(user, year, month), year=year, month=month,
                       until=until)


@dataclass(frozen=True)
class EmployeeMonth:
    employee: Employee
    days: list[DailyStatus]
    recap: EmployeeRecap
    tpp: TppResult
    tpp_by_date: dict[dt.date, list] = field(default_factory=dict)
    future_punches: int = 0  # flagged as lying in the future and not due yet: not counted, no TPP line


def employee_month(*, user, employee_id: int, year: int, month: int) -> EmployeeMonth:
    employee = access.employee_get_for_user(user=user, pk=employee_id)
    first, last = month_bounds(year, month)
    days = list(DailyStatus.objects.filter(employee=employee, date__range=(first, last)).select_related("leave"))
    tpp = tpp_month(employees=[employee], year=year, month=month)[employee.pk]
    by_date = defaultdict(list)
    for line in tpp.lines:
        by_date[line.date].append(line)
    recap = employee_recaps(employees=[employee], year=year, month=month, with_tpp=False)[0]
    recap.tpp_percent = tpp.percent
    waiting = Punch.objects.filter(employee=employee, future_flag=True, excluded=False, at__gt=timezone.now())
    return EmployeeMonth(employee=employee, days=days, recap=recap, tpp=tpp, tpp_by_date=dict(by_date),
                         future_punches=waiting.count())
