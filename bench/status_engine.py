"""The set-based status engine against a raw bulk insert of the rows it writes (issue #13, goal ≥ 0,25).

City scale by default (6.000 ASN in 200 units), on every database, in a scratch database. 9 weeks of punches (two
per person present, about 90 % present, 20 % of them late) go in through the driver, then:

  (a) `daily_status_rebuild` over the 9 weeks into an empty table: statuses and unit days, the whole rebuild;
  (b) the same rebuild again over the rows it wrote (the nightly close and calendar edits rewrite rows);
  (c) the rows (a) wrote, deleted and inserted again straight through the driver (sqlite3 executemany in one
      transaction, psycopg COPY): the raw bulk insert of the same rows into the same table.
Printed: rows/s of each, and raw/(a), raw/(b) with met/MISSED; then (d) the next day's arrivals, a batch of 5.000
(one per person, fewer at town scale) after the morning job opened the day, and the average time of one punch's
status and unit-day update, the way an ingest brings them up to date (goal ≤ 2 ms). --per-person also times the
per-person engine (`daily_status_refresh` over every pair) for the "before" figure; it is slow (minutes at city scale).
Usage: python -m bench.status_engine [--scale town|city|province] [--weeks 9] [--per-person]
       [--databases sqlite postgresql]
"""

import argparse
import datetime as dt
import random
import sys

from bench import _scratch

GOAL = 0.25


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.status_engine")
    parser.add_argument("--scale", choices=sorted(_scratch.SCALES), default="city")
    parser.add_argument("--weeks", type=int, default=9)
    parser.add_argument("--per-person", action="store_true", help="also time the per-person engine")
    parser.add_argument("--target", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"])
    args, _unknown = parser.parse_known_args(argv if argv is not None else [])
    if args.target:
        with _scratch.scratch_database():
            _measure(args)
        return
    _scratch.run_each_target("bench.status_engine", ["--scale", args.scale, "--weeks", str(args.weeks)]
                             + ["--per-person"] * args.per_person, databases=args.databases)


def _punches(world: dict, first: dt.date, last: dt.date, zone) -> int:
    rng = random.Random(2018)
    rows = []
    for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1)):
        if day.weekday() >= 5:
            continue
        start = dt.datetime.combine(day, dt.time(7, 30), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(day, dt.time(11 if day.weekday() == 4 else 16), zone).astimezone(dt.UTC)
        for employee_id in world["employee_ids"]:
            if rng.random() < 0.1:
                continue
            late = rng.randrange(1, 50) if rng.random() < 0.2 else -rng.randrange(1, 40)
            rows.append((employee_id, start + dt.timedelta(minutes=late, seconds=rng.randrange(60))))
            if rng.random() < 0.95:
                leave = end + dt.timedelta(minutes=rng.randrange(-20, 40), seconds=rng.randrange(60))
                rows.append((employee_id, leave))
    _insert_punches(rows)
    return len(rows)


def _insert_punches(rows: list[tuple]) -> None:
    from satulayar.attendance.choices import PunchSource
    from satulayar.attendance.models import Punch

    received = _scratch._adapt(dt.datetime.now(dt.UTC))
    _scratch.insert_rows(Punch._meta.db_table, ["employee_id", "at", "source", "future_flag", "excluded", "note",
                                                "received_at"],
                         ((e, _scratch._adapt(at), PunchSource.DEVICE, False, False, "", received) for e, at in rows))


def _raw_insert(rows: list[tuple]) -> float:
    from django.db import connection

    from satulayar.attendance.models import DailyStatus, UnitDay

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DailyStatus._meta.db_table}")
        cursor.execute(f"DELETE FROM {UnitDay._meta.db_table}")
    columns = ["employee_id", "date", "status", "scheduled_start", "scheduled_end", "first_in", "last_out",
               "late_minutes", "early_minutes", "missing_out", "leave_id", "updated_at"]
    adapted = [(*row[:3], *(_scratch._adapt(v) if v else v for v in row[3:7]), *row[7:11], _scratch._adapt(row[11]))
               for row in rows]
    return _scratch.timed(_scratch.insert_rows, DailyStatus._meta.db_table, columns, adapted)[0]


def _measure(args) -> None:
    from satulayar.attendance.models import DailyStatus
    from satulayar.attendance.status import daily_status_rebuild, daily_status_refresh

    world = _scratch.build_city(args.scale)
    city = world["city"]
    zone = city.zone
    last = dt.date(2026, 11, 29)
    first = last - dt.timedelta(weeks=args.weeks) + dt.timedelta(days=1)
    now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(8), zone)
    punches = _punches(world, first, last, zone)
    print(f"\nStatus engine on {_scratch.server_version()}: {args.scale} scale, {len(world['employee_ids']):,} ASN in "
          f"{len(world['units'])} units, {args.weeks} weeks, {punches:,} punches", flush=True)
    fresh, written = _scratch.timed(daily_status_rebuild, city=city, start=first, end=last, now=now)
    again = _scratch.timed(daily_status_rebuild, city=city, start=first, end=last, now=now)[0]
    rows = list(DailyStatus.objects.order_by("employee_id", "date").values_list(
        "employee_id", "date", "status", "scheduled_start", "scheduled_end", "first_in", "last_out", "late_minutes",
        "early_minutes", "missing_out", "leave_id", "updated_at"))
    raw = _raw_insert(rows)
    print(f"  (c) raw bulk insert of the {len(rows):,} rows:     {len(rows) / raw:>10,.0f} rows/s ({raw:.2f} s)")
    for label, seconds in (("(a) rebuild into an empty table", fresh), ("(b) rebuild over its own rows", again)):
        ratio = raw / seconds
        print(f"  {label:<38} {written / seconds:>10,.0f} rows/s ({seconds:.2f} s, statuses and unit days): "
              f"{ratio:.2f} of the raw insert (goal ≥ {GOAL:.2f}: {'met' if ratio >= GOAL else 'MISSED'})")
    _one_punch(world, last + dt.timedelta(days=1), zone)
    if args.per_person:
        pairs = {(e, first + dt.timedelta(days=n)) for e in world["employee_ids"]
                 for n in range((last - first).days + 1)}
        seconds = _scratch.timed(daily_status_refresh, pairs=pairs, now=now)[0]
        print(f"  per-person engine (daily_status_refresh, every pair): {written / seconds:,.0f} rows/s "
              f"({seconds:.1f} s): {raw / seconds:.3f} of the raw insert")
    sys.stdout.flush()


def _one_punch(world: dict, today: dt.date, zone, batch: int = 5000) -> None:
    """(d) Today kept up to date: the morning job opens the day (`day_open`, not timed), a batch of arrivals (one per
    person) goes in through the driver, then the statuses and unit days they touch are brought up to date the way an
    ingest does (`daily_status_refresh`)."""
    from satulayar.attendance.status import daily_status_refresh, day_open

    day_open(city=world["city"], date=today, now=dt.datetime.combine(today, dt.time(6), zone))
    rng = random.Random(5)
    employees = world["employee_ids"][:batch]
    arrivals = [(e, dt.datetime.combine(today, dt.time(7, rng.randrange(60), rng.randrange(60)), zone))
                for e in employees]
    _insert_punches(arrivals)
    now = dt.datetime.combine(today, dt.time(8, 1), zone)
    seconds = _scratch.timed(daily_status_refresh, pairs={(e, today) for e in employees}, now=now)[0]
    each = 1000 * seconds / len(employees)
    print(f"  (d) one punch's status and unit update, in a batch of {len(employees):,}: {each:.2f} ms on average "
          f"(goal ≤ 2 ms: {'met' if each <= 2 else 'MISSED'})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
