"""The per-row status engine: the rules of `status` applied to a set of (employee, date) pairs, written with the
difference added to their unit-days. `status` (opening today, time passing, whole rebuilds) and the set-based
engine `status_bulk` (a night shift's rows) both call it; it calls neither, so the three do not import each other.
See `status` for the rules.
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
from satulayar.attendance.models import DailyStatus, LeaveRequest, Punch, UnitDay
from satulayar.attendance.plan import PlannedDay, WorkPlan
from satulayar.attendance.rollups import status_counts, unit_days_add, unit_days_lock
from satulayar.core.events import attendance_channel, event_publish
from satulayar.core.time import local_date, local_midnight
from satulayar.org.models import City, Employee

REPEAT_WINDOW = dt.timedelta(minutes=5)
EMPLOYEE_BATCH = 500
UPDATE_FIELDS = ["status", "scheduled_start", "scheduled_end", "first_in", "last_out", "late_minutes",
                 "early_minutes", "missing_out", "leave", "updated_at"]
COMPARED = ["status", "scheduled_start", "scheduled_end", "first_in", "last_out", "late_minutes", "early_minutes",
            "missing_out", "leave_id"]


def _minutes(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


@dataclass
class _Inputs:
    """Everything the rules need for a batch of pairs, loaded in a fixed number of queries."""

    plan: WorkPlan
    punches: dict[int, list[dt.datetime]]
    leaves: dict[int, list[LeaveRequest]]

    @classmethod
    def load(cls, *, employees: list[Employee], start: dt.date, end: dt.date, now: dt.datetime) -> "_Inputs":
        plan = WorkPlan(employees=employees, start=start - dt.timedelta(days=1), end=end + dt.timedelta(days=1))
        ids = [e.pk for e in employees]
        # Two days of margin either side covers any zone and a night shift's window.
        low = local_midnight(start - dt.timedelta(days=2), dt.UTC)
        high = local_midnight(end + dt.timedelta(days=3), dt.UTC)
        punches: dict[int, list[dt.datetime]] = defaultdict(list)
        # A punch flagged as lying in the future (a wrong clock) counts once its time has come.
        counted = Punch.objects.filter(Q(future_flag=False) | Q(at__lte=now), employee_id__in=ids, excluded=False,
                                       at__gte=low, at__lt=high)
        for employee_id, at in counted.order_by("employee_id", "at").values_list("employee_id", "at"):
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
    inputs = _Inputs.load(employees=list(known.values()), start=min(dates), end=max(dates), now=now)
    pairs = _expand_night_shifts(inputs, pairs)
    return {(employee_id, date): _status(inputs, known[employee_id], date, now) for employee_id, date in pairs}


def _same(old: DailyStatus | None, new: DailyStatus | None) -> bool:
    if old is None or new is None:
        return old is new
    return all(getattr(old, name) == getattr(new, name) for name in COMPARED)


def _current(pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], DailyStatus]:
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for employee_id, date in pairs:
        by_date[date].append(employee_id)
    q = Q(pk__in=[])
    for date, employee_ids in by_date.items():
        q |= Q(date=date, employee_id__in=employee_ids)
    return {(row.employee_id, row.date): row for row in DailyStatus.objects.filter(q)}


def _publish_today(changed, employees: dict[int, Employee], now: dt.datetime) -> None:
    """One live event per city whose today changed (the overview's attendance panel listens to it)."""
    units: dict[City, set[int]] = defaultdict(set)
    for employee_id, date in changed:
        city = employees[employee_id].unit.city
        if date == local_date(city, now):
            units[city].add(employees[employee_id].unit_id)
    for city, unit_ids in units.items():
        event_publish(channel=attendance_channel(city), kind="status.changed",
                      data={"date": local_date(city, now), "units": sorted(unit_ids)})


def _write(results: dict[tuple[int, dt.date], DailyStatus | None], employees: dict[int, Employee],
           locked: dict[tuple[int, dt.date], UnitDay], now: dt.datetime) -> int:
    """Store the statuses that changed (None: delete the row) and add the difference to their unit-days, which
    the caller has locked. Returns how many statuses changed."""
    old = _current(results)
    changed = {key: row for key, row in results.items() if not _same(old.get(key), row)}
    if not changed:
        return 0
    unit_of = {key: (employees[key[0]].unit_id, key[1]) for key in changed}
    locked |= unit_days_lock(set(unit_of.values()) - set(locked))  # a night shift's day before
    DailyStatus.objects.bulk_create([row for row in changed.values() if row is not None], update_conflicts=True,
                                    unique_fields=["employee", "date"], update_fields=UPDATE_FIELDS)
    gone = [key for key, row in changed.items() if row is None and key in old]
    if gone:
        DailyStatus.objects.filter(pk__in=[old[key].pk for key in gone]).delete()
    deltas = []
    for key, row in changed.items():
        zone = employees[key[0]].unit.city.zone
        deltas += [(unit_of[key], *status_counts(old.get(key), zone), -1),
                   (unit_of[key], *status_counts(row, zone), 1)]
    unit_days_add(locked, deltas)
    _publish_today(changed, employees, now)
    return len(changed)


def _compute_and_write(pairs: set[tuple[int, dt.date]], employee_ids, now: dt.datetime) -> tuple[int, int]:
    """(rows computed, rows changed). The unit-days are locked before the punches are read, so two writers of one
    unit take turns and the second sees the first one's punches."""
    employees = Employee.objects.select_related("unit__city").in_bulk(employee_ids)
    locked = unit_days_lock({(employees[e].unit_id, d) for e, d in pairs if e in employees})
    results = statuses_compute(pairs=pairs, now=now, employees=employees.values())
    changed = _write(results, employees, locked, now)
    return sum(row is not None for row in results.values()), changed


def statuses_write_batches(pairs: Iterable[tuple[int, dt.date]], now: dt.datetime) -> tuple[int, int]:
    """Batched by employee and by month, so a re-upload covering a year stays a few queries per batch."""
    by_month: dict[tuple[int, int], set[tuple[int, dt.date]]] = defaultdict(set)
    for employee_id, date in pairs:
        by_month[(date.year, date.month)].add((employee_id, date))
    written = changed = 0
    for month_pairs in by_month.values():
        by_employee: dict[int, list[dt.date]] = defaultdict(list)
        for employee_id, date in month_pairs:
            by_employee[employee_id].append(date)
        for employee_ids in _batches(sorted(by_employee), EMPLOYEE_BATCH):
            batch = {(e, d) for e in employee_ids for d in by_employee[e]}
            with transaction.atomic(savepoint=False):  # a batch commits alone, or with the caller's transaction
                counts = _compute_and_write(batch, employee_ids, now)
            written, changed = written + counts[0], changed + counts[1]
    return written, changed


def daily_status_recompute(*, pairs: set[tuple[int, dt.date]], now: dt.datetime) -> int:
    """`daily_status_refresh` without opening today: for the day's opening itself (the set-based engine's shift
    units), which would otherwise open the day again from inside its own opening."""
    return statuses_write_batches(pairs, now)[0]
