"""Webhook push: a department app POSTs JSON to /integrasi/webhook/<key>/, signed with the connector's secret.

    X-Satulayar-Timestamp: 1796000000            (Unix seconds, when it was sent)
    X-Satulayar-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

A request is refused, with the reason and without touching any data, when it is too large, when its timestamp is
outside the tolerance (default five minutes either way), when its signature does not match, or when the same
signature was already accepted (a replay). Signatures are kept for twice the tolerance, so a replay is refused
either as seen or as too old.
"""

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.integrations.choices import ConnectorKind, RunStatus, RunTrigger
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.mapping import records_at
from satulayar.integrations.models import Connector, WebhookReceipt
from satulayar.integrations.runs import run_create, run_fail, run_records

SIGNATURE_HEADER = "X-Satulayar-Signature"
TIMESTAMP_HEADER = "X-Satulayar-Timestamp"


def tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "INTEGRATIONS_WEBHOOK_TOLERANCE_SECONDS", 300)))


def max_body_bytes() -> int:
    return int(getattr(settings, "INTEGRATIONS_WEBHOOK_MAX_BYTES", 256 * 1024))


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_sign(*, secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_headers(*, secret: str, body: bytes, timestamp: int | None = None) -> dict:
    """The headers a sender adds (used by the demo department apps and the tests)."""
    timestamp = int(timezone.now().timestamp()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: webhook_sign(secret=secret, body=body,
                                                                             timestamp=timestamp)}


@dataclass
class WebhookOutcome:
    status_code: int
    detail: str
    run_id: int | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"detail": self.detail, "run": self.run_id, **self.extra}


def _refuse(connector: Connector, status_code: int, reason: str, now: dt.datetime) -> WebhookOutcome:
    run = run_create(connector=connector, trigger=RunTrigger.WEBHOOK)
    run.status, run.error, run.finished_at, run.log = RunStatus.REFUSED, reason, now, reason
    run.duration_ms = 0
    run.save()
    return WebhookOutcome(status_code, reason, run.pk)


def webhook_receive(*, key: str, body: bytes | None, timestamp: str, signature: str, too_large: bool = False,
                    now: dt.datetime | None = None) -> WebhookOutcome:
    """Verify and ingest one push. `body` is None when the request was larger than the limit."""
    now = now or timezone.now()
    connector = Connector.objects.select_related("city").filter(webhook_key=key, kind=ConnectorKind.WEBHOOK,
                                                                active=True).first()
    if connector is None:
        return WebhookOutcome(404, _("Webhook tidak dikenal atau tidak aktif."))
    if too_large or body is None:
        return _refuse(connector, 413, _("Kiriman lebih besar dari batas %(n)s bita; tidak diproses.")
                       % {"n": max_body_bytes()}, now)
    try:
        sent_at = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return _refuse(connector, 401, _("Header %(h)s tidak ada atau bukan detik Unix.") % {"h": TIMESTAMP_HEADER},
                       now)
    if abs(now - sent_at) > tolerance():
        return _refuse(connector, 401, _("Stempel waktu kiriman %(t)s di luar toleransi %(s)s detik; kiriman lama "
                                         "atau jam pengirim salah.") % {"t": sent_at.isoformat(),
                                                                       "s": int(tolerance().total_seconds())}, now)
    secret = secret_open(connector.secret).get("webhook_secret", "")
    expected = webhook_sign(secret=secret, body=body, timestamp=int(timestamp)) if secret else ""
    if not secret or not hmac.compare_digest(expected, (signature or "").strip()):
        return _refuse(connector, 401, _("Tanda tangan %(h)s tidak cocok dengan rahasia sumber data ini.")
                       % {"h": SIGNATURE_HEADER}, now)
    if not _receipt_keep(connector=connector, signature=expected, now=now):
        return _refuse(connector, 409, _("Kiriman ulang (replay): tanda tangan ini sudah pernah diterima."), now)
    return _ingest(connector=connector, body=body, now=now)


def _receipt_keep(*, connector: Connector, signature: str, now: dt.datetime) -> bool:
    WebhookReceipt.objects.filter(connector=connector, received_at__lt=now - 2 * tolerance()).delete()
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(connector=connector, signature=signature.removeprefix("sha256="),
                                          received_at=now)
    except IntegrityError:
        return False
    return True


def _ingest(*, connector: Connector, body: bytes, now: dt.datetime) -> WebhookOutcome:
    run = run_create(connector=connector, trigger=RunTrigger.WEBHOOK)
    try:
        payload = json.loads(body)
        records = records_at(payload, (connector.mapping or {}).get("records", ""))
    except (UnicodeDecodeError, json.JSONDecodeError):
        run = run_fail(run=run, error=_("Isi kiriman bukan JSON yang sah."), now=now)
        return WebhookOutcome(422, run.error, run.pk)
    except Exception as exc:
        run = run_fail(run=run, error=" ".join(getattr(exc, "messages", [str(exc)])), now=now)
        return WebhookOutcome(422, run.error, run.pk)
    run = run_records(run=run, records=records, log_lines=[_("Kiriman %(n)s bita.") % {"n": len(body)}], now=now)
    code = 422 if run.status == RunStatus.FAILED else 200
    return WebhookOutcome(code, run.error or run.get_status_display(), run.pk, {
        "read": run.read_count, "accepted": run.accepted_count, "rejected": run.rejected_count,
        "rejections": run.rejections[:20]})
