"""What the benches share: one process per database, a scratch database, a bench city with staff in bulk.

Each database runs in its own process (Django's settings are per process): SQLite in a temporary file always,
PostgreSQL too when DATABASE_URL points at it, in a scratch database `<its name>_bench` created and dropped here.
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SUFFIX = "_bench"  # the scratch PostgreSQL database is DATABASE_URL's name + this (several people, one server)
SCALES = {  # name: (ASN, SKPD, sub-units per SKPD)
    "town": (600, 10, 2),  # a quick run while others share the machine
    "city": (6_000, 40, 4),
    "province": (60_000, 400, 4),
}


def targets() -> list[str]:
    found = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        found.append("postgresql")
    return found


def environment(target: str, scratch: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "satulayar.settings", "DEBUG": "0", "LOG_LEVEL": "ERROR",
           "SATULAYAR_DATA_DIR": scratch, "PYTHONPATH": str(ROOT)}
    if target == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    return env


def run_each_target(module: str, args: list[str], databases: list[str] | None = None) -> None:
    """Run `python -m <module> --target T <args>` once per database (`databases`, else every configured one),
    each in a fresh scratch directory."""
    for target in databases or targets():
        with tempfile.TemporaryDirectory(prefix="satulayar-bench-") as scratch:
            subprocess.run([sys.executable, "-m", module, "--target", target, *args], cwd=ROOT,
                           env=environment(target, scratch), check=True)


@contextmanager
def scratch_database():
    """A migrated empty database for this process (SQLite file in the scratch dir, or PostgreSQL <name>_bench);
    yields the settings dict's NAME, and drops it afterwards."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    name = str(Path(settings.DATA_DIR) / "bench-fresh.sqlite3") if connection.vendor == "sqlite" else \
        connection.settings_dict["NAME"] + PG_SUFFIX
    connection.settings_dict["TEST"]["NAME"] = name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection.settings_dict["NAME"]
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def best_of(n: int, function, *args, **kwargs) -> float:
    """The fastest of n runs (the least disturbed by the other processes on the machine)."""
    return min(timed(function, *args, **kwargs)[0] for _ in range(n))


def insert_rows(table: str, columns: list[str], rows) -> None:
    """Rows straight through the driver: executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection, transaction

    connection.ensure_connection()
    driver = connection.connection
    names = ", ".join(columns)
    if connection.vendor == "sqlite":
        with transaction.atomic():  # one transaction, not one per row
            driver.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    else:
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def build_city(scale: str) -> dict:
    """The reference city (Banjarmasin's regions), SKPDs with sub-units, staff spread over them, a walikota."""
    from django.contrib.auth import get_user_model

    from satulayar.org import services
    from satulayar.org.choices import Role, UnitKind
    from satulayar.org.models import Employee, Unit
    from satulayar.org.reference import city_load_reference

    employees, skpd_count, subunits = SCALES[scale]
    city = city_load_reference("banjarmasin")
    units = []
    for s in range(skpd_count):
        skpd = services.unit_create(actor=None, city=city, name=f"Dinas Uji {s + 1}", code=f"B{s:03d}",
                                    kind=UnitKind.DINAS)
        units.append(skpd)
        units += [services.unit_create(actor=None, city=city, name=f"Bidang {s + 1}.{b + 1}", code=f"B{s:03d}.{b}",
                                       kind=UnitKind.BIDANG, parent=skpd) for b in range(subunits)]
    now = dt.datetime.now(dt.UTC)
    insert_rows(Employee._meta.db_table, ["unit_id", "name", "nip", "nik", "employment_type", "rank", "position", "sex",
                                          "active", "created_at", "updated_at"],
                ((units[i % len(units)].pk, f"Pegawai {i}", _nip(i), "", "pns", "", "", "", True, _adapt(now),
                  _adapt(now)) for i in range(employees)))
    walikota = get_user_model().objects.create_user(username="walikota", password="bench-bench-123")
    services.role_assign(actor=None, user=walikota, role=Role.EXECUTIVE, city=city)
    return {"city": city, "units": list(Unit.objects.filter(city=city)), "walikota": walikota,
            "employee_ids": list(Employee.objects.order_by("pk").values_list("pk", flat=True))}


def _nip(i: int) -> str:
    """A valid, unique NIP: birth date, appointment month, sex, serial (999 people per birth date)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i // 999)
    return f"{birth:%Y%m%d}200501{1 + i % 2}{1 + i % 999:03d}"


def _adapt(value):
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value


def local_workdays(end: dt.date, count: int) -> list[dt.date]:
    """`count` Monday–Friday dates up to and including `end`, oldest first."""
    days, day = [], end
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


def second_factor_passed(client, user) -> None:
    """A session as after the TOTP code (docs/security.md): the bench times pages, not the login."""
    session = client.session
    _mark_second_factor(session, user)
    session.save()


def _mark_second_factor(session, user) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def session_key_for(user) -> str:
    """A logged-in session made in the database, past the second factor, for clients outside Django's test client
    (the live and soak benches' HTTP senders and screens)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
    _mark_second_factor(session, user)
    session.create()
    return session.session_key
