"""Daily status: what each employee's day was, derived from punches, calendar, schedule, shifts and leave.

Rules, in order, for one employee on one local date:

1. Not a work day for them (weekend, holiday, cuti bersama, no shift rostered) -> `libur`, written only
   when they punched anyway (first and last punch kept); otherwise no row.
2. An approved leave request covering the date -> its kind (cuti, sakit, izin, dinas_luar, tugas_belajar);
   punches, if any, are still recorded.
3. Punches (not excluded) -> `hadir`. The first punch of the day (or of the shift's window) is the arrival
   and the last the departure, whatever status code the device sent. A punch within REPEAT_WINDOW of the
   arrival is a repeat of it, not a departure. late = first_in - (start + grace), early = end - last_out,
   in whole minutes, never negative. Only an arrival, once the day is over -> `missing_out`.
4. No punch: the day is over -> `tk`; it is today and not over -> `belum_hadir`; a future date -> no row.

`daily_status_refresh` is called for the pairs each punch batch touched; `daily_status_rebuild` for a
whole city and date range (the demo, the nightly close of the day, calendar edits).
"""

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from satulayar.attendance.choices import DayStatus, RequestStatus
from satulayar.attendance.models import DailyStatus, LeaveRequest, Punch
from satulayar.attendance.rollups import unit_days_refresh_for_employees
from satulayar.attendance.schedules import PlannedDay, WorkPlan, city_zone, local_midnight
from satulayar.core.periods import month_spans
from satulayar.org.models import City, Employee

REPEAT_WINDOW = dt.timedelta(minutes=5)
EMPLOYEE_BATCH = 500
UPDATE_FIELDS = ["status", "scheduled_start", "scheduled_end", "first_in", "last_out", "late_minutes",
                 "early_minutes", "missing_out", "leave", "updated_at"]


def _minutes(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


@dataclass
class _Inputs:
    """Everything the rules need for a batch of pairs, loaded in a fixed number of queries."""

    plan: WorkPlan
    punches: dict[int, list[dt.datetime]]
    leaves: dict[int, list[LeaveRequest]]

    @classmethod
    def load(cls, *, employees: list[Employee], start: dt.date, end: dt.date) -> "_Inputs":
        plan = WorkPlan(employees=employees, start=start - dt.timedelta(days=1), end=end + dt.timedelta(days=1))
        ids = [e.pk for e in employees]
        # Two days of margin either side covers any zone and a night shift's window.
        low = local_midnight(start - dt.timedelta(days=2), dt.UTC)
        high = local_midnight(end + dt.timedelta(days=3), dt.UTC)
        punches: dict[int, list[dt.datetime]] = defaultdict(list)
        for employee_id, at in (Punch.objects.filter(employee_id__in=ids, excluded=False, at__gte=low, at__lt=high)
                                .order_by("employee_id", "at").values_list("employee_id", "at")):
            punches[employee_id].append(at)
        leaves: dict[int, list[LeaveRequest]] = defaultdict(list)
        for leave in LeaveRequest.objects.filter(
                employee_id__in=ids, status=RequestStatus.APPROVED, start_date__lte=end + dt.timedelta(days=1),
                end_date__gte=start - dt.timedelta(days=1)).order_by("-created_at"):
            leaves[leave.employee_id].append(leave)
        return cls(plan, punches, leaves)

    def punches_of(self, employee: Employee, date: dt.date, day: PlannedDay) -> list[dt.datetime]:
        times = self.punches.get(employee.pk, [])
        found = times[bisect.bisect_left(times, day.window_start):bisect.bisect_left(times, day.window_end)]
        if day.hours is None and day.shift_worker:
            found = [at for at in found if not self.plan.claimed_by_neighbour_shift(employee, date, at)]
        return found

    def leave_on(self, employee_id: int, date: dt.date) -> LeaveRequest | None:
        return next((r for r in self.leaves.get(employee_id, ()) if r.start_date <= date <= r.end_date), None)


def _status(inputs: _Inputs, employee: Employee, date: dt.date, now: dt.datetime) -> DailyStatus | None:
    day = inputs.plan.day(employee, date)
    hours = day.hours
    punches = inputs.punches_of(employee, date, day)
    day_over = now >= day.window_end
    first_in = punches[0] if punches else None
    last_out = punches[-1] if punches and punches[-1] - punches[0] >= REPEAT_WINDOW else None
    row = DailyStatus(employee_id=employee.pk, date=date, first_in=first_in, last_out=last_out)
    if hours is None:
        if not punches:
            return None
        row.status = DayStatus.HOLIDAY
        return row
    row.scheduled_start, row.scheduled_end = hours.start, hours.end
    leave = inputs.leave_on(employee.pk, date)
    if leave is not None:
        row.status, row.leave = leave.kind, leave
        return row
    if punches:
        row.status = DayStatus.PRESENT
        row.late_minutes = _minutes(first_in - hours.start - dt.timedelta(minutes=hours.grace_minutes))
        row.early_minutes = _minutes(hours.end - last_out) if last_out else 0
        row.missing_out = last_out is None and day_over
        return row
    if date > now.astimezone(inputs.plan.zone(employee)).date():
        return None
    row.status = DayStatus.ABSENT if day_over else DayStatus.NOT_YET
    return row


def _batches(items: Iterable, size: int):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _expand_night_shifts(inputs: _Inputs, pairs: set[tuple[int, dt.date]]) -> set[tuple[int, dt.date]]:
    """A punch after midnight may close the previous day's night shift: refresh that day too."""
    extra = set()
    for employee_id, date in pairs:
        employee = inputs.plan.employees[employee_id]
        previous = date - dt.timedelta(days=1)
        if inputs.plan.is_shift_worker(employee, previous):
            window = inputs.plan.shift_window(employee, previous)
            if window and window[1] > local_midnight(date, inputs.plan.zone(employee)):
                extra.add((employee_id, previous))
    return pairs | extra


def statuses_compute(*, pairs: Iterable[tuple[int, dt.date]], now: dt.datetime | None = None,
                     employees: Iterable[Employee] | None = None) -> dict[tuple[int, dt.date], DailyStatus | None]:
    """The statuses of those pairs, computed but not saved (None: no row belongs there).

    Reports use this for today, so that who is not in yet shows whether or not rows were written.
    Pass `employees` (with `unit__city` loaded) to save the query for them.
    """
    now = now or timezone.now()
    pairs = set(pairs)
    if not pairs:
        return {}
    known = {e.pk: e for e in employees} if employees is not None else {}
    missing = {employee_id for employee_id, _date in pairs} - set(known)
    if missing:
        known |= {e.pk: e for e in Employee.objects.filter(pk__in=missing).select_related("unit__city")}
    pairs = {(employee_id, date) for employee_id, date in pairs if employee_id in known}
    dates = [date for _employee_id, date in pairs]
    inputs = _Inputs.load(employees=list(known.values()), start=min(dates), end=max(dates))
    pairs = _expand_night_shifts(inputs, pairs)
    return {(employee_id, date): _status(inputs, known[employee_id], date, now) for employee_id, date in pairs}


def _write(results: dict[tuple[int, dt.date], DailyStatus | None], employees: dict[int, Employee]) -> int:
    """Store the computed statuses (None: delete the row) and the unit-day rollups they belong to."""
    rows = [row for row in results.values() if row is not None]
    DailyStatus.objects.bulk_create(rows, update_conflicts=True, unique_fields=["employee", "date"],
                                    update_fields=UPDATE_FIELDS)
    gone: dict[dt.date, list[int]] = defaultdict(list)
    for (employee_id, date), row in results.items():
        if row is None:
            gone[date].append(employee_id)
    if gone:
        q = Q(pk__in=[])
        for date, employee_ids in gone.items():
            q |= Q(date=date, employee_id__in=employee_ids)
        DailyStatus.objects.filter(q).delete()
    unit_days_refresh_for_employees(pairs=results.keys(), employees=employees)
    return len(rows)


def _compute_and_write(pairs: set[tuple[int, dt.date]], employee_ids, now: dt.datetime) -> int:
    employees = Employee.objects.select_related("unit__city").in_bulk(employee_ids)
    return _write(statuses_compute(pairs=pairs, now=now, employees=employees.values()), employees)


def daily_status_refresh(*, pairs: Iterable[tuple[int, dt.date]], now: dt.datetime | None = None) -> int:
    """Recompute the DailyStatus rows of those (employee_id, local date) pairs. Returns rows written.

    Batched by employee and by month, so a re-upload covering a year stays a few queries per batch.
    """
    now = now or timezone.now()
    by_month: dict[tuple[int, int], set[tuple[int, dt.date]]] = defaultdict(set)
    for employee_id, date in pairs:
        by_month[(date.year, date.month)].add((employee_id, date))
    written = 0
    for month_pairs in by_month.values():
        by_employee: dict[int, list[dt.date]] = defaultdict(list)
        for employee_id, date in month_pairs:
            by_employee[employee_id].append(date)
        for employee_ids in _batches(sorted(by_employee), EMPLOYEE_BATCH):
            batch = {(e, d) for e in employee_ids for d in by_employee[e]}
            with transaction.atomic():
                written += _compute_and_write(batch, employee_ids, now)
    return written


def daily_status_rebuild(*, city: City, start: dt.date, end: dt.date, now: dt.datetime | None = None,
                         employee_ids: Iterable[int] | None = None) -> int:
    """Recompute every active employee's status (or those given) for each date of the range. Returns rows
    written. Run nightly for yesterday so that a day without punches becomes TK."""
    now = now or timezone.now()
    if employee_ids is None:
        employee_ids = Employee.objects.filter(unit__city=city, active=True).values_list("pk", flat=True)
    employee_ids = sorted(employee_ids)
    written = 0
    for month_start, month_end in month_spans(start, end):
        dates = [month_start + dt.timedelta(days=n) for n in range((month_end - month_start).days + 1)]
        for batch in _batches(employee_ids, EMPLOYEE_BATCH):
            with transaction.atomic():
                written += _compute_and_write({(e, d) for e in batch for d in dates}, batch, now)
    return written


def day_status_for(*, employee: Employee, date: dt.date, now: dt.datetime | None = None) -> DailyStatus | None:
    """One employee's status on one date as the rules give it now (unsaved)."""
    return statuses_compute(pairs={(employee.pk, date)}, now=now, employees=[employee])[(employee.pk, date)]


def local_today(city: City, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(city_zone(city.timezone)).date()
