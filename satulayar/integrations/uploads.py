"""CSV/XLSX upload: store the file, show its columns with a mapping preview, then process it as one run in the
background (Huey), reporting progress the page polls. Rows are mapped in chunks with the progress saved between
chunks; the accepted values are then written in one transaction, as every run is."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.integrations.access import require_manage
from satulayar.integrations.choices import ConnectorKind, RunStatus, RunTrigger
from satulayar.integrations.mapping import Mapper, MapResult, mapping_validate
from satulayar.integrations.models import Connector, Run
from satulayar.integrations.runs import run_create, run_fail, run_records
from satulayar.integrations.sources import SourceError, table_open

CHUNK_ROWS = 500
PREVIEW_ROWS = 8


def max_upload_bytes() -> int:
    return int(settings.INTEGRATIONS_MAX_UPLOAD_BYTES)


def upload_receive(*, actor, connector: Connector, uploaded) -> Run:
    """Keep the uploaded file as a queued run of an upload connector; nothing is read into the store yet."""
    require_manage(actor)
    if connector.kind != ConnectorKind.UPLOAD:
        raise ValidationError(_("Sumber data ini tidak menerima unggahan."))
    suffix = Path(uploaded.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError({"file": _("Berkas harus .csv atau .xlsx, bukan '%(s)s'.") % {"s": suffix or "-"}})
    if uploaded.size > max_upload_bytes():
        raise ValidationError({"file": _("Berkas %(size)s MB melebihi batas %(limit)s MB.") % {
            "size": round(uploaded.size / 1e6, 1), "limit": round(max_upload_bytes() / 1e6, 1)}})
    run = run_create(connector=connector, trigger=RunTrigger.UPLOAD, actor=actor, status=RunStatus.QUEUED)
    run.upload.save(f"{connector.pk}-{run.pk}{suffix}", uploaded, save=True)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run, note=_("Unggah %(name)s") % {"name": uploaded.name})
    return run


def upload_preview(*, run: Run, mapping: dict | None = None) -> dict:
    """The file's columns and first rows, and (with a mapping) what those rows become, or why they are refused."""
    table = table_open(Path(run.upload.path))
    sample = [row for _i, row in zip(range(PREVIEW_ROWS), table.rows, strict=False)]
    preview = {"headers": table.headers, "rows": sample, "total": table.total, "mapped": None, "error": ""}
    if mapping is not None:
        try:
            preview["mapped"] = Mapper(city=run.connector.city, mapping=mapping).map(sample, first_row=2)
        except ValidationError as exc:
            preview["error"] = " ".join(exc.messages)
    return preview


def upload_start(*, actor, run: Run, mapping: dict) -> Run:
    """Save the column mapping on the connector (the next upload starts from it) and queue the processing."""
    require_manage(actor)
    if run.status != RunStatus.QUEUED:
        raise ValidationError(_("Unggahan ini sudah diproses."))
    connector = run.connector
    clean = mapping_validate(city=connector.city, mapping=mapping)
    if clean != connector.mapping:
        before = connector.mapping
        connector.mapping = clean
        connector.save(update_fields=["mapping"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=connector, before={"mapping": before},
                     after={"mapping": clean})
    return run


def upload_process(*, run_id: int, now: dt.datetime | None = None) -> Run:
    run = Run.objects.select_related("connector__city").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        table = table_open(Path(run.upload.path))
        Run.objects.filter(pk=run.pk).update(progress_total=table.total)
        mapper = Mapper(city=run.connector.city, mapping=run.connector.mapping, now=now)
        mapped = MapResult()
        chunk, row_number = [], 2  # row 1 holds the column titles, as a spreadsheet numbers it
        for row in table.rows:
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                row_number = _map_chunk(run, mapper, chunk, row_number, mapped)
                chunk = []
        _map_chunk(run, mapper, chunk, row_number, mapped)
    except (SourceError, ValidationError) as exc:
        return run_fail(run=run, error=" ".join(getattr(exc, "messages", [str(exc)])), now=now)
    run.refresh_from_db(fields=["progress_done", "progress_total"])
    log = [_("Berkas %(name)s.") % {"name": Path(run.upload.name).name}]
    return run_records(run=run, records=[], mapped=mapped, log_lines=log, now=now)


def _map_chunk(run: Run, mapper: Mapper, chunk: list, first_row: int, into: MapResult) -> int:
    if chunk:
        part = mapper.map(chunk, first_row=first_row)
        into.values += part.values
        into.rejections += part.rejections
        into.read += part.read
        Run.objects.filter(pk=run.pk).update(progress_done=into.read)
    return first_row + len(chunk)
