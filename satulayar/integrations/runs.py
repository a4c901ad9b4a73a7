"""Runs: every pull, push and upload is one run with its counts, reasons, duration and log.

A run maps all its records first and then writes every value in one transaction, so it never leaves
half-written data: a department API that fails on page three, or a database error while writing, leaves the
indicator store as it was. Rows with bad fields are rejected one by one (row, field, reason) while the good
rows of the same run are kept. A failing connector only marks itself failing and retries with backoff; the
others run on (each has its own run and transaction).
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.core.events import event_publish, integrations_channel
from satulayar.core.vault import SecretUnreadable
from satulayar.integrations.choices import ConnectorKind, Health, RunStatus, RunTrigger, UpdateFrequency
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.mapping import Mapper, MapResult, values_combine
from satulayar.integrations.models import Connector, IndicatorValue, Run
from satulayar.integrations.sources import SourceError, rest_fetch, sql_fetch

log = logging.getLogger(__name__)
MAX_REJECTIONS_KEPT = 200


def retry_base_seconds() -> int:
    return int(settings.INTEGRATIONS_RETRY_BASE_SECONDS)


def run_create(*, connector: Connector, trigger: str, actor=None, status: str = RunStatus.RUNNING,
               attempt: int = 1) -> Run:
    started = timezone.now()  # runs take the wall clock for their duration; `now` elsewhere steers the schedule
    return Run.objects.create(connector=connector, trigger=trigger, status=status, attempt=attempt,
                              started_at=started if status == RunStatus.RUNNING else None,
                              created_by=actor if getattr(actor, "is_authenticated", False) else None)


def _error_text(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _finish(run: Run, *, status: str, error: str = "", log_lines: list[str]):
    finished = timezone.now()
    run.status, run.error, run.finished_at = status, error.replace("\x00", ""), finished
    if run.started_at:
        run.duration_ms = max(0, int((finished - run.started_at).total_seconds() * 1000))
    run.log = "\n".join(line for line in [run.log, *log_lines] if line).replace("\x00", "")  # PostgreSQL text
    run.save()


def run_records(*, run: Run, records: list, log_lines: list[str] | None = None, first_row: int = 1,
                mapped: MapResult | None = None, now: dt.datetime | None = None) -> Run:
    """Map the records and write the accepted values in one transaction; the run says what happened."""
    log_lines = list(log_lines or [])
    connector = run.connector
    try:
        if mapped is None:
            mapped = Mapper(city=connector.city, mapping=connector.mapping, now=now).map(records, first_row=first_row)
        values = values_combine(mapped.values)
        run.read_count, run.accepted_count = mapped.read, mapped.accepted_rows
        run.rejected_count = len({r.row for r in mapped.rejections})
        run.rejections = [r.as_dict() for r in mapped.rejections[:MAX_REJECTIONS_KEPT]]
        status, error = _status_for(mapped)
        with transaction.atomic():
            run.values_written = values_upsert(values=values, run=run, now=now)
            log_lines.append(_("%(read)s baris dibaca, %(ok)s diterima, %(bad)s ditolak; %(n)s nilai disimpan.")
                             % {"read": run.read_count, "ok": run.accepted_count, "bad": run.rejected_count,
                                "n": run.values_written})
            _finish(run, status=status, error=error, log_lines=log_lines)
    except (ValidationError, SourceError) as exc:
        return run_fail(run=run, error=_error_text(exc), log_lines=log_lines, now=now)
    except Exception as exc:  # a bug or a database failure: this run fails, the connector and the others go on
        log.exception("integration run %s failed", run.pk)
        return run_fail(run=run, error=_("Kesalahan saat menyimpan, tidak ada yang disimpan: %(e)s") % {"e": exc},
                        log_lines=log_lines, now=now)
    connector_after_run(connector=connector, run=run, now=now)
    return run


def _status_for(mapped: MapResult) -> tuple[str, str]:
    if mapped.rejections and not mapped.values:
        first = mapped.rejections[0]
        where = _("baris %(row)s") % {"row": first.row}
        if first.field:
            where += _(", kolom '%(field)s'") % {"field": first.field}
        return RunStatus.FAILED, _("Semua %(n)s baris ditolak. Pertama: %(where)s: %(reason)s.") % {
            "n": mapped.read, "where": where, "reason": first.reason}
    if mapped.rejections:
        return RunStatus.PARTIAL, ""
    return RunStatus.SUCCESS, ""


def values_upsert(*, values, run: Run, now: dt.datetime | None = None) -> int:
    """Insert or update one row per (indicator, period, dimension); the same record twice stays one value."""
    now = now or timezone.now()
    rows = [IndicatorValue(indicator=v.indicator, period=v.period, dimension=v.dimension,
                           dimension_label=v.dimension_label, value=v.value, run=run, updated_at=now) for v in values]
    IndicatorValue.objects.bulk_create(rows, batch_size=500, update_conflicts=True,
                                       unique_fields=["indicator", "period", "dimension"],
                                       update_fields=["value", "dimension_label", "run", "updated_at"])
    return len(rows)


def run_fail(*, run: Run, error: str, log_lines: list[str] | None = None, transient: bool = False,
             now: dt.datetime | None = None) -> Run:
    run.values_written = 0
    _finish(run, status=RunStatus.FAILED, error=error, log_lines=[*(log_lines or []), error])
    connector_after_run(connector=run.connector, run=run, transient=transient, now=now)
    return run


def connector_after_run(*, connector: Connector, run: Run, transient: bool = False,
                        now: dt.datetime | None = None) -> None:
    """The connector's health and next run after `run`: backoff 1, 2, 4, … × the base after a transient failure."""
    now = now or timezone.now()
    changes = {"last_run_at": now}
    scheduled = ConnectorKind(connector.kind).scheduled
    if run.status in (RunStatus.SUCCESS, RunStatus.PARTIAL):
        changes.update(last_success_at=now, last_error="", consecutive_failures=0, retry_attempt=0)
        if scheduled:
            changes["next_run_at"] = now + dt.timedelta(minutes=connector.schedule_minutes)
    elif run.status == RunStatus.FAILED:
        connector.refresh_from_db(fields=["consecutive_failures", "retry_attempt"])
        changes.update(last_error=run.error[:2000], consecutive_failures=connector.consecutive_failures + 1)
        if scheduled and transient and connector.retry_attempt < connector.max_retries:
            delay = min(retry_base_seconds() * 2 ** connector.retry_attempt, connector.schedule_minutes * 60)
            changes.update(retry_attempt=connector.retry_attempt + 1, next_run_at=now + dt.timedelta(seconds=delay))
        elif scheduled:
            changes.update(retry_attempt=0, next_run_at=now + dt.timedelta(minutes=connector.schedule_minutes))
    Connector.objects.filter(pk=connector.pk).update(**changes)
    for name, value in changes.items():
        setattr(connector, name, value)
    event_publish(channel=integrations_channel(connector.city_id), kind="integration.run", data={
        "connector": connector.pk, "run": run.pk, "status": run.status, "accepted": run.accepted_count,
        "rejected": run.rejected_count, "health": connector_health(connector, now=now)})


def connector_pull(*, connector: Connector, trigger: str = RunTrigger.MANUAL, actor=None,
                   now: dt.datetime | None = None) -> Run:
    """Run a REST or SQL connector now: fetch everything, then map and write it as one run."""
    attempt = connector.retry_attempt + 1 if trigger == RunTrigger.RETRY else 1
    run = run_create(connector=connector, trigger=trigger, actor=actor, attempt=attempt)
    started = time.monotonic()
    try:
        fetched = source_fetch(connector=connector)
    except SourceError as exc:
        return run_fail(run=run, error=str(exc), transient=exc.transient, now=now)
    except Exception as exc:
        log.exception("integration fetch %s failed", connector.pk)
        return run_fail(run=run, error=_("Kesalahan tak terduga saat mengambil data: %(e)s") % {"e": exc}, now=now)
    fetched.log.append(_("Pengambilan selesai dalam %(ms)s ms.") % {"ms": int((time.monotonic() - started) * 1000)})
    return run_records(run=run, records=fetched.records, log_lines=fetched.log, now=now)


def source_fetch(*, connector: Connector, sample: bool = False, config: dict | None = None,
                 secret: dict | None = None, auth_kind: str | None = None, mapping: dict | None = None):
    """The connector's records (or a first sample for a preview, with unsaved settings from its form)."""
    config = connector.config if config is None else config
    if secret is None:
        try:
            secret = secret_open(connector.secret)
        except SecretUnreadable as exc:
            raise SourceError(str(exc)) from None
    mapping = connector.mapping if mapping is None else mapping
    if connector.kind == ConnectorKind.REST:
        return rest_fetch(config=config, auth_kind=auth_kind or connector.auth_kind, secret=secret,
                          records_path=(mapping or {}).get("records", ""), sample=sample)
    if connector.kind == ConnectorKind.SQL:
        if not secret.get("dsn"):
            raise SourceError(_("DSN basis data belum diisi."))
        return sql_fetch(dsn=secret["dsn"], query=config.get("query", ""), sample=sample)
    raise SourceError(_("Sumber data jenis ini tidak ditarik; datanya dikirim atau diunggah."))


def connectors_run_due(*, now: dt.datetime | None = None) -> list[Run]:
    """Every active scheduled connector whose time has come, each in its own run (a failure stops no other)."""
    now = now or timezone.now()
    due = Connector.objects.filter(active=True, kind__in=[ConnectorKind.REST, ConnectorKind.SQL]).filter(
        next_run_at__lte=now) | Connector.objects.filter(active=True, kind__in=[ConnectorKind.REST, ConnectorKind.SQL],
                                                          next_run_at__isnull=True)
    runs = []
    for connector in due.select_related("city").order_by("next_run_at", "pk"):
        trigger = RunTrigger.RETRY if connector.retry_attempt else RunTrigger.SCHEDULE
        try:
            runs.append(connector_pull(connector=connector, trigger=trigger, now=now))
        except Exception:
            log.exception("scheduled run of connector %s failed", connector.pk)
    return runs


def runs_interrupted_close(*, now: dt.datetime | None = None) -> int:
    """Scheduled runs left "running" by a worker that was stopped mid-run are closed as failed.

    Only the connectors tick starts scheduled runs and it holds a single-run lock, so when it starts none of
    them can still be alive; the connector's next_run_at was never moved, so the tick pulls it again.
    """
    return Run.objects.filter(status=RunStatus.RUNNING, trigger__in=[RunTrigger.SCHEDULE, RunTrigger.RETRY]).update(
        status=RunStatus.FAILED, finished_at=now or timezone.now(),
        error=_("Terputus: worker berhenti di tengah proses; dijalankan ulang pada giliran berikutnya."))


def stale_after(connector: Connector) -> dt.timedelta:
    if ConnectorKind(connector.kind).scheduled:
        return dt.timedelta(minutes=2 * connector.schedule_minutes + 15)
    return dt.timedelta(minutes=UpdateFrequency(connector.update_frequency).stale_after_minutes)


def connector_health(connector: Connector, *, now: dt.datetime | None = None) -> str:
    """failing: its last run failed; stale: no success within its expected interval; fresh otherwise."""
    now = now or timezone.now()
    if connector.consecutive_failures:
        return Health.FAILING
    if connector.last_success_at is None or now - connector.last_success_at > stale_after(connector):
        return Health.STALE
    return Health.FRESH
