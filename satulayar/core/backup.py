"""Backing up and restoring the database while the city keeps working.

SQLite is copied with its online backup API (a consistent copy while the server writes); PostgreSQL with
`pg_dump` in the custom format. Next to each backup a manifest (`<file>.json`) lists every table's row count and
a checksum of its rows, taken from the same snapshot as the backup: a restore compares the restored database
with it, so a backup that does not come back whole is found at once, not on the day it is needed.

Uploaded files (selfies, sidak photos, camera frames under MEDIA_ROOT) are plain files: copy that folder with
the backup (rsync, restic); see the README.
"""

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

FETCH_ROWS = 2000


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str


def backups_dir() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def backup_default_path(now: dt.datetime | None = None) -> Path:
    stamp = f"{(now or timezone.now()).astimezone(dt.UTC):%Y%m%d-%H%M%S}"
    return backups_dir() / f"satulayar-{stamp}.{'sqlite3' if is_sqlite() else 'dump'}"


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_sums(cursor, tables: list[str]) -> dict[str, TableSum]:
    """Every table's row count and a SHA-256 of its rows in a fixed order (all columns sorted)."""
    sums = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")
        order = ", ".join(str(n) for n in range(1, len(cursor.description) + 1))
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
        digest, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(FETCH_ROWS):
            rows += len(batch)
            for row in batch:
                digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
        sums[table] = TableSum(rows=rows, checksum=digest.hexdigest())
    return sums


def database_sums() -> dict[str, TableSum]:
    """The live database's sums, read the way the manifest was (plain sqlite3 values, not Django's converters)."""
    if is_sqlite():
        db = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?mode=ro", uri=True)
        try:
            return table_sums(db.cursor(), _sqlite_tables(db))
        finally:
            db.close()
    with connection.cursor() as cursor:
        return table_sums(cursor, connection.introspection.table_names(cursor))


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    return [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _write_manifest(path: Path, sums: dict[str, TableSum]) -> None:
    manifest = {"engine": connection.vendor, "created_at": timezone.now().isoformat(),
                "tables": {name: {"rows": s.rows, "checksum": s.checksum} for name, s in sums.items()}}
    manifest_path(path).write_text(json.dumps(manifest, indent=1))


def read_manifest(path: Path) -> dict[str, TableSum]:
    try:
        tables = json.loads(manifest_path(path).read_text())["tables"]
    except (OSError, ValueError, KeyError) as exc:
        raise BackupError(f"manifest {manifest_path(path)} tidak terbaca: {exc}") from None
    return {name: TableSum(rows=t["rows"], checksum=t["checksum"]) for name, t in tables.items()}


def backup_create(*, path: Path | None = None) -> Path:
    """Writes a consistent backup of the database (and its manifest) to `path`; returns the path."""
    path = Path(path or backup_default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"{path} sudah ada; pilih nama lain.")
    (_sqlite_backup if is_sqlite() else _postgresql_backup)(path)
    return path


def _sqlite_backup(path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target, pages=1024)  # in steps, so writers are not held up for long
        problem = target.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"salinan rusak: {problem}")
        _write_manifest(path, table_sums(target.cursor(), _sqlite_tables(target)))
    finally:
        target.close()


def _pg_env() -> dict[str, str]:
    config = connection.settings_dict
    env = {**os.environ, "PGDATABASE": config["NAME"], "PGUSER": config.get("USER") or "",
           "PGHOST": config.get("HOST") or "", "PGPORT": str(config.get("PORT") or "")}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} tidak ditemukan: pasang postgresql-client.") from None
    if done.returncode:
        raise BackupError(f"{command[0]} gagal ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _postgresql_backup(path: Path) -> None:
    """pg_dump reads the snapshot the manifest is taken from, so both describe the same moment."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={path}"])
            _write_manifest(path, table_sums(cursor, connection.introspection.table_names(cursor)))
        finally:
            cursor.execute("ROLLBACK")


def backup_restore(*, path: Path) -> dict[str, TableSum]:
    """Replaces the database's contents with the backup at `path` and checks them against its manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} tidak ada.")
    expected = read_manifest(path)
    (_sqlite_restore if is_sqlite() else _postgresql_restore)(path)
    restored = database_sums()
    wrong = sorted(name for name in expected if restored.get(name) != expected[name])
    if wrong:
        raise BackupError(f"hasil pemulihan berbeda dari manifest pada tabel: {', '.join(wrong)}")
    return restored


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _postgresql_restore(path: Path) -> None:
    connection.close()  # pg_restore drops the tables this connection may hold open
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={connection.settings_dict['NAME']}", str(path)])
