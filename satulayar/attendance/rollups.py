"""Attendance per unit per day (`UnitDay`): the one way the dashboard reads attendance history.

A unit's day is summed from the DailyStatus rows of the staff it has when the rollup is written, in two grouped
queries (counts, and arrivals by local minute), so it is the same arithmetic whether one day of one unit is
refreshed or a year of the city is rebuilt:

* expected: rows with scheduled hours (a work day for that person); every count below is over those rows,
  except `day_off_present` (punched on a day off);
* present, late (present with late_minutes > 0) and late_minutes (their sum), early and early_minutes likewise,
  missing_out, on_leave (cuti, sakit, izin, dinas luar, tugas belajar), field_duty (dinas luar alone), absent
  (TK), not_yet;
* arrivals: present staff by the local minute of day of their first punch.

The batch writer (`status._write`) keeps them by difference: it locks the unit-days it touches
(`unit_days_lock`), and adds what each changed status takes away and brings (`status_counts`, `unit_days_add`), so a
punch costs its own rows, never a recount of the unit. `unit_days_refresh` recounts (single saves by hand);
`status_bulk.unit_days_rebuild` recomputes a range from the daily statuses (`satulayar rollups_rebuild`) in SQL.
Either way the rows
equal the sums over the statuses, which the tests check by rebuilding.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import UNIT_DAY_COUNTS, DailyStatus, UnitDay
from satulayar.core.time import zone_named
from satulayar.org.models import Unit

LEAVE_STATUSES = (DayStatus.ANNUAL_LEAVE, DayStatus.SICK, DayStatus.PERMIT, DayStatus.FIELD_DUTY, DayStatus.STUDY)
COUNTS = UNIT_DAY_COUNTS
# Scheduled that day: a status row with scheduled hours (present, on leave, not yet in, TK). Every page of today
# and of history counts `expected` by this one rule.
SCHEDULED = _WORK = Q(scheduled_start__isnull=False)
_PRESENT = _WORK & Q(status=DayStatus.PRESENT)


def _aggregates() -> dict:
    late, early = _PRESENT & Q(late_minutes__gt=0), _PRESENT & Q(early_minutes__gt=0)
    return dict(
        expected=Count("id", filter=_WORK), present=Count("id", filter=_PRESENT), late=Count("id", filter=late),
        late_minutes=Sum("late_minutes", filter=late, default=0), early=Count("id", filter=early),
        early_minutes=Sum("early_minutes", filter=early, default=0),
        missing_out=Count("id", filter=_PRESENT & Q(missing_out=True)),
        on_leave=Count("id", filter=_WORK & Q(status__in=LEAVE_STATUSES)),
        field_duty=Count("id", filter=_WORK & Q(status=DayStatus.FIELD_DUTY)),
        absent=Count("id", filter=_WORK & Q(status=DayStatus.ABSENT)),
        not_yet=Count("id", filter=_WORK & Q(status=DayStatus.NOT_YET)),
        day_off_present=Count("id", filter=Q(status=DayStatus.HOLIDAY)))


def _compute(statuses, zones: dict[str, list[int]]) -> list[UnitDay]:
    """The rollups of the given DailyStatus rows (a queryset), one per (unit, date) that has any: one grouped query
    for the counts; the arrivals from the present rows' first punches, turned into local minutes here (a grouped
    query by minute would return about one group per person, and SQLite converts zones in Python per row anyway)."""
    found: dict[tuple[int, dt.date], UnitDay] = {}
    for row in statuses.values("employee__unit_id", "date").annotate(**_aggregates()).order_by():
        unit_id, date = row.pop("employee__unit_id"), row.pop("date")
        found[(unit_id, date)] = UnitDay(unit_id=unit_id, date=date, **row)
    zone_of = {unit_id: zone_named(zone) for zone, unit_ids in zones.items() for unit_id in unit_ids}
    arrivals = statuses.filter(_PRESENT, first_in__isnull=False).values_list("employee__unit_id", "date", "first_in")
    for unit_id, date, first_in in arrivals.order_by().iterator(chunk_size=10_000):
        local = first_in.astimezone(zone_of[unit_id])
        minute = str(local.hour * 60 + local.minute)
        counts = found[(unit_id, date)].arrivals
        counts[minute] = counts.get(minute, 0) + 1
    return list(found.values())


def status_counts(row: DailyStatus | None, zone) -> tuple[dict[str, int], str | None]:
    """What one status row adds to its unit-day: the counts of `_aggregates`, and its arrival minute (or None)."""
    if row is None:
        return {}, None
    work = row.scheduled_start is not None
    present = work and row.status == DayStatus.PRESENT
    late, early = present and row.late_minutes > 0, present and row.early_minutes > 0
    counts = {"expected": work, "present": present, "late": late, "late_minutes": row.late_minutes if late else 0,
              "early": early, "early_minutes": row.early_minutes if early else 0,
              "missing_out": present and row.missing_out, "on_leave": work and row.status in LEAVE_STATUSES,
              "field_duty": work and row.status == DayStatus.FIELD_DUTY,
              "absent": work and row.status == DayStatus.ABSENT, "not_yet": work and row.status == DayStatus.NOT_YET,
              "day_off_present": row.status == DayStatus.HOLIDAY}
    minute = None
    if present and row.first_in is not None:
        local = row.first_in.astimezone(zone)
        minute = str(local.hour * 60 + local.minute)
    return {name: int(value) for name, value in counts.items() if value}, minute


def _keys_q(keys: Iterable[tuple[int, dt.date]]) -> Q:
    by_date: dict[dt.date, set[int]] = defaultdict(set)
    for unit_id, date in keys:
        by_date[date].add(unit_id)
    where = Q(pk__in=[])
    for date, unit_ids in by_date.items():
        where |= Q(date=date, unit_id__in=sorted(unit_ids))
    return where


def unit_days_lock(keys: set[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], UnitDay]:
    """The unit-days of those (unit id, date) keys, created as zeros where missing, locked for this transaction in
    id order (so two writers never wait on each other in a circle). Whoever changes a status of these units holds
    the lock from before it reads the punches until it commits: what it read is what it adds to."""
    if not keys:
        return {}
    found = {(r.unit_id, r.date): r for r in UnitDay.objects.select_for_update().filter(_keys_q(keys)).order_by("pk")}
    if len(found) < len(keys):
        UnitDay.objects.bulk_create([UnitDay(unit_id=u, date=d) for u, d in sorted(keys - set(found))],
                                    ignore_conflicts=True)
        found = {(r.unit_id, r.date): r for r in
                 UnitDay.objects.select_for_update().filter(_keys_q(keys)).order_by("pk")}
    return found


def unit_days_add(rows: dict[tuple[int, dt.date], UnitDay],
                  changes: Iterable[tuple[tuple[int, dt.date], dict[str, int], str | None, int]]) -> int:
    """Add each (key, counts, arrival minute, sign) to the locked rows and store those that changed."""
    touched = {}
    for key, counts, minute, sign in changes:
        row = touched[key] = rows[key]
        for name, value in counts.items():
            setattr(row, name, getattr(row, name) + sign * value)
        if minute is not None:
            left = row.arrivals.get(minute, 0) + sign
            row.arrivals = {**row.arrivals, minute: left} if left else {
                at: n for at, n in row.arrivals.items() if at != minute}
    _store(list(touched.values()))
    return len(touched)


def _store(rows: list[UnitDay]) -> None:
    """One UPDATE by id per row, sent as a batch: bulk_update's CASE per field and row cost seconds per thousand."""
    if not rows:
        return
    fields = [UnitDay._meta.get_field(name) for name in (*COUNTS, "arrivals")]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(UnitDay._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
           f"WHERE {quote(UnitDay._meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _zones(unit_ids: Iterable[int] | None = None) -> dict[str, list[int]]:
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=set(unit_ids))
    zones: dict[str, list[int]] = defaultdict(list)
    for pk, zone in units.values_list("pk", "city__timezone"):
        zones[zone].append(pk)
    return zones


def unit_days_refresh(*, pairs: Iterable[tuple[int, dt.date]], zones: dict[str, list[int]] | None = None) -> int:
    """Recompute the rollups of those (unit id, date) pairs from their daily statuses. Returns rows written.
    `zones` ({time zone: unit ids}) saves a query when the caller knows them. Run it inside a transaction."""
    by_date: dict[dt.date, set[int]] = defaultdict(set)
    for unit_id, date in pairs:
        by_date[date].add(unit_id)
    if not by_date:
        return 0
    where = Q(pk__in=[])
    for date, unit_ids in by_date.items():
        where |= Q(date=date, employee__unit_id__in=unit_ids)
    rows = _compute(DailyStatus.objects.filter(where), zones or _zones(set().union(*by_date.values())))
    for row in rows:
        by_date[row.date].discard(row.unit_id)
    # A unit-day left without statuses is written as zeros: an upsert, so no query is spent looking for one to delete.
    rows += [UnitDay(unit_id=unit_id, date=date) for date, unit_ids in by_date.items() for unit_id in unit_ids]
    UnitDay.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["unit", "date"],
                                update_fields=[*COUNTS, "arrivals"])
    return len(rows)


def unit_days_refresh_for_employees(*, pairs: Iterable[tuple[int, dt.date]], employees: dict | None = None) -> int:
    """The rollups touched by those (employee id, date) pairs' daily statuses. `employees` ({id: Employee with
    unit__city}) saves the queries for their units and zones."""
    pairs = set(pairs)
    if employees is None:
        from satulayar.org.models import Employee

        employees = Employee.objects.select_related("unit__city").in_bulk({e for e, _d in pairs})
    zones: dict[str, set[int]] = defaultdict(set)
    for employee in employees.values():
        zones[employee.unit.city.timezone].add(employee.unit_id)
    return unit_days_refresh(pairs={(employees[e].unit_id, d) for e, d in pairs if e in employees},
                             zones={zone: sorted(ids) for zone, ids in zones.items()})


# --- reads ---------------------------------------------------------------------------------------------------------


@dataclass
class Totals:
    """Sums of unit days (several units, or several dates)."""

    expected: int = 0
    present: int = 0
    late: int = 0
    late_minutes: int = 0
    early: int = 0
    early_minutes: int = 0
    missing_out: int = 0
    on_leave: int = 0
    field_duty: int = 0
    absent: int = 0
    not_yet: int = 0
    day_off_present: int = 0

    def add(self, row: UnitDay | dict) -> None:
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + get(name))

    @property
    def average_late_minutes(self) -> Decimal | None:
        return (Decimal(self.late_minutes) / self.late).quantize(Decimal("0.1")) if self.late else None


def days_totals(*, unit_ids, start: dt.date, end: dt.date) -> dict[dt.date, Totals]:
    """Per date of the range with rollups, the units' sums (one grouped query over units × days)."""
    rows = (UnitDay.objects.filter(unit_id__in=unit_ids, date__range=(start, end)).values("date")
            .annotate(**{name: Sum(name) for name in COUNTS}).order_by("date"))
    result = {}
    for row in rows:
        totals = Totals()
        totals.add(row)
        result[row["date"]] = totals
    return result


def present_by(arrivals: dict[str, int], minute: int) -> int:
    """How many had arrived by the end of that local minute of day."""
    return sum(n for at, n in arrivals.items() if int(at) <= minute)


def unit_days(*, unit_ids, dates: Iterable[dt.date]):
    """The rollup rows with their unit's path, for summing into groups of the unit tree."""
    return (UnitDay.objects.filter(unit_id__in=unit_ids, date__in=list(dates))
            .annotate(path=F("unit__path")).order_by())


def _saved(sender, instance: DailyStatus, **kwargs) -> None:
    """A single DailyStatus saved outside the batch writer (the admin, a fix by hand): follow it. (No post_delete:
    it would make every batch delete fetch its rows; status._write refreshes what it deletes.)"""
    with transaction.atomic():
        unit_days_refresh_for_employees(pairs={(instance.employee_id, instance.date)})


def unit_days_move(*, employee_id: int, from_unit_id: int, to_unit_id: int, zone) -> int:
    """An employee moved to another unit: their statuses' counts leave the old unit's days and join the new one's,
    so every unit-day stays the sum over its current staff (as a rebuild counts). Returns status rows moved."""
    rows = list(DailyStatus.objects.filter(employee_id=employee_id))
    locked = unit_days_lock({(unit_id, row.date) for row in rows for unit_id in (from_unit_id, to_unit_id)})
    changes = []
    for row in rows:
        counts, minute = status_counts(row, zone)
        changes += [((from_unit_id, row.date), counts, minute, -1), ((to_unit_id, row.date), counts, minute, 1)]
    unit_days_add(locked, changes)
    return len(rows)


def _employee_saving(sender, instance, **kwargs) -> None:
    if instance.pk is not None:
        instance._unit_before = type(instance).objects.filter(pk=instance.pk).values_list("unit_id", flat=True).first()


def _employee_saved(sender, instance, created: bool, **kwargs) -> None:
    before = getattr(instance, "_unit_before", None)
    if created or before is None or before == instance.unit_id:
        return
    with transaction.atomic():
        unit_days_move(employee_id=instance.pk, from_unit_id=before, to_unit_id=instance.unit_id,
                       zone=instance.unit.city.zone)
    instance._unit_before = instance.unit_id


def connect_signals() -> None:
    from django.db.models.signals import post_save, pre_save

    from satulayar.org.models import Employee

    post_save.connect(_saved, sender=DailyStatus, dispatch_uid="attendance.rollups.saved")
    pre_save.connect(_employee_saving, sender=Employee, dispatch_uid="attendance.rollups.employee_saving")
    post_save.connect(_employee_saved, sender=Employee, dispatch_uid="attendance.rollups.employee_saved")

