"""Storing punches from every source in bulk, idempotently: the same punch sent twice is one row.

`punches_ingest` is the one writer of device and API punches. It inserts at the driver level with
`INSERT … ON CONFLICT DO NOTHING`, so the database, not a prior SELECT, decides what
is new, concurrent uploads cannot double-count, and the rows it reports as accepted are exactly those
it inserted. The daily statuses of a small upload are refreshed in the same transaction; a larger one leaves
them to the worker.
"""

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.db import pairs_for_keys
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import Employee

logger = logging.getLogger(__name__)

POSTGRES_ROWS_PER_STATEMENT = 10_000
API_SOURCE_REF_MAX = 200
_COLUMNS = ("employee", "at", "source", "device", "kiosk", "site", "device_state", "verify_mode", "lat", "lon",
            "accuracy_m", "distance_m", "future_flag", "excluded", "note", "created_by", "received_at", "browser")


@dataclass(slots=True)
class PunchRow:
    employee_id: int
    at: dt.datetime  # aware
    device_state: int | None = None
    verify_mode: int | None = None
    site_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None
    note: str = ""
    future_flag: bool = False
    created_by_id: int | None = None
    browser: str = ""  # a phone check-in's browser, as its keyed hash (Punch.browser)


@dataclass
class IngestResult:
    """`accepted` rows were stored now; `duplicates` were stored before or repeated in the batch (accepted +
    duplicates = rows given); `flagged` rows of this call lie in the future, stored new or not."""

    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    touched: set[tuple[int, dt.date]] = field(default_factory=set)  # (employee id, local date) of new rows


def status_sync_max_rows() -> int:
    return int(settings.ATTENDANCE_STATUS_SYNC_MAX_ROWS)


def future_tolerance() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ATTENDANCE_FUTURE_TOLERANCE_MINUTES)


def future_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Punches after this moment come from a device or client with a wrong clock."""
    return (now or timezone.now()) + future_tolerance()


def punches_ingest(*, city, rows: Sequence[PunchRow], source: str, device=None, kiosk=None, actor=None,
                   now: dt.datetime | None = None, refresh_statuses: bool = True) -> IngestResult:
    """`device` or `kiosk`: the machine or attendance kiosk the rows come from. `refresh_statuses=False` is for
    bulk loads that rebuild the daily statuses once at the end."""
    if source not in PunchSource.values:
        raise ValueError(f"unknown punch source {source!r}")
    now = now or timezone.now()
    unique = _unique_rows(rows, future_cutoff(now))
    result = IngestResult(duplicates=len(rows) - len(unique), flagged=sum(row.future_flag for row in unique))
    if not unique:
        return result
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    constants = {"source": source, "device": device.pk if device else None, "kiosk": kiosk.pk if kiosk else None,
                 "excluded": False, "received_at": now}
    with transaction.atomic(savepoint=False):  # inside a caller's transaction, it stands or falls with it
        inserted = _insert_ignoring_duplicates(unique, constants, actor_id)
        zone = city.zone
        result.accepted = len(inserted)
        result.duplicates += len(unique) - len(inserted)
        result.touched = {(row.employee_id, row.at.astimezone(zone).date()) for row in inserted}
        if result.touched and refresh_statuses:
            pairs = frozenset(result.touched)
            if result.accepted <= status_sync_max_rows():
                _daily_status_refresh(pairs, now)
            else:  # a device's backlog or a batch: statuses follow in the worker, the punches are stored now
                _daily_status_refresh_later(pairs)
        if inserted:
            _publish_punches(city, inserted)
    return result


def _publish_punches(city, inserted: list[PunchRow]) -> None:
    """A live event for the dashboard: how many punches and which units (ids only; the stream needs a login)."""
    units = sorted({unit for _id, unit in pairs_for_keys(Employee.objects.all(), "id", "unit",
                                                       {row.employee_id for row in inserted})})
    event_publish(channel=attendance_channel(city), kind="punch.recorded", data={"accepted": len(inserted),
                                                                              "units": units})


def _unique_rows(rows: Iterable[PunchRow], cutoff: dt.datetime) -> list[PunchRow]:
    unique: dict[tuple[int, dt.datetime], PunchRow] = {}
    for row in rows:
        if row.at.tzinfo is None:
            raise ValueError("PunchRow.at must be an aware datetime")
        if not row.future_flag and row.at > cutoff:
            row = replace(row, future_flag=True)
        unique.setdefault((row.employee_id, row.at), row)
    return list(unique.values())


def _insert_ignoring_duplicates(rows: list[PunchRow], constants: dict, actor_id: int | None) -> list[PunchRow]:
    """Returns the rows the database really inserted, never the skipped ones."""
    connection.ensure_connection()
    sqlite = connection.vendor == "sqlite"
    adapt = _utc_text if sqlite else connection.ops.adapt_datetimefield_value
    received_at = adapt(constants["received_at"])
    values = [[row.employee_id, adapt(row.at), constants["source"], constants["device"], constants["kiosk"],
               row.site_id, row.device_state, row.verify_mode, row.lat, row.lon, row.accuracy_m, row.distance_m,
               row.future_flag, constants["excluded"], row.note, row.created_by_id or actor_id, received_at,
               row.browser]
              for row in rows]
    # Keyed by the values as stored, which the database hands back unchanged (text on SQLite, aware on PostgreSQL).
    by_key = {(value[0], value[1]): row for value, row in zip(values, rows, strict=True)}
    return [by_key[key] for key in (_insert_sqlite if sqlite else _insert_postgresql)(values)]


def _utc_text(value: dt.datetime) -> str:
    """What Django's SQLite adapter makes of an aware datetime (naive UTC text), without its per-value checks:
    a fifth of the ingest time went there."""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ")[:-6]  # without "+00:00"


def _statement_parts() -> tuple[list, str]:
    quote = connection.ops.quote_name
    fields = [Punch._meta.get_field(name) for name in _COLUMNS]
    head = f"INSERT INTO {quote(Punch._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    return fields, head


def _insert_sqlite(values: list[list]) -> list[tuple]:
    """Multi-row VALUES in chunks of as many parameters as this SQLite binds, then the new rows read back by id:
    the transaction holds SQLite's one write lock from its start (transaction_mode IMMEDIATE) and ids only grow
    (AUTOINCREMENT), so the rows above the largest id before the insert are exactly the ones inserted here. Faster
    than RETURNING or executemany, measured."""
    fields, head = _statement_parts()
    table = connection.ops.quote_name(Punch._meta.db_table)
    driver = connection.connection  # straight to sqlite3: Django's cursor would rewrite each placeholder
    placeholder = "(" + ", ".join("?" * len(fields)) + ")"
    step = max(1, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(fields))
    before = driver.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    for start in range(0, len(values), step):
        chunk = values[start:start + step]
        driver.execute(f"{head}VALUES {', '.join([placeholder] * len(chunk))} ON CONFLICT DO NOTHING",
                       [value for row in chunk for value in row])
    # CAST: the text as stored, not the datetime Django's column converter would make of it.
    return driver.execute(f"SELECT employee_id, CAST(at AS TEXT) FROM {table} WHERE id > ?", [before]).fetchall()


def _insert_postgresql(values: list[list]) -> list[tuple]:
    """One array per column through unnest(): a short statement PostgreSQL plans once, whatever the row count;
    RETURNING lists only the rows inserted."""
    fields, head = _statement_parts()
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    quote = connection.ops.quote_name
    tail = f" ON CONFLICT DO NOTHING RETURNING {quote(fields[0].column)}, {quote(fields[1].column)}"
    returned = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), POSTGRES_ROWS_PER_STATEMENT):
            columns = [list(column) for column in zip(*values[start:start + POSTGRES_ROWS_PER_STATEMENT], strict=True)]
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}", columns)
            returned += cursor.fetchall()
    return returned


def _daily_status_refresh(pairs: frozenset[tuple[int, dt.date]], now: dt.datetime) -> None:
    """In the punches' transaction, so no crash can leave a stored punch without its status and unit counters. The
    punches are the record: a refresh that fails rolls back to its savepoint and is left to the worker instead."""
    from satulayar.attendance.status import daily_status_refresh

    try:
        with transaction.atomic():
            daily_status_refresh(pairs=pairs, now=now)
    except Exception:
        logger.exception("status refresh of %d punch days failed; left to the worker", len(pairs))
        _daily_status_refresh_later(pairs)


def _daily_status_refresh_later(pairs: frozenset[tuple[int, dt.date]]) -> None:
    """Written with the punches (core.jobs): a worker killed half-way through the refresh leaves it to another."""
    from satulayar.core.jobs import pending_job_add

    pending_job_add(task="satulayar.attendance.tasks.daily_status_refresh_pairs",
                    kwargs={"pairs": [[employee_id, date.isoformat()] for employee_id, date in sorted(pairs)]})


@dataclass
class SubmitResult:
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"index", "nip", "reason"}


class _Rejected(ValueError):
    pass


def _aware_utc(value) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        raise _Rejected(_("Waktu %(value)s tidak dapat dibaca; gunakan ISO 8601 dengan zona waktu, "
                          "mis. 2026-01-02T07:31:00+08:00.") % {"value": value}) from None
    if parsed.utcoffset() is None:
        raise _Rejected(_("Waktu %(value)s tanpa zona waktu; sertakan offset seperti +08:00.") % {"value": value})
    return parsed.astimezone(dt.UTC)


@transaction.atomic
def punches_submit(*, actor, city, items: Sequence[dict]) -> SubmitResult:
    """Punches sent by another system (the batch API): bad items are reported by index, good ones kept.

    Each item is {"nip", "at" (ISO 8601 with a zone offset), "source_ref" (optional)}. The sender may only
    submit punches of employees it manages; any other NIP reads as not found.
    """
    if not access.scope_for(actor).can("manage_employees"):
        raise PermissionDenied(_("Anda tidak berwenang mengirim data kehadiran."))
    nips = {str(item.get("nip") or "").strip() for item in items}
    employees = dict(access.employees_for(actor).filter(unit__city=city, active=True, nip__in=nips)
                     .values_list("nip", "id"))
    result, rows = SubmitResult(), []
    for index, item in enumerate(items):
        nip = str(item.get("nip") or "").strip()
        try:
            rows.append(_api_row(nip, item, employees))
        except _Rejected as exc:
            result.rejected.append({"index": index, "nip": nip, "reason": str(exc)})
    ingested = punches_ingest(city=city, rows=rows, source=PunchSource.API, actor=actor)
    result.accepted, result.duplicates, result.flagged = ingested.accepted, ingested.duplicates, ingested.flagged
    if ingested.accepted:
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="attendance.punch",
                     object_repr=_("%(count)d rekam kehadiran lewat API") % {"count": ingested.accepted},
                     after={"accepted": result.accepted, "duplicates": result.duplicates,
                            "flagged": result.flagged, "rejected": len(result.rejected)})
    return result


def _api_row(nip: str, item: dict, employees: dict[str, int]) -> PunchRow:
    if not nip:
        raise _Rejected(_("NIP wajib diisi."))
    at = _aware_utc(item.get("at"))
    employee_id = employees.get(nip)
    if employee_id is None:
        raise _Rejected(_("Pegawai dengan NIP %(nip)s tidak ditemukan atau di luar wewenang Anda.") % {"nip": nip})
    source_ref = str(item.get("source_ref") or "").strip()
    if len(source_ref) > API_SOURCE_REF_MAX:
        raise _Rejected(_("source_ref terlalu panjang (maksimal %(max)d karakter).") % {"max": API_SOURCE_REF_MAX})
    return PunchRow(employee_id=employee_id, at=at, note=f"ref: {source_ref}" if source_ref else "")
