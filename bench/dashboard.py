"""The one screen as history grows: (b) overview and drill-down at 1x and 10x history, (f) rollups against raw rows.

City scale (6.000 ASN in 200 units, 52 kelurahan offices), on every database. History is synthesized honestly but
cheaply: 9 weeks of daily statuses and punches (two per person present, about 90 % present, 20 % of them late)
are generated in Python and inserted through the driver, 9 weeks of kelurahan tickets come from the demo's visit
generator, and the rollups are rebuilt from them with the product's own command; that is 1x. 10x copies the 9
weeks, raw rows and rollups alike, nine times further back with date offsets, in SQL (INSERT … SELECT), so the
rows are real rows in the real indexed tables: about 2,7 M daily statuses and about 5 M punches, the scale of
figure (f), where the rollups are checked equal to the daily statuses over a year.

Province scale (60.000 ASN in 2.000 units), on PostgreSQL when it is configured (else SQLite): one week of raw
history and today's arrivals, and the rollups copied back over a year (the dashboard's history questions read only
those); the overview and the history pages, each timed once after a warm-up.

Timings are the best of --repeats runs of the real view through Django's test client (no network), as the
walikota. (f) times refreshing one day of every unit's and kelurahan's rollups against rebuilding the 1x history,
and the overview's history question (per SKPD and day over 30 days and over a year, present / late / expected)
asked of the unit-day rollups and of the per-person daily statuses.
Usage: python -m bench.dashboard [--scale city|province] [--weeks 9] [--copies 9] [--repeats 5] [--rollups-only]
       [--brief] [--databases sqlite postgresql]
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bench import _scratch

REPEATS = 3
OVERVIEW, ONE_SKPD = "overview /satu-layar/", "drill: one SKPD, 30 days"
BRIEF = (OVERVIEW, "services panel", ONE_SKPD, "drill: SKPD, a year")
RESULTS = "SATULAYAR_BENCH_RESULTS"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--scale", choices=sorted(_scratch.SCALES), default="city")
    parser.add_argument("--weeks", type=int, default=9, help="weeks of history at 1x")
    parser.add_argument("--copies", type=int, default=9, help="extra copies of it for 10x")
    parser.add_argument("--repeats", type=int, default=5, help="timings per page, the best is kept")
    parser.add_argument("--rollups-only", action="store_true", help="copy only the rollups (a long history cheaply)")
    parser.add_argument("--brief", action="store_true", help=f"time only {', '.join(BRIEF)}")
    parser.add_argument("--target", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"],
                        help="default: SQLite, and PostgreSQL when DATABASE_URL points at it")
    args, _unknown = parser.parse_known_args(argv if argv is not None else [])
    if args.target:
        with _scratch.scratch_database():
            _measure(args)
        return
    if argv is None:  # `make bench`: the city on every database, then the province on the largest one
        with tempfile.NamedTemporaryFile(prefix="satulayar-bench-", suffix=".json") as results:
            os.environ[RESULTS] = results.name
            _scratch.run_each_target("bench.dashboard", ["--scale", "city"])
            _scratch.run_each_target("bench.dashboard", ["--scale", "province", "--weeks", "1", "--copies", "51",
                                                         "--repeats", "1", "--rollups-only", "--brief"],
                                     databases=_scratch.targets()[-1:])
            kept = [json.loads(line) for line in Path(results.name).read_text().splitlines()]
        city, province = kept[-2]["times"], kept[-1]["times"]  # both on the largest database
        print(f"\nDashboard across scales on {kept[-1]['database']}:")
        _ratio("(g) province overview (60.000 ASN) against the city's (6.000)", province[OVERVIEW], city[OVERVIEW], 2)
        return
    _scratch.run_each_target("bench.dashboard", ["--scale", args.scale, "--weeks", str(args.weeks), "--copies",
                                                  str(args.copies), "--repeats", str(args.repeats)]
                             + ["--rollups-only"] * args.rollups_only + ["--brief"] * args.brief,
                             databases=args.databases)


def _measure(args) -> None:
    from django.test import Client

    from satulayar.attendance.status import day_open

    world = _scratch.build_city(args.scale)
    zone = world["city"].zone
    today = dt.date(2026, 11, 30)  # a Monday, the demo's today
    now = dt.datetime.combine(today, dt.time(8, 0), zone)
    span = dt.timedelta(weeks=args.weeks)
    first = today - span
    times = args.copies + 1
    what = "rollups" if args.rollups_only else "history"
    weeks = f"{args.weeks} week{'s' * (args.weeks != 1)}"
    print(f"\nDashboard on {_scratch.server_version()}: {args.scale} scale, {len(world['employee_ids']):,} ASN in "
          f"{len(world['units'])} units; 1x = {weeks} of history, {times}x = {times} times that"
          f"{' in rollups (the raw rows stay at 1x)' if args.rollups_only else ''}", flush=True)
    seconds, counts = _scratch.timed(_history, world, first, today - dt.timedelta(days=1), zone)
    seconds_today, _n = _scratch.timed(_today_punches, world, today, zone)
    visits_s, tickets = _scratch.timed(_visits, world, first, today - dt.timedelta(days=1))
    print(f"  generated 1x: {counts[0]:,} daily statuses, {counts[1]:,} punches in {seconds:.1f} s; "
          f"{tickets:,} tickets in {visits_s:.1f} s; today's arrivals by 08:00 in {seconds_today:.1f} s", flush=True)
    rebuild = _rebuild(first, today)
    opened_s, opened = _scratch.timed(day_open, city=world["city"], date=today,
                                      now=dt.datetime.combine(today, dt.time(6), zone))
    print(f"  the morning job opened today: {opened:,} statuses and their unit days in {opened_s:.1f} s", flush=True)
    client = Client()
    client.force_login(world["walikota"])
    _scratch.second_factor_passed(client, world["walikota"])
    pages = _pages(world)
    if args.brief:  # the overview and the history pages only: each whole-city page costs the city's today
        pages = {name: path for name, path in pages.items() if name in BRIEF}
    _time_pages(client, pages, now, 1)  # warm up: imports, templates, the first query plans
    at_1x = _time_pages(client, pages, now, args.repeats)

    copy_s = _scratch.timed(_copies, span, args.copies, today, zone, rollups_only=args.rollups_only)[0]
    statuses, punches = _table_size("attendance_dailystatus"), _table_size("attendance_punch")
    print(f"  {times}x: copied in SQL in {copy_s:.1f} s: {statuses:,} daily statuses, {punches:,} punches, "
          f"{_table_size('visits_ticket'):,} tickets, {_table_size('attendance_unitday'):,} unit days, "
          f"{_table_size('visits_kelurahanhour'):,} kelurahan hours", flush=True)
    one_day = _refresh_one_day(world, today - dt.timedelta(days=1))
    at_10x = _time_pages(client, pages, now, args.repeats)

    print(f"  (b) response time, best of {args.repeats}, 1x → {times}x {what} (goal: within 1,5× of 1x)")
    for name in pages:
        ratio = at_10x[name] / at_1x[name]
        print(f"      {name:<34} {1000 * at_1x[name]:8.1f} ms → {1000 * at_10x[name]:8.1f} ms  ×{ratio:.2f} "
              f"({'met' if ratio <= 1.5 else 'MISSED'})")
    _results_keep(args.scale, at_10x)
    if not args.brief:
        _ratio(f"(g) {args.scale} overview against a one-SKPD drill-down", at_10x[OVERVIEW], at_10x[ONE_SKPD], 3)
    if args.rollups_only:  # a rebuild here would cover only the raw week: no ratio to show
        print(f"  (f) rollups: one day of every unit and kelurahan refreshed in {1000 * one_day:.0f} ms")
        return
    print(f"  (f) rollups: one day of every unit and kelurahan refreshed in {1000 * one_day:.0f} ms = "
          f"{100 * one_day / rebuild:.2f} % of rebuilding the {weeks} of 1x from raw rows ({rebuild:.1f} s; "
          f"goal ≤ 2 %: {'met' if one_day / rebuild <= 0.02 else 'MISSED'})")
    _rollups_against_raw(world, today, punches)


def _results_keep(scale: str, times: dict[str, float]) -> None:
    """One line per run for `make bench` to compare scales (the runs are separate processes)."""
    from django.db import connection

    if RESULTS in os.environ:
        with open(os.environ[RESULTS], "a") as out:
            out.write(json.dumps({"scale": scale, "database": connection.vendor, "times": times}) + "\n")


def _ratio(label: str, measured: float, baseline: float, goal: float) -> None:
    ratio = measured / baseline
    print(f"  {label}: {1000 * measured:.1f} / {1000 * baseline:.1f} ms = {ratio:.2f}× (goal ≤ {goal}×: "
          f"{'met' if ratio <= goal else 'MISSED'})", flush=True)


def _history(world: dict, first: dt.date, last: dt.date, zone) -> tuple[int, int]:
    """Daily statuses and punches for each work day of [first, last], straight through the driver."""
    from satulayar.attendance.choices import DayStatus, PunchSource
    from satulayar.attendance.models import DailyStatus

    rng = random.Random(2018)
    statuses, punches = [], []
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    for day in (d for d in days if d.weekday() < 5):
        friday = day.weekday() == 4
        start = dt.datetime.combine(day, dt.time(7, 30), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(day, dt.time(11 if friday else 16, 0), zone).astimezone(dt.UTC)
        for employee_id in world["employee_ids"]:
            draw = rng.random()
            if draw < 0.05:
                statuses.append((employee_id, day, DayStatus.ABSENT, start, end, None, None, 0, 0, False))
            elif draw < 0.09:
                statuses.append((employee_id, day, DayStatus.SICK, start, end, None, None, 0, 0, False))
            else:
                late = rng.randrange(1, 50) if draw > 0.8 else 0
                arrive = start + dt.timedelta(minutes=late - (0 if late else rng.randrange(1, 40)),
                                              seconds=rng.randrange(60))
                leave = end + dt.timedelta(minutes=rng.randrange(0, 40), seconds=rng.randrange(60))
                statuses.append((employee_id, day, DayStatus.PRESENT, start, end, arrive, leave,
                                 max(0, int((arrive - start).total_seconds() // 60)), 0, False))
                punches += [(employee_id, arrive, PunchSource.DEVICE), (employee_id, leave, PunchSource.DEVICE)]
    now = dt.datetime.now(dt.UTC)
    adapt = _adapter()
    _scratch.insert_rows(DailyStatus._meta.db_table, ["employee_id", "date", "status", "scheduled_start",
                                                      "scheduled_end", "first_in", "last_out", "late_minutes",
                                                      "early_minutes", "missing_out", "updated_at"],
                         ((*row[:3], *(adapt(v) for v in row[3:7]), *row[7:], adapt(now)) for row in statuses))
    _punches_insert(punches, now)
    return len(statuses), len(punches)


def _adapter():
    from django.db import connection

    if connection.vendor == "sqlite":
        return lambda value: None if value is None else str(value.astimezone(dt.UTC).replace(tzinfo=None))
    return lambda value: value


def _punches_insert(punches: list[tuple], now: dt.datetime) -> None:
    from satulayar.attendance.models import Punch

    adapt = _adapter()
    _scratch.insert_rows(Punch._meta.db_table, ["employee_id", "at", "source", "future_flag", "excluded", "note",
                                                "received_at"],
                         ((e, adapt(at), source, False, False, "", adapt(now)) for e, at, source in punches))


def _today_punches(world: dict, today: dt.date, zone) -> int:
    """This morning's arrivals up to 08:00: the overview computes today live from them."""
    from satulayar.attendance.choices import PunchSource

    rng = random.Random(30)
    start = dt.datetime.combine(today, dt.time(7, 0), zone).astimezone(dt.UTC)
    punches = [(e, start + dt.timedelta(seconds=rng.randrange(3600)), PunchSource.DEVICE)
               for e in world["employee_ids"] if rng.random() < 0.85]
    _punches_insert(punches, dt.datetime.now(dt.UTC))
    return len(punches)


def _visits(world: dict, first: dt.date, last: dt.date) -> int:
    from satulayar.demo.visits_history import visits_history_seed

    return visits_history_seed(city=world["city"], days=(last - first).days + 1, seed=2018, end_date=last)["tickets"]


def _copies(span: dt.timedelta, copies: int, today: dt.date, zone, *, rollups_only: bool = False) -> None:
    """The 1x history copied `copies` times further back, `span` apart, in SQL (INSERT … SELECT with every date
    and time shifted): raw rows and the rollups kept from them, or the rollups alone."""
    from django.db import connection, models, transaction

    from satulayar.attendance.models import DailyStatus, Punch, UnitDay
    from satulayar.visits.models import KelurahanHour, Ticket

    sqlite = connection.vendor == "sqlite"
    if sqlite:  # generation only, not measured: a cache that holds the indexes being filled
        connection.cursor().execute("PRAGMA cache_size = -1000000")
    first = today - span
    tables = [(UnitDay, "date", first), (KelurahanHour, "date", first)]
    if not rollups_only:
        tables += [(DailyStatus, "date", first), (Ticket, "date", first),
                   (Punch, "at", dt.datetime.combine(first, dt.time(), zone))]

    def shifted(field, days: int, k: int) -> str:
        column = connection.ops.quote_name(field.column)
        if isinstance(field, models.DateTimeField):
            return f"datetime({column}, '-{days} days')" if sqlite else f"{column} - interval '{days} days'"
        if isinstance(field, models.DateField):
            return f"date({column}, '-{days} days')" if sqlite else f"{column} - {days}"
        if isinstance(field, models.UUIDField):  # a phone's check-in id: unique, and not part of the history read
            return "NULL"
        return f"{column} || '-{k}'" if field.unique else column  # the ticket's token

    with _foreign_keys_off([model._meta.db_table for model, _since, _value in tables]), transaction.atomic(), \
            connection.cursor() as cursor:
        for model, since, value in tables:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            until = dt.datetime.combine(today, dt.time(), zone) if model is Punch else today
            for k in range(1, copies + 1):  # today (opened by the morning job) is not history: never copied
                cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT "
                               f"{', '.join(shifted(f, k * span.days, k) for f in fields)} "
                               f"FROM {model._meta.db_table} WHERE {since} >= %s AND {since} < %s", [value, until])
    with connection.cursor() as cursor:  # as a live database stands between bulk loads: checkpointed, vacuumed
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)" if sqlite else "VACUUM ANALYZE")


@contextmanager
def _foreign_keys_off(tables: list[str]):
    """Generation only: the copies carry the same foreign keys as the rows they copy, so checking each of millions
    of rows (deferred to the commit, the copy's longest part) proves nothing. SQLite skips the checks; PostgreSQL
    drops the constraints and adds them back, which checks every row in one pass per constraint."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            try:
                yield
            finally:
                cursor.execute("PRAGMA foreign_keys = ON")
            return
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", [tables])
        constraints = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        yield
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _table_size(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def _rebuild(first: dt.date, last: dt.date) -> float:
    from django.db import connection

    from satulayar.attendance.status_bulk import unit_days_rebuild
    from satulayar.visits.rollups import kelurahan_hours_rebuild

    seconds = _scratch.timed(unit_days_rebuild, start=first, end=last)[0]
    seconds += _scratch.timed(kelurahan_hours_rebuild, start=first, end=last)[0]
    if connection.vendor == "postgresql":  # what autovacuum does soon after a bulk insert (PostgreSQL 13 and later)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return seconds


def _refresh_one_day(world: dict, date: dt.date) -> float:
    from django.db import transaction

    from satulayar.attendance.rollups import unit_days_refresh
    from satulayar.visits.rollups import kelurahan_hours_refresh

    kelurahan = {k for k, in world["city"].kecamatan.values_list("kelurahan__pk")}

    def refresh():
        with transaction.atomic():
            unit_days_refresh(pairs={(unit.pk, date) for unit in world["units"]})
            kelurahan_hours_refresh(days={(k, date) for k in kelurahan})

    return _scratch.best_of(REPEATS, refresh)


def _pages(world: dict) -> dict[str, str]:
    skpd = next(u for u in world["units"] if u.parent_id is None)
    return {"overview /satu-layar/": "/satu-layar/",
            "attendance panel": "/satu-layar/panel/attendance/",
            "services panel": "/satu-layar/panel/services/",
            "map data (today)": "/satu-layar/peta/data.json",
            "drill: units, 30 days": "/satu-layar/unit/",
            "drill: one SKPD, 30 days": f"/satu-layar/unit/{skpd.pk}/",
            "drill: SKPD, a year": f"/satu-layar/unit/{skpd.pk}/?mulai=2025-12-01&sampai=2026-11-30",
            "drill: kecamatan, 30 days": "/satu-layar/kecamatan/"}


def _time_pages(client, pages: dict[str, str], now: dt.datetime, repeats: int) -> dict[str, float]:
    from unittest import mock

    from django.utils import timezone

    with mock.patch.object(timezone, "now", return_value=now):
        return {name: _scratch.best_of(repeats, lambda p=path: client.get(p)) for name, path in pages.items()}


# --- (f) the same question asked of rollups and of raw rows ----------------------------------------------------


def _from_rollups(world: dict, start: dt.date, end: dt.date) -> dict:
    from django.db.models import F, Sum
    from django.db.models.functions import Coalesce

    from satulayar.attendance.models import UnitDay

    rows = (UnitDay.objects.filter(date__range=(start, end))
            .values(skpd=Coalesce("unit__parent_id", "unit_id"), d=F("date"))
            .annotate(e=Sum("expected"), p=Sum("present"), n=Sum("late"))
            .values_list("skpd", "d", "e", "p", "n").order_by())
    return {(skpd, date): [e, p, n] for skpd, date, e, p, n in rows if e}


def _from_daily_statuses(world: dict, start: dt.date, end: dt.date) -> dict:
    from django.db.models import Count, F, Q
    from django.db.models.functions import Coalesce

    from satulayar.attendance.choices import DayStatus
    from satulayar.attendance.models import DailyStatus

    present = Q(status=DayStatus.PRESENT)
    rows = (DailyStatus.objects.filter(date__range=(start, end), scheduled_start__isnull=False)
            .values(skpd=Coalesce("employee__unit__parent_id", "employee__unit_id"), d=F("date"))
            .annotate(e=Count("id"), p=Count("id", filter=present),
                      n=Count("id", filter=present & Q(late_minutes__gt=0)))
            .values_list("skpd", "d", "e", "p", "n").order_by())
    return {(skpd, date): [e, p, n] for skpd, date, e, p, n in rows if e}


def _rollups_against_raw(world: dict, today: dt.date, punches: int) -> None:
    print(f"  (f) per SKPD and day: expected, present, late — rollups against the per-person daily statuses, "
          f"at {punches:,} punches (goal ≥ 20× faster)")
    for label, days in (("30 days", 30), ("a year", 365)):
        start, end = today - dt.timedelta(days=days), today - dt.timedelta(days=1)
        rolled, raw = _from_rollups(world, start, end), _from_daily_statuses(world, start, end)
        assert rolled == raw, "the rollups and the daily statuses disagree"
        fast = _scratch.best_of(REPEATS, _from_rollups, world, start, end)
        slow = _scratch.best_of(REPEATS, _from_daily_statuses, world, start, end)
        print(f"      {label:<10} rollups {1000 * fast:8.1f} ms, daily statuses {1000 * slow:8.1f} ms: "
              f"{slow / fast:5.1f}× faster ({'met' if slow / fast >= 20 else 'MISSED'}); same {len(raw):,} cells")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
