"""A province for a year on PostgreSQL (`make bench-province`, not part of `make bench`: it runs longer).

60.000 ASN in 2.000 units (400 SKPD of 4 sub-units) on Banjarmasin's regions, in a scratch database:
  1. a year of raw punches (two per person present, about 90 % present, 20 % of them late) through COPY;
  2. the year's daily statuses and unit days computed from them by the product's set-based engine
     (`daily_status_rebuild`, month by month), and a year of kelurahan tickets from the demo's visit generator,
     with their rollups;
  3. today opened by the morning job and this morning's arrivals;
then timed, as the walikota through Django's test client (best of --repeats after a warm-up): the overview, the
drill-downs, a month's recap (the whole province's units, and one SKPD's staff); and once each: the nightly close
(`daily_status_close`'s two days) and the rebuild of one month. The overview's guide from issue #13: ≤ 400 ms.
Usage: python -m bench.province [--weeks 52] [--repeats 3] [--scale province|city|town]
"""

import argparse
import datetime as dt
import os
import random
import sys
import time

from bench import _scratch
from bench.dashboard import _pages, _table_size, _time_pages, _today_punches, _visits

TODAY = dt.date(2026, 11, 30)  # a Monday, the demo's today
OVERVIEW_GUIDE = 0.4


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.province")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of raw history")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", choices=sorted(_scratch.SCALES), default="province", help="smaller: a dry run")
    parser.add_argument("--target", choices=["postgresql"], help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv if argv is not None else [])
    if args.target:
        with _scratch.scratch_database():
            _measure(args)
        return
    if "postgresql" not in _scratch.targets():
        sys.exit("bench.province runs on PostgreSQL: set DATABASE_URL=postgres://… (a role with CREATEDB).")
    _scratch.run_each_target("bench.province", ["--weeks", str(args.weeks), "--repeats", str(args.repeats),
                                                "--scale", args.scale],
                             databases=["postgresql"])


def _measure(args) -> None:
    from satulayar.attendance.status import daily_status_rebuild, day_open

    started = time.perf_counter()
    world = _scratch.build_city(args.scale)
    city, zone = world["city"], world["city"].zone
    last = TODAY - dt.timedelta(days=1)
    first = last - dt.timedelta(weeks=args.weeks) + dt.timedelta(days=1)
    print(f"\nA {args.scale} for {args.weeks} weeks on {_scratch.server_version()}, {os.cpu_count()} cores: "
          f"{len(world['employee_ids']):,} ASN in {len(world['units']):,} units, {first:%d.%m.%Y}–{last:%d.%m.%Y}",
          flush=True)
    seconds, punches = _scratch.timed(_punches_copy, world, first, last, zone)
    print(f"  punches: {punches:,} through COPY in {seconds:.0f} s ({punches / seconds:,.0f}/s)", flush=True)
    now = dt.datetime.combine(TODAY, dt.time(6), zone)
    seconds, written = _scratch.timed(daily_status_rebuild, city=city, start=first, end=last, now=now)
    print(f"  daily statuses and unit days of the year, set-based engine: {written:,} statuses in {seconds:.0f} s "
          f"({written / seconds:,.0f}/s)", flush=True)
    seconds, tickets = _scratch.timed(_visits, world, first, last)
    print(f"  tickets with their rollups (demo visit generator): {tickets:,} in {seconds:.0f} s", flush=True)
    _today_punches(world, TODAY, zone)
    seconds = _scratch.timed(day_open, city=city, date=TODAY, now=now)[0]
    _analyze()
    print(f"  the morning job opened today in {seconds:.1f} s; tables: {_table_size('attendance_punch'):,} punches, "
          f"{_table_size('attendance_dailystatus'):,} daily statuses, {_table_size('attendance_unitday'):,} unit "
          f"days, {_table_size('visits_ticket'):,} tickets; generated in {(time.perf_counter() - started) / 60:.0f} "
          f"min", flush=True)
    _time_screens(world, args.repeats)
    friday = TODAY - dt.timedelta(days=3)  # Monday's close covers the weekend: the close of a Friday morning
    close = _scratch.timed(daily_status_rebuild, city=city, start=friday - dt.timedelta(days=2),
                           end=friday - dt.timedelta(days=1), now=now)
    print(f"  the nightly close (daily_status_close early on Friday {friday:%d.%m}: Wednesday and Thursday, every "
          f"ASN): {close[0]:.1f} s, {close[1]:,} statuses", flush=True)
    month = _scratch.timed(daily_status_rebuild, city=city, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
                           now=now)
    print(f"  a rebuild of one month (October 2026, every ASN): {month[0]:.1f} s, {month[1]:,} statuses "
          f"({month[1] / month[0]:,.0f}/s)", flush=True)
    print(f"  whole run {(time.perf_counter() - started) / 60:.1f} min", flush=True)


def _punches_copy(world: dict, first: dt.date, last: dt.date, zone) -> int:
    """The year's punches, generated day by day as they stream into COPY (a year of tuples would not fit)."""
    from satulayar.attendance.choices import PunchSource
    from satulayar.attendance.models import Punch

    count = 0

    def rows():
        nonlocal count
        rng = random.Random(2018)
        received = dt.datetime.now(dt.UTC)
        for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1)):
            if day.weekday() >= 5:
                continue
            start = dt.datetime.combine(day, dt.time(7, 30), zone).astimezone(dt.UTC)
            end = dt.datetime.combine(day, dt.time(11 if day.weekday() == 4 else 16), zone).astimezone(dt.UTC)
            for employee_id in world["employee_ids"]:
                if rng.random() < 0.1:
                    continue
                late = rng.randrange(1, 50) if rng.random() < 0.2 else -rng.randrange(1, 40)
                count += 1
                yield (employee_id, start + dt.timedelta(minutes=late, seconds=rng.randrange(60)),
                       PunchSource.DEVICE, False, False, "", received)
                if rng.random() < 0.95:
                    count += 1
                    yield (employee_id, end + dt.timedelta(minutes=rng.randrange(-20, 40), seconds=rng.randrange(60)),
                           PunchSource.DEVICE, False, False, "", received)

    _scratch.insert_rows(Punch._meta.db_table, ["employee_id", "at", "source", "future_flag", "excluded", "note",
                                                "received_at"], rows())
    return count


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
        cursor.execute("ANALYZE")


def _time_screens(world: dict, repeats: int) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world["walikota"])
    _scratch.second_factor_passed(client, world["walikota"])
    skpd = next(u for u in world["units"] if u.parent_id is None)
    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    pages = {**_pages(world), "recap: every unit, a month": f"/kehadiran/rekap/?bulan={month}&unit=",
             "recap: one SKPD's staff, a month": f"/kehadiran/rekap/?bulan={month}&unit={skpd.pk}"}
    now = dt.datetime.combine(TODAY, dt.time(8), world["city"].zone)
    for path in pages.values():
        with _at(now):
            status = client.get(path).status_code
        assert status == 200, f"{path} answered {status}"
    times = _time_pages(client, pages, now, repeats)
    print(f"  screens as the walikota at 08.00, best of {repeats}:")
    for name, seconds in times.items():
        print(f"      {name:<34} {1000 * seconds:9.0f} ms", flush=True)
    overview = times["overview /satu-layar/"]
    print(f"  overview against the guide of {1000 * OVERVIEW_GUIDE:.0f} ms: "
          f"{'met' if overview <= OVERVIEW_GUIDE else 'MISSED'}", flush=True)


def _at(now: dt.datetime):
    from unittest import mock

    from django.utils import timezone

    return mock.patch.object(timezone, "now", return_value=now)


if __name__ == "__main__":
    main(sys.argv[1:])
