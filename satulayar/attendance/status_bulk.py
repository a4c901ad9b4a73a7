"""The set-based status engine: daily statuses and unit-day rollups for many employees and days in a few SQL statements.

Bulk work (the nightly close, calendar edits, `rollups_rebuild`, the demo seed) used to compute each (employee,
date) in Python objects; here the database does it, with the rules of `attendance.status` (its docstring states
them; the rule tests run against both engines):

1. Python plans each (unit, date) once: the fixed schedule's hours in UTC, the local day as the punches' window,
   whether the day is over or still in the future at `now`. Those few thousand rows go to a temporary table.
2. One statement joins every employee to their unit's planned days and finds, per pair, the first and last
   punch in the window and the newest approved leave covering the date (index seeks on the punch and leave keys).
3. The rules become CASE expressions; rows are upserted, and pairs the rules leave without a row are deleted.
4. The unit days are summed from the statuses by unit and date in SQL, arrivals by local minute included.

Units under a shift roster on any day of the range (rare: 24-hour services) go through the per-person engine,
whose shift windows and neighbouring-shift rules do not fit a per-unit plan.
"""

import datetime as dt
import random
import time
from collections.abc import Iterable

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from satulayar.attendance.choices import DayStatus, RequestStatus, ScheduleKind
from satulayar.attendance.models import DailyStatus, LeaveRequest, Punch, UnitDay
from satulayar.attendance.plan import WorkPlan
from satulayar.attendance.rollups import COUNTS, LEAVE_STATUSES, unit_days_lock, unit_days_refresh
from satulayar.attendance.status_rows import REPEAT_WINDOW, daily_status_recompute
from satulayar.core.periods import month_spans
from satulayar.core.time import local_instant, local_midnight, zone_named
from satulayar.org.models import City, Employee, Unit

# Temporary tables (per connection, dropped after use).
PLAN, STAFF, BASE, RESULT = "sl_bulk_plan", "sl_bulk_staff", "sl_bulk_base", "sl_bulk_result"
UNITS, OFFSETS = "sl_bulk_unit", "sl_bulk_offset"
RETRIES = 20
RETRY_STATES = ("40001", "40P01")  # serialization failure, deadlock: redo the write
STATUS_COLUMNS = ("employee_id", "date", "status", "scheduled_start", "scheduled_end", "first_in", "last_out",
                  "late_minutes", "early_minutes", "missing_out", "leave_id", "updated_at")


# --- dialect: the two expressions SQLite and PostgreSQL spell differently ------------------------------------------

def _micros(column: str) -> str:
    """SQLite keeps datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC: microseconds since the epoch, exactly."""
    return (f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000000"
            f" + CASE WHEN length({column}) > 19 THEN CAST(substr({column}, 21) AS INTEGER) ELSE 0 END)")


def _whole_minutes(later: str, earlier: str) -> str:
    """Whole minutes from `earlier` to `later`, never negative (status._minutes)."""
    if connection.vendor == "postgresql":
        return f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60))::integer"
    return f"max(0, ({_micros(later)} - {_micros(earlier)}) / 60000000)"


def _at_least_apart(later: str, earlier: str, delta: dt.timedelta) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier}) >= interval '{int(delta.total_seconds())} seconds'"
    return f"({_micros(later)} - {_micros(earlier)}) >= {int(delta.total_seconds() * 1_000_000)}"


def _local_minute(column: str) -> str:
    """The local minute of day of a UTC instant; PostgreSQL converts by zone name, SQLite adds the (city, date)
    offset from the OFFSETS table (days whose offset changes are redone by the per-unit path)."""
    if connection.vendor == "postgresql":
        local = f"({column} AT TIME ZONE x.timezone)"
        return f"(EXTRACT(HOUR FROM {local}) * 60 + EXTRACT(MINUTE FROM {local}))::integer::text"
    return f"((CAST(strftime('%%s', {column}) AS INTEGER) + o.offset_s) %% 86400 / 60)"


def _json_object(key: str, value: str) -> str:
    return f"jsonb_object_agg({key}, {value})" if connection.vendor == "postgresql" else \
        f"json_group_object({key}, {value})"


def _literal(value: str) -> str:
    """A code constant (a status, a choice) as an SQL literal: never user input."""
    assert value.replace("_", "").isalnum(), value
    return f"'{value}'"


def _timestamp() -> str:
    return "timestamptz" if connection.vendor == "postgresql" else "datetime"


def _temp_table(cursor, name: str, columns: str, rows: list[tuple]) -> None:
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    cursor.execute(f"DROP TABLE IF EXISTS {schema}.{name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
    if rows:
        cursor.executemany(f"INSERT INTO {name} VALUES ({', '.join(['%s'] * len(rows[0]))})", rows)
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {name}")


def _drop(cursor, *names: str) -> None:
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {schema}.{name}")


# --- 1. the plan per unit and date -----------------------------------------------------------------------------

def _dates(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _shift_unit_ids(plan: WorkPlan, units: list[Unit], start: dt.date, end: dt.date) -> set[int]:
    """Units rostered in shifts on any day of the range or the day before it (a night shift reaching in)."""
    days = _dates(start - dt.timedelta(days=1), end)
    return {u.pk for u in units if any(plan.schedule_for(u, d).kind == ScheduleKind.SHIFT for d in days)}


def _plan_rows(plan: WorkPlan, units: list[Unit], dates: list[dt.date], now: dt.datetime) -> list[tuple]:
    adapt = connection.ops.adapt_datetimefield_value
    planned: dict[tuple, tuple] = {}  # units sharing a schedule, city and date share the planned day

    def day(schedule, unit: Unit, date: dt.date) -> tuple:
        zone = unit.city.zone
        window_start, window_end = local_midnight(date, zone), local_midnight(date + dt.timedelta(days=1), zone)
        local = plan.fixed_day_hours(schedule, unit.city_id, date)
        start = local_instant(date, local[0], zone) if local else None
        end = local_instant(date, local[1], zone) if local else None
        late_after = start + dt.timedelta(minutes=schedule.grace_minutes) if local else None
        return (adapt(window_start), adapt(window_end), adapt(start), adapt(end), adapt(late_after),
                now >= window_end, date > now.astimezone(zone).date())

    rows = []
    for unit in units:
        for date in dates:
            schedule = plan.schedule_for(unit, date)
            key = (id(schedule), unit.city_id, date)
            if key not in planned:
                planned[key] = day(schedule, unit, date)
            rows.append((unit.pk, date, *planned[key]))
    return rows


# --- 2 and 3. statuses -----------------------------------------------------------------------------------------

def _compute_sql() -> tuple[str, str]:
    punch, leave, employee = Punch._meta.db_table, LeaveRequest._meta.db_table, Employee._meta.db_table
    # A punch flagged as from the future counts once its time has come (%s: now), as in the per-person engine.
    in_window = (f"FROM {punch} pu WHERE pu.employee_id = e.id AND pu.at >= p.window_start "
                 f"AND pu.at < p.window_end AND NOT pu.excluded AND (NOT pu.future_flag OR pu.at <= %s)")
    leave_of = (f"FROM {leave} lr WHERE lr.employee_id = e.id AND lr.status = {_literal(RequestStatus.APPROVED)} "
                f"AND lr.start_date <= p.date AND lr.end_date >= p.date "
                f"ORDER BY lr.created_at DESC, lr.id DESC LIMIT 1")
    base = (f"SELECT e.id AS employee_id, p.date, p.scheduled_start, p.scheduled_end, p.late_after, p.day_over, "
            f"p.future, (SELECT MIN(pu.at) {in_window}) AS first_at, (SELECT MAX(pu.at) {in_window}) AS last_at, "
            f"(SELECT lr.id {leave_of}) AS leave_id, (SELECT lr.kind {leave_of}) AS leave_kind "
            f"FROM {STAFF} s JOIN {employee} e ON e.id = s.employee_id JOIN {PLAN} p ON p.unit_id = e.unit_id")
    # The punches and leave are looked up once per pair into BASE, then the rules read plain columns.
    return (f"CREATE TEMP TABLE {BASE} AS {base}", f"CREATE TEMP TABLE {RESULT} AS SELECT b.*, CASE "
            f"WHEN b.scheduled_start IS NULL THEN CASE WHEN b.first_at IS NOT NULL THEN {_literal(DayStatus.HOLIDAY)} "
            f"END WHEN b.leave_id IS NOT NULL THEN b.leave_kind "
            f"WHEN b.first_at IS NOT NULL THEN {_literal(DayStatus.PRESENT)} WHEN b.future THEN NULL "
            f"WHEN b.day_over THEN {_literal(DayStatus.ABSENT)} ELSE {_literal(DayStatus.NOT_YET)} END AS status "
            f"FROM {BASE} b")


def _upsert_sql() -> str:
    present = f"r.status = {_literal(DayStatus.PRESENT)}"
    last_out = f"CASE WHEN {_at_least_apart('r.last_at', 'r.first_at', REPEAT_WINDOW)} THEN r.last_at END"
    values = (f"r.employee_id, r.date, r.status, r.scheduled_start, r.scheduled_end, r.first_at, {last_out}, "
              f"CASE WHEN {present} THEN {_whole_minutes('r.first_at', 'r.late_after')} ELSE 0 END, "
              f"CASE WHEN {present} AND ({last_out}) IS NOT NULL "
              f"THEN {_whole_minutes('r.scheduled_end', f'({last_out})')} ELSE 0 END, "
              f"CASE WHEN {present} AND ({last_out}) IS NULL AND r.day_over THEN TRUE ELSE FALSE END, "
              f"CASE WHEN r.scheduled_start IS NOT NULL THEN r.leave_id END, %s")
    updates = ", ".join(f"{c} = excluded.{c}" for c in STATUS_COLUMNS[2:])
    return (f"INSERT INTO {DailyStatus._meta.db_table} ({', '.join(STATUS_COLUMNS)}) SELECT {values} "
            f"FROM {RESULT} r WHERE r.status IS NOT NULL "
            f"ON CONFLICT (employee_id, date) DO UPDATE SET {updates}")


def _statuses_write(cursor, plan_rows: list[tuple], staff: list[tuple], now: dt.datetime) -> int:
    ts = _timestamp()
    _temp_table(cursor, PLAN, f"unit_id integer, date date, window_start {ts}, window_end {ts}, "
                              f"scheduled_start {ts}, scheduled_end {ts}, late_after {ts}, day_over boolean, "
                              f"future boolean, PRIMARY KEY (unit_id, date)", plan_rows)
    _temp_table(cursor, STAFF, "employee_id integer PRIMARY KEY", staff)
    _drop(cursor, BASE, RESULT)
    base, result = _compute_sql()
    moment = connection.ops.adapt_datetimefield_value(now)
    cursor.execute(base, [moment, moment])
    cursor.execute(result)
    cursor.execute(_upsert_sql(), [connection.ops.adapt_datetimefield_value(timezone.now())])
    written = cursor.rowcount
    table = DailyStatus._meta.db_table
    cursor.execute(f"DELETE FROM {table} WHERE id IN (SELECT ds.id FROM {RESULT} r JOIN {table} ds ON "
                   f"ds.employee_id = r.employee_id AND ds.date = r.date WHERE r.status IS NULL)")
    _drop(cursor, PLAN, STAFF, BASE, RESULT)
    return written


def statuses_rebuild_sets(*, employees: list[Employee], start: dt.date, end: dt.date,
                          now: dt.datetime | None = None) -> int:
    """Recompute the daily statuses of those employees (with `unit__city` loaded) for every date of [start, end],
    set-based, and the unit days they belong to. Returns rows written."""
    now = now or timezone.now()
    units = list({e.unit_id: e.unit for e in employees}.values())
    plan = WorkPlan(units=units, start=start - dt.timedelta(days=1), end=end)
    shift_units = _shift_unit_ids(plan, units, start, end)
    written = 0
    in_shifts = [e.pk for e in employees if e.unit_id in shift_units]
    if in_shifts:
        written += daily_status_recompute(pairs={(e, d) for e in in_shifts for d in _dates(start, end)}, now=now)
    fixed_units = [u for u in units if u.pk not in shift_units]
    staff = [(e.pk,) for e in employees if e.unit_id not in shift_units]
    for first, last in month_spans(start, end):
        plan_rows = _plan_rows(plan, fixed_units, _dates(first, last), now) if staff else []

        def write(plan_rows=plan_rows, first=first, last=last) -> int:
            # The unit days first, as a punch's refresh takes them: statuses first would wait on it in a circle.
            unit_days_lock({(u.pk, d) for u in units for d in _dates(first, last)})
            with connection.cursor() as cursor:
                count = _statuses_write(cursor, plan_rows, staff, now) if staff else 0
            unit_days_write_sets(unit_ids=[u.pk for u in units], start=first, end=last)
            return count

        written += _consistent(write)
    return written


def _consistent(write) -> int:
    """Run `write` in a transaction that cannot overwrite what a concurrent punch's refresh wrote after it read.

    On PostgreSQL a transaction of its own runs REPEATABLE READ: an upsert of a row changed since the snapshot
    fails (serialization failure) and the whole write is redone from fresh data. SQLite's IMMEDIATE transactions
    already serialise writers; inside a caller's transaction the caller's isolation applies."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            return write()
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                return write()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) not in RETRY_STATES or attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # let the punches' short writes through
    raise AssertionError("unreachable")


def daily_status_rebuild_sets(*, city: City, start: dt.date, end: dt.date, now: dt.datetime | None = None,
                              employee_ids: Iterable[int] | None = None) -> int:
    """`status.daily_status_rebuild`'s contract on the set-based engine: every active employee of the city (or
    those given) for each date of the range."""
    employees = Employee.objects.select_related("unit__city")
    employees = employees.filter(unit__city=city, active=True) if employee_ids is None else \
        employees.filter(pk__in=list(employee_ids))
    return statuses_rebuild_sets(employees=list(employees), start=start, end=end, now=now)


# --- 4. unit days ----------------------------------------------------------------------------------------------

def _offset_rows(units: list[tuple], dates: list[dt.date]) -> tuple[list[tuple], set[tuple[int, dt.date]]]:
    """SQLite's (city, date) UTC offsets, and the (unit, date) pairs of days whose offset changes (DST)."""
    rows, changing = [], set()
    for city_id, name in {city_id: name for _pk, city_id, name in units}.items():
        zone = zone_named(name)
        for date in dates:
            offset = local_midnight(date, zone) - dt.datetime.combine(date, dt.time(0), tzinfo=dt.UTC)
            if local_midnight(date + dt.timedelta(days=1), zone) - local_midnight(date, zone) != dt.timedelta(days=1):
                changing |= {(pk, date) for pk, c, _name in units if c == city_id}
            rows.append((city_id, date, -int(offset.total_seconds())))
    return rows, changing


def _unit_days_sql() -> str:
    status, employee = DailyStatus._meta.db_table, Employee._meta.db_table
    work = "ds.scheduled_start IS NOT NULL"
    present = f"{work} AND ds.status = {_literal(DayStatus.PRESENT)}"
    leaves = ", ".join(_literal(s) for s in LEAVE_STATUSES)

    def count(condition: str, value: str = "1") -> str:
        return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"

    sums = [count(work), count(present), count(f"{present} AND ds.late_minutes > 0"),
            count(f"{present} AND ds.late_minutes > 0", "ds.late_minutes"),
            count(f"{present} AND ds.early_minutes > 0"),
            count(f"{present} AND ds.early_minutes > 0", "ds.early_minutes"),
            count(f"{present} AND ds.missing_out"), count(f"{work} AND ds.status IN ({leaves})"),
            count(f"{work} AND ds.status = {_literal(DayStatus.FIELD_DUTY)}"),
            count(f"{work} AND ds.status = {_literal(DayStatus.ABSENT)}"),
            count(f"{work} AND ds.status = {_literal(DayStatus.NOT_YET)}"),
            count(f"ds.status = {_literal(DayStatus.HOLIDAY)}")]
    scope = (f"FROM {UNITS} x JOIN {employee} e ON e.unit_id = x.unit_id JOIN {status} ds ON ds.employee_id = e.id "
             f"AND ds.date BETWEEN %s AND %s")
    offsets = "" if connection.vendor == "postgresql" else \
        f"JOIN {OFFSETS} o ON o.city_id = x.city_id AND o.date = ds.date "
    # SQLite's unary plus keeps it from walking the (date, status) index once per unit.
    arrived = present.replace("ds.status", "+ds.status" if connection.vendor == "sqlite" else "ds.status")
    by_minute = (f"SELECT e.unit_id, ds.date, {_local_minute('ds.first_in')} AS minute, COUNT(*) AS n "
                 f"{scope} {offsets}WHERE {arrived} AND ds.first_in IS NOT NULL GROUP BY 1, 2, 3")
    arrivals = f"SELECT unit_id, date, {_json_object('minute', 'n')} AS arrivals FROM ({by_minute}) m GROUP BY 1, 2"
    empty = "'{}'::jsonb" if connection.vendor == "postgresql" else "'{}'"
    # A conflict only with a row a concurrent refresh wrote: on PostgreSQL that fails the snapshot (_consistent).
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*COUNTS, "arrivals"))
    return (f"INSERT INTO {UnitDay._meta.db_table} (unit_id, date, {', '.join(COUNTS)}, arrivals) "
            f"SELECT k.*, COALESCE(a.arrivals, {empty}) FROM (SELECT e.unit_id, ds.date, {', '.join(sums)} "
            f"{scope} GROUP BY e.unit_id, ds.date) k LEFT JOIN ({arrivals}) a ON a.unit_id = k.unit_id "
            f"AND a.date = k.date WHERE TRUE ON CONFLICT (unit_id, date) DO UPDATE SET {updates}")


def unit_days_rebuild(*, start: dt.date, end: dt.date, city_id: int | None = None) -> int:
    """Recompute every unit's rollups for the dates of [start, end] (of one city if given), a month at a time, in
    SQL (`unit_days_rebuild_sets`). (Here rather than in `rollups`, which this module reads.)"""
    units = Unit.objects.all() if city_id is None else Unit.objects.filter(city_id=city_id)
    return unit_days_rebuild_sets(unit_ids=list(units.values_list("pk", flat=True)), start=start, end=end)


def unit_days_rebuild_sets(*, unit_ids: list[int], start: dt.date, end: dt.date) -> int:
    """`unit_days_write_sets` a month at a time, each month in its own consistent transaction."""
    return sum(_consistent(lambda first=first, last=last: unit_days_write_sets(unit_ids=unit_ids, start=first,
                                                                                end=last))
               for first, last in month_spans(start, end))


def unit_days_write_sets(*, unit_ids: list[int], start: dt.date, end: dt.date) -> int:
    """Replace the unit days of those units over [start, end] with sums of their staff's daily statuses, in SQL.
    Run it inside a transaction. Returns rows written."""
    units = list(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "city_id", "city__timezone"))
    changing: set[tuple[int, dt.date]] = set()
    with connection.cursor() as cursor:
        _temp_table(cursor, UNITS, "unit_id integer PRIMARY KEY, city_id integer, timezone text", units)
        if connection.vendor == "sqlite":
            offsets, changing = _offset_rows(units, _dates(start, end))
            _temp_table(cursor, OFFSETS, "city_id integer, date date, offset_s integer, PRIMARY KEY (city_id, date)",
                        offsets)
        cursor.execute(f"DELETE FROM {UnitDay._meta.db_table} WHERE date BETWEEN %s AND %s "
                       f"AND unit_id IN (SELECT unit_id FROM {UNITS})", [start, end])
        cursor.execute(_unit_days_sql(), [start, end, start, end])
        written = cursor.rowcount
        _drop(cursor, UNITS, OFFSETS)
    if changing:
        unit_days_refresh(pairs=changing)
    return written
