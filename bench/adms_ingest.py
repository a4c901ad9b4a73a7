"""ADMS ingest throughput beside a raw driver bulk insert of the same rows, measured in the same run.

For each database (a fresh temporary SQLite file always; a fresh temporary PostgreSQL database too when
DATABASE_URL points at PostgreSQL) it creates N employees and a month of ATTLOG lines, then times:

  (a) the real ADMS handler: POST /iclock/cdata?table=ATTLOG through Django's test client, in batches of
      500 lines like a device, PIN lookup, parsing, ingest and the daily status refresh included;
  (b) punches_ingest called directly with the same rows in the same batches (status refresh included);
  (c) a raw driver bulk insert of the same rows into the same indexed table (sqlite3 executemany,
      psycopg COPY), with no parsing, lookups, duplicate handling or statuses, in one transaction; (c') the same
      in transactions of one device upload each, which is what the ADMS path commits;
  (d) the batch API: POST /api/attendance/punches as the HR admin, 5.000 punches a request (NIP, ISO time).
Batches of more than ATTENDANCE_STATUS_SYNC_MAX_ROWS punches leave their daily statuses to a Huey job; the job's
work for the whole load is timed separately (in this process, as the worker would run it). One handshake comes
first so that no phase times Django importing its URL modules.

Each database runs in its own process because Django's settings are per process.
Usage: python -m bench.adms_ingest [--employees 2000] [--days 25] [--batch 500]
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVICES = 10


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.adms_ingest")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--days", type=int, default=25, help="work days; two punches per employee a day")
    parser.add_argument("--batch", type=int, default=500, help="ATTLOG lines per POST")
    parser.add_argument("--target", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.target:
        _run(args)
        return
    targets = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        targets.append("postgresql")
    for target in targets:
        command = [sys.executable, "-m", "bench.adms_ingest", "--target", target, "--employees", str(args.employees),
                   "--days", str(args.days), "--batch", str(args.batch)]
        with tempfile.TemporaryDirectory(prefix="satulayar-bench-") as scratch:
            subprocess.run(command, cwd=ROOT, env=_environment(target, scratch), check=True)


def _environment(target: str, scratch: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "satulayar.settings", "DEBUG": "0", "LOG_LEVEL": "ERROR",
           "SATULAYAR_DATA_DIR": scratch}
    if target == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    return env


def _run(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    test_name = (str(Path(settings.DATA_DIR) / "bench-fresh.sqlite3") if connection.vendor == "sqlite"
                 else f"satulayar_bench_{os.getpid()}")
    connection.settings_dict["TEST"]["NAME"] = test_name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        _measure(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _measure(args) -> None:
    from django.db import connection

    from satulayar.attendance.ingest import status_sync_max_rows

    world = _build_world(args.employees)
    lines = _attlog_lines(world, args.days)
    total = sum(len(device_lines) for device_lines in lines.values())
    print(f"\nADMS ingest on {connection.vendor} {_server_version()}: {args.employees:,} "
          f"employees, {total:,} ATTLOG lines, {args.batch} lines per POST, {DEVICES} devices")

    rows = _rows(world, lines)  # what the ADMS parser makes of the lines, and the driver's tuples of them
    records = _raw_records(world, rows)
    refresh = _StatusTimer()
    _warm_up(world)
    # One untimed load first: every timed phase then writes into a file already grown to size (the first would
    # otherwise pay for growing it, the others reuse its freed pages).
    _phase_raw(records)
    _check_and_clear(total)
    adms = _timed(_phase_adms, world, lines, args.batch)
    adms_refresh = refresh.take()
    pairs = _touched_pairs(world)[:WORKER_SAMPLE]  # a sample: the rate is what matters, and the whole took a minute
    catch_up = _timed(_phase_worker, pairs)
    refresh.take()  # the worker's work is reported on its own line
    _check_and_clear(total)
    ingest = _timed(_phase_ingest, world, rows, args.batch)
    ingest_refresh = refresh.take()
    _check_and_clear(total)
    api = _timed(_phase_api, world, lines, API_BATCH)
    _check_and_clear(total)
    raw = _timed(_phase_raw, records)
    _check_and_clear(total)
    raw_batched = _timed(lambda: [_phase_raw(batch) for batch in _batches(records, args.batch)])
    _check_and_clear(total)

    def line(label, timing, refreshing=None):
        wall, cpu = timing
        extra = "" if refreshing is None else (f"; status refresh {refreshing:.2f} s of it, without it "
                                               f"{total / (wall - refreshing):,.0f} lines/s")
        print(f"  {label:<32}{total / wall:>9,.0f} lines/s  (wall {wall:.2f} s, this process's CPU {cpu:.2f} s{extra})")

    line("(a) ADMS POST /iclock/cdata", adms, adms_refresh)
    line("(b) punches_ingest directly", ingest, ingest_refresh)
    line(f"(d) batch API, {API_BATCH} a POST", api)
    line("(c) raw driver bulk insert", raw)
    line(f"(c') raw, {args.batch} a transaction", raw_batched)
    print("  ratios against (c), wall (goal ≥ 0,30): " + ", ".join(
        f"{name}/raw {raw[0] / timing[0]:.2f} ({'met' if raw[0] / timing[0] >= INGEST_GOAL else 'MISSED'})"
        for name, timing in (("ADMS", adms), ("batch API", api), ("punches_ingest", ingest))))
    print(f"  ADMS/ingest {ingest[0] / adms[0]:.2f}; ADMS against (c'), committing as often: "
          f"{raw_batched[0] / adms[0]:.2f}")
    print(f"  batches over {status_sync_max_rows()} punches refresh their statuses in the worker: "
          f"{len(pairs):,} (employee, day) statuses of this load and their unit-day rollups took it "
          f"{catch_up[0]:.1f} s ({len(pairs) / catch_up[0]:,.0f} statuses/s)", flush=True)


API_BATCH = 5000
INGEST_GOAL = 0.30  # issue #13: each ingest path ≥ 0,30 of the raw insert
WORKER_SAMPLE = 10_000


def _warm_up(world: dict) -> None:
    """One handshake and one empty upload first, so that the timing is not of Django importing its URL modules."""
    from django.test import Client

    client = Client(REMOTE_ADDR="10.0.0.1")
    serial = world["devices"][0].serial_number
    client.get(f"/iclock/cdata?SN={serial}&options=all")
    client.post(f"/iclock/cdata?SN={serial}&table=ATTLOG&Stamp=0", data=b"", content_type="text/plain")


def _touched_pairs(world: dict) -> list:

    from satulayar.attendance.models import Punch

    zone = world["city"].zone
    return sorted({(e, at.astimezone(zone).date()) for e, at in Punch.objects.values_list("employee_id", "at")})


def _phase_worker(pairs: list) -> None:
    """What the Huey job does for the deferred batches (run here, in the same process, to time it alone)."""
    from satulayar.attendance.status import daily_status_refresh

    daily_status_refresh(pairs=pairs)


def _phase_api(world: dict, lines: dict[int, list[str]], size: int) -> None:
    """POST /api/attendance/punches as the HR admin, `size` punches a request (NIP and ISO time with offset)."""
    import json

    from django.test import Client

    from bench._scratch import second_factor_passed

    client = Client()
    client.force_login(_api_user(world))
    second_factor_passed(client, _api_user(world))
    nip_of = {pin: e.nip for pin, e in zip(world["pins"], world["employees"], strict=True)}
    items = [{"nip": nip_of[fields[0]], "at": fields[1].replace(" ", "T") + "+08:00"}
             for device_lines in lines.values() for fields in (line.split("\t") for line in device_lines)]
    for batch in _batches(items, size):
        response = client.post("/api/attendance/punches", data=json.dumps({"punches": batch}),
                               content_type="application/json")
        assert response.status_code == 200 and response.json()["accepted"] == len(batch), response.content[:300]


def _api_user(world: dict):
    from django.contrib.auth import get_user_model

    from satulayar.org import services
    from satulayar.org.choices import Role

    user, created = get_user_model().objects.get_or_create(username="bench_api")
    if created:
        services.role_assign(actor=None, user=user, role=Role.HR_ADMIN, city=world["city"])
    return user


def _timed(phase, *args) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    phase(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        return cursor.fetchone()[0]


class _StatusTimer:
    """Wraps the status refresh that ingest calls on commit, to show its share of the time."""

    def __init__(self):
        from satulayar.attendance import status

        self.spent = 0.0
        original = status.daily_status_refresh

        def timed(**kwargs):
            started = time.perf_counter()
            try:
                return original(**kwargs)
            finally:
                self.spent += time.perf_counter() - started

        status.daily_status_refresh = timed

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent


def _build_world(employee_count: int) -> dict:
    from satulayar.attendance import devices
    from satulayar.attendance.models import PinMapping
    from satulayar.org import services
    from satulayar.org.choices import UnitKind
    from satulayar.org.models import Employee
    from satulayar.org.reference import city_load_reference

    city = city_load_reference("banjarmasin")
    unit = services.unit_create(actor=None, city=city, name="Unit Uji Beban", code="BENCH", kind=UnitKind.DINAS)
    employees = Employee.objects.bulk_create(
        Employee(unit=unit, name=f"Pegawai {i}", nip=f"1980010120050{i:05d}") for i in range(employee_count))
    # Half the staff punch with a short enrolment number mapped to them, half with their NIP.
    PinMapping.objects.bulk_create(PinMapping(city=city, pin=str(i + 1), employee=e)
                                   for i, e in enumerate(employees) if i % 2)
    pins = [str(i + 1) if i % 2 else e.nip for i, e in enumerate(employees)]
    machines = [devices.device_register(actor=None, city=city, serial_number=f"BENCH{n:04d}") for n in range(DEVICES)]
    return {"city": city, "employees": employees, "pins": pins, "devices": machines}


def _attlog_lines(world: dict, days: int) -> dict[int, list[str]]:
    """Device index -> its lines in time order, like a real machine's log."""
    rng = random.Random(20180102)
    day, work_days = dt.date(2026, 1, 5), []
    while len(work_days) < days:
        if day.weekday() < 5:
            work_days.append(day)
        day += dt.timedelta(days=1)
    lines: dict[int, list[str]] = {n: [] for n in range(DEVICES)}
    for date in work_days:
        for kind, base in ((0, dt.time(7, 0)), (1, dt.time(16, 0))):
            for i, pin in enumerate(world["pins"]):
                moment = dt.datetime.combine(date, base) + dt.timedelta(seconds=rng.randrange(0, 3600))
                lines[i % DEVICES].append(f"{pin}\t{moment:%Y-%m-%d %H:%M:%S}\t{kind}\t1\t0\t0\t0\t0\t0\t0")
    return lines


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _phase_adms(world: dict, lines: dict[int, list[str]], size: int) -> None:
    from django.test import Client

    client = Client(REMOTE_ADDR="10.0.0.1")
    for n, device_lines in lines.items():
        serial = world["devices"][n].serial_number
        for stamp, batch in enumerate(_batches(device_lines, size), 1):
            response = client.post(f"/iclock/cdata?SN={serial}&table=ATTLOG&Stamp={stamp}",
                                   data="\n".join(batch).encode(), content_type="text/plain")
            assert response.content.decode() == f"OK: {len(batch)}", response.content


def _rows(world: dict, lines: dict[int, list[str]]) -> dict[int, list]:
    """The PunchRows the ADMS parser makes of the same lines (built outside the timed part)."""

    from satulayar.attendance.adms import parse_attlog
    from satulayar.attendance.ingest import PunchRow

    zone = world["city"].zone
    by_pin = {pin: e.pk for pin, e in zip(world["pins"], world["employees"], strict=True)}
    rows = {}
    for n, device_lines in lines.items():
        parsed, errors = parse_attlog("\n".join(device_lines))
        assert not errors
        rows[n] = [PunchRow(employee_id=by_pin[p.pin], at=p.local_time.replace(tzinfo=zone).astimezone(dt.UTC),
                            device_state=p.status, verify_mode=p.verify) for p in parsed]
    return rows


def _phase_ingest(world: dict, rows: dict[int, list], size: int) -> None:
    from satulayar.attendance.choices import PunchSource
    from satulayar.attendance.ingest import punches_ingest

    for n, device_rows in rows.items():
        for batch in _batches(device_rows, size):
            result = punches_ingest(city=world["city"], rows=batch, source=PunchSource.DEVICE,
                                    device=world["devices"][n])
            assert result.accepted == len(batch)


RAW_COLUMNS = ["employee_id", "at", "source", "device_id", "device_state", "verify_mode", "future_flag", "excluded",
               "note", "received_at"]


def _raw_records(world: dict, rows: dict[int, list]) -> list[tuple]:
    """The same rows as the driver takes them (built outside the timed part: (c) is the driver alone)."""
    from django.db import connection
    from django.utils import timezone

    from satulayar.attendance.choices import PunchSource

    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    adapt = connection.ops.adapt_datetimefield_value
    return [(r.employee_id, adapt(r.at) if sqlite else r.at, PunchSource.DEVICE.value, world["devices"][n].pk,
             r.device_state, r.verify_mode, False, False, "", adapt(now) if sqlite else now)
            for n, device_rows in rows.items() for r in device_rows]


def _phase_raw(records: list[tuple]) -> None:
    from django.db import connection

    connection.ensure_connection()
    driver = connection.connection
    columns = ", ".join(RAW_COLUMNS)
    if connection.vendor == "sqlite":
        driver.execute("BEGIN IMMEDIATE")
        driver.executemany(f"INSERT INTO attendance_punch ({columns}) VALUES ({', '.join('?' * len(RAW_COLUMNS))})",
                           records)
        driver.execute("COMMIT")
    else:
        with driver.transaction(), driver.cursor() as cursor, cursor.copy(
                f"COPY attendance_punch ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(record)


def _check_and_clear(expected: int) -> None:
    from django.db import connection

    from satulayar.attendance.models import DailyStatus, Punch

    stored = Punch.objects.count()
    assert stored == expected, f"{stored} punches stored, {expected} expected"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM attendance_punch")
    DailyStatus.objects.all().delete()


if __name__ == "__main__":
    main()
