"""Annual leave (cuti tahunan) balances, counted in working days of the city calendar.

The rule (PP 11/2017 Pasal 310–315, Peraturan BKN 24/2017), as applied here:
- a civil servant is entitled to 12 working days a year; cuti bersama are not working days, so a request over
  them does not count them; they are taken from the entitlement only where the city's cuti tahunan rule says so
  (`LeaveRule.collective_leave_deducted`, off by default: the Keppres on cuti bersama ASN since 2021 say they
  do not reduce it);
- days left unused carry over to the next year, at most 6 (so at most 18 available, this year's included);
- whoever took no cuti tahunan at all in the two previous years carries both years' unused days, at most 12
  (so at most 24 available, this year's included);
- years before the one of appointment (TMT pengangkatan) are not counted: nothing is carried from them.
Working days follow the unit's schedule and the city calendar (weekends, holidays and cuti bersama are not
counted); a shift-roster unit counts the city's office week. Carried days are taken from the two previous
years' own use, not from what those years themselves carried.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from satulayar.attendance.choices import CalendarDayKind, LeaveKind, RequestStatus, ScheduleKind
from satulayar.attendance.leave_rules import leave_rule_for
from satulayar.attendance.models import LeaveRequest
from satulayar.attendance.plan import WorkPlan
from satulayar.org.models import Employee

ANNUAL_DAYS = 12
CARRY_MAX = 6
CARRY_MAX_AFTER_TWO_UNUSED_YEARS = 12


@dataclass(frozen=True)
class AnnualBalance:
    year: int
    entitlement: int  # 12, less the cuti bersama on working days where the city deducts them
    carried: int
    used: int  # approved requests
    pending: int  # requests waiting for a decision

    @property
    def available(self) -> int:
        return self.entitlement + self.carried

    @property
    def remaining(self) -> int:
        return max(0, self.available - self.used - self.pending)


def carried_days(*, unused_last_year: int, unused_year_before: int, untouched_two_years: bool) -> int:
    """What comes over from the two previous years (the rule above, without the calendar)."""
    if untouched_two_years:
        return min(unused_last_year + unused_year_before, CARRY_MAX_AFTER_TWO_UNUSED_YEARS)
    return min(unused_last_year, CARRY_MAX)


class LeaveCalendar:
    """Working days of one employee over some years, the city calendar and the unit's schedule loaded once."""

    def __init__(self, *, employee: Employee, first_year: int, last_year: int):
        self.employee = employee
        self.city_id = employee.unit.city_id
        self.deducts_collective = leave_rule_for(city_id=self.city_id, kind=LeaveKind.ANNUAL).collective_leave_deducted
        self.plan = WorkPlan(start=dt.date(first_year, 1, 1), end=dt.date(last_year, 12, 31),
                             units=[employee.unit], city_ids=[self.city_id])

    def _unit(self, date: dt.date):
        unit = self.employee.unit
        return None if self.plan.schedule_for(unit, date).kind == ScheduleKind.SHIFT else unit

    def is_work_day(self, date: dt.date) -> bool:
        return self.plan.is_work_day(city_id=self.city_id, unit=self._unit(date), date=date)

    def work_days(self, start: dt.date, end: dt.date) -> int:
        return sum(self.is_work_day(start + dt.timedelta(days=n)) for n in range((end - start).days + 1))

    def entitlement(self, year: int) -> int:
        if not self.deducts_collective:
            return ANNUAL_DAYS
        collective = 0
        day = dt.date(year, 1, 1)
        while day.year == year:
            if CalendarDayKind.COLLECTIVE_LEAVE in self.plan.calendar_kinds(self.city_id, day):
                # Off because of the cuti bersama (not a weekend): it would have been a working day.
                collective += self.plan.schedule_for(self.employee.unit, day).days.get(day.weekday()) is not None
            day += dt.timedelta(days=1)
        return max(0, ANNUAL_DAYS - collective)


def request_work_days(employee: Employee, start: dt.date, end: dt.date) -> int:
    return LeaveCalendar(employee=employee, first_year=start.year, last_year=end.year).work_days(start, end)


def work_days_in_year(calendar: LeaveCalendar, request: LeaveRequest, year: int) -> int:
    start, end = max(request.start_date, dt.date(year, 1, 1)), min(request.end_date, dt.date(year, 12, 31))
    return calendar.work_days(start, end) if start <= end else 0


def annual_leave_balance(*, employee: Employee, year: int, calendar: LeaveCalendar | None = None) -> AnnualBalance:
    """The employee's cuti tahunan of `year`: entitled, carried, used and pending working days."""
    calendar = calendar or LeaveCalendar(employee=employee, first_year=year - 2, last_year=year)
    requests = list(LeaveRequest.objects.filter(
        Q(start_date__year__in=(year - 2, year - 1, year)) | Q(end_date__year__in=(year - 2, year - 1, year)),
        employee=employee, kind=LeaveKind.ANNUAL, status__in=(RequestStatus.PENDING, RequestStatus.APPROVED),
    ))

    def taken(y: int, status: str) -> int:
        return sum(work_days_in_year(calendar, r, y) for r in requests if r.status == status)

    def unused(y: int) -> int:
        if not _in_service(employee, y):
            return 0
        return max(0, calendar.entitlement(y) - taken(y, RequestStatus.APPROVED))

    untouched = all(_in_service(employee, y) and taken(y, RequestStatus.APPROVED) == 0 for y in (year - 1, year - 2))
    carried = carried_days(unused_last_year=unused(year - 1), unused_year_before=unused(year - 2),
                           untouched_two_years=untouched)
    return AnnualBalance(year=year, entitlement=calendar.entitlement(year), carried=carried,
                         used=taken(year, RequestStatus.APPROVED), pending=taken(year, RequestStatus.PENDING))


def _in_service(employee: Employee, year: int) -> bool:
    return employee.appointed_on is None or employee.appointed_on.year <= year


def annual_leave_refusal(*, employee: Employee, start: dt.date, end: dt.date) -> str | None:
    """Why a cuti tahunan from `start` to `end` cannot be asked (no working day in it, or more than the balance
    of a year it covers), or None."""
    calendar = LeaveCalendar(employee=employee, first_year=start.year - 2, last_year=end.year)
    if calendar.work_days(start, end) == 0:
        return _("Rentang %(start)s s.d. %(end)s tidak memuat hari kerja.") % {
            "start": start.strftime("%d-%m-%Y"), "end": end.strftime("%d-%m-%Y")}
    for year in range(start.year, end.year + 1):
        asked = calendar.work_days(max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31)))
        balance = annual_leave_balance(employee=employee, year=year, calendar=calendar)
        if asked > balance.remaining:
            return _("Sisa cuti tahunan %(year)s: %(left)s hari kerja; yang diminta %(asked)s hari kerja.") % {
                "year": year, "left": balance.remaining, "asked": asked}
    return None
