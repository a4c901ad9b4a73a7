"""Working hours as reads: which hours an employee is expected at work on a date.

The answer comes from, in order: the employee's rostered Shift (units whose schedule is a shift roster;
holidays do not apply to them), otherwise the unit's fixed schedule — the newest WorkSchedule in force on
the unit or its nearest ancestor, or the city default below — with the work calendar (holidays, cuti
bersama, city days, special work days) and special hours such as Ramadan laid over it.

`WorkPlan` answers many (employee, date) questions with a fixed number of queries; the status engines and
the recap use it, and `expected_hours` is its one-question form. The writes that set schedules are in
`schedules`, which recomputes statuses after them; the status engines read this module, not that one, so the
two do not import each other.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from satulayar.attendance.choices import CalendarDayKind, ScheduleKind
from satulayar.attendance.models import CalendarDay, Shift, SpecialHours, WorkSchedule
from satulayar.core.time import local_instant, local_midnight
from satulayar.org.models import Employee, Unit

UTC = dt.UTC
HOLIDAY_KINDS = frozenset({CalendarDayKind.NATIONAL_HOLIDAY, CalendarDayKind.COLLECTIVE_LEAVE,
                           CalendarDayKind.CITY_HOLIDAY})

# The city default when no unit up the tree has a schedule: a five-day week with a short Friday.
DEFAULT_SCHEDULE_NAME = "Jam kerja kota (bawaan)"
DEFAULT_DAYS: dict[int, tuple[dt.time, dt.time]] = {
    **{weekday: (dt.time(7, 30), dt.time(16, 0)) for weekday in range(4)},
    4: (dt.time(7, 30), dt.time(11, 0)),
}
DEFAULT_GRACE_MINUTES = 0

# Punches of a shift are those from this long before its start to this long after its end.
SHIFT_EARLY = dt.timedelta(hours=3)
SHIFT_LATE = dt.timedelta(hours=4)


@dataclass(frozen=True)
class ResolvedSchedule:
    name: str
    kind: str
    days: dict[int, tuple[dt.time, dt.time]]
    grace_minutes: int
    schedule_id: int | None = None  # None: the built-in city default


DEFAULT_SCHEDULE = ResolvedSchedule(DEFAULT_SCHEDULE_NAME, ScheduleKind.FIXED, DEFAULT_DAYS, DEFAULT_GRACE_MINUTES)


@dataclass(frozen=True)
class Hours:
    """Expected presence on one date, in UTC."""

    start: dt.datetime
    end: dt.datetime
    grace_minutes: int
    shift: bool = False


@dataclass(frozen=True)
class PlannedDay:
    """One employee's date: the hours expected (None: a day off) and where its punches lie: the shift's
    window for a rostered shift, else the local calendar day, as [window_start, window_end)."""

    hours: Hours | None
    window_start: dt.datetime
    window_end: dt.datetime
    shift_worker: bool


def _ancestor_ids(unit: Unit) -> list[int]:
    """The unit's own id first, then its parent's, up to the root."""
    return unit.ancestor_ids[::-1]


class WorkPlan:
    """Schedules, calendar, special hours and shifts for a set of employees over a date range, loaded once."""

    def __init__(self, *, start: dt.date, end: dt.date, employees: Iterable[Employee] = (),
                 units: Iterable[Unit] = (), city_ids: Iterable[int] = ()):
        """`employees` need `unit__city` loaded; `units` and `city_ids` add what a question without an
        employee (is this a work day for a unit, for the city) needs."""
        self.employees = {e.pk: e for e in employees}
        units = {e.unit_id: e.unit for e in self.employees.values()} | {u.pk: u for u in units}
        unit_ids = {uid for unit in units.values() for uid in _ancestor_ids(unit)}
        city_ids = {unit.city_id for unit in units.values()} | set(city_ids)
        self._schedules: dict[int, list[WorkSchedule]] = defaultdict(list)
        for schedule in (WorkSchedule.objects.filter(unit_id__in=unit_ids, effective_from__lte=end)
                         .prefetch_related("days").order_by("-effective_from", "-id")):
            self._schedules[schedule.unit_id].append(schedule)
        self._calendar: dict[tuple[int, dt.date], set[str]] = defaultdict(set)
        for city_id, date, kind in CalendarDay.objects.filter(
                city_id__in=city_ids, date__range=(start, end)).values_list("city_id", "date", "kind"):
            self._calendar[(city_id, date)].add(kind)
        self._special = list(SpecialHours.objects.filter(city_id__in=city_ids, start_date__lte=end,
                                                         end_date__gte=start))
        self._shifts: dict[int, dict[dt.date, Shift]] = defaultdict(dict)
        shifts = Shift.objects.filter(employee_id__in=list(self.employees), date__range=(
            start - dt.timedelta(days=1), end + dt.timedelta(days=1))) if self.employees else ()
        for shift in shifts:
            self._shifts[shift.employee_id][shift.date] = shift
        self._resolved: dict[int, ResolvedSchedule] = {}
        self._ancestors: dict[int, list[int]] = {}
        self._unit_days: dict[tuple[int, dt.date], PlannedDay] = {}

    # --- schedules and calendar -------------------------------------------------------------------------

    def schedule_for(self, unit: Unit, date: dt.date) -> ResolvedSchedule:
        if unit.pk not in self._ancestors:
            self._ancestors[unit.pk] = _ancestor_ids(unit)
        for unit_id in self._ancestors[unit.pk]:
            for schedule in self._schedules.get(unit_id, ()):
                if schedule.effective_from <= date:
                    return self._resolve(schedule)
        return DEFAULT_SCHEDULE

    def _resolve(self, schedule: WorkSchedule) -> ResolvedSchedule:
        if schedule.pk not in self._resolved:
            days = {d.weekday: (d.start_time, d.end_time) for d in schedule.days.all()}
            self._resolved[schedule.pk] = ResolvedSchedule(schedule.name, schedule.kind, days,
                                                           schedule.grace_minutes, schedule.pk)
        return self._resolved[schedule.pk]

    def calendar_kinds(self, city_id: int, date: dt.date) -> set[str]:
        return self._calendar.get((city_id, date), set())

    def fixed_day_hours(self, schedule: ResolvedSchedule, city_id: int,
                        date: dt.date) -> tuple[dt.time, dt.time] | None:
        """Local start and end of a fixed-schedule day, or None when the day is off."""
        kinds = self.calendar_kinds(city_id, date)
        hours = schedule.days.get(date.weekday())
        if CalendarDayKind.WORK_DAY in kinds:
            # A special work day (a replacement Saturday, a cancelled holiday) takes the first weekday's hours.
            hours = hours or (schedule.days[min(schedule.days)] if schedule.days else None)
        elif kinds & HOLIDAY_KINDS:
            hours = None
        if hours is None:
            return None
        for special in self._special:
            if special.city_id == city_id and special.start_date <= date <= special.end_date:
                end = special.friday_end_time if date.weekday() == 4 else special.end_time
                return special.start_time, end
        return hours

    def is_work_day(self, *, city_id: int, unit: Unit | None, date: dt.date) -> bool:
        schedule = self.schedule_for(unit, date) if unit is not None else DEFAULT_SCHEDULE
        if schedule.kind == ScheduleKind.SHIFT:
            return True  # a 24-hour unit works every day; who works is in the roster
        return self.fixed_day_hours(schedule, city_id, date) is not None

    # --- one employee on one date -----------------------------------------------------------------------

    def zone(self, employee: Employee) -> zoneinfo.ZoneInfo:
        return employee.unit.city.zone

    def is_shift_worker(self, employee: Employee, date: dt.date) -> bool:
        return self.schedule_for(employee.unit, date).kind == ScheduleKind.SHIFT

    def shift_window(self, employee: Employee, date: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The span of punches that belong to the employee's shift on that date, kept clear of their
        neighbouring shifts (a double shift splits at the midpoint of the gap)."""
        shifts = self._shifts.get(employee.pk, {})
        shift = shifts.get(date)
        if shift is None:
            return None
        start, end = shift.start_at - SHIFT_EARLY, shift.end_at + SHIFT_LATE
        previous, following = shifts.get(date - dt.timedelta(days=1)), shifts.get(date + dt.timedelta(days=1))
        if previous and previous.end_at + SHIFT_LATE > start:
            start = max(previous.end_at + (shift.start_at - previous.end_at) / 2, shift.start_at - SHIFT_EARLY)
        if following and following.start_at - SHIFT_EARLY < end:
            end = min(shift.end_at + (following.start_at - shift.end_at) / 2, shift.end_at + SHIFT_LATE)
        return start, end

    def day(self, employee: Employee, date: dt.date) -> PlannedDay:
        # Everyone of a unit with fixed hours has the same day: computed once per unit and date.
        planned = self._unit_days.get((employee.unit_id, date))
        if planned is not None:
            return planned
        zone = self.zone(employee)
        local_day = (local_midnight(date, zone), local_midnight(date + dt.timedelta(days=1), zone))
        schedule = self.schedule_for(employee.unit, date)
        if schedule.kind == ScheduleKind.SHIFT:
            shift = self._shifts.get(employee.pk, {}).get(date)
            if shift is None:
                return PlannedDay(None, *local_day, shift_worker=True)
            hours = Hours(shift.start_at, shift.end_at, schedule.grace_minutes, shift=True)
            return PlannedDay(hours, *self.shift_window(employee, date), shift_worker=True)
        local = self.fixed_day_hours(schedule, employee.unit.city_id, date)
        hours = Hours(local_instant(date, local[0], zone), local_instant(date, local[1], zone),
                      schedule.grace_minutes) if local else None
        planned = self._unit_days[(employee.unit_id, date)] = PlannedDay(hours, *local_day, shift_worker=False)
        return planned

    def hours(self, employee: Employee, date: dt.date) -> Hours | None:
        return self.day(employee, date).hours

    def claimed_by_neighbour_shift(self, employee: Employee, date: dt.date, at: dt.datetime) -> bool:
        """Does a punch on an off day belong to the shift of the day before or after (a night shift)?"""
        for other in (date - dt.timedelta(days=1), date + dt.timedelta(days=1)):
            if self.is_shift_worker(employee, other):
                window = self.shift_window(employee, other)
                if window and window[0] <= at < window[1]:
                    return True
        return False


def expected_hours(*, employee: Employee, date: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The (start, end) in UTC the employee is expected at work on that date; None when it is not a work day."""
    hours = WorkPlan(employees=[employee], start=date, end=date).hours(employee, date)
    return (hours.start, hours.end) if hours else None


def schedule_for_unit(*, unit: Unit, date: dt.date) -> ResolvedSchedule:
    """The schedule in force for a unit on a date (its own, inherited, or the city default)."""
    return WorkPlan(units=[unit], start=date, end=date).schedule_for(unit, date)
