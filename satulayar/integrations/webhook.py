"""Webhook push: a department app POSTs JSON to /integrasi/webhook/<key>/, signed with the connector's secret, in
either of two formats:

    Standard Webhooks (core.webhooks): webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of
        "<id>.<timestamp>.<body>" keyed on the base64 after whsec_>; any Standard Webhooks library signs it.
    Satu Layar's own:  X-Satulayar-Timestamp: <Unix seconds>
                       X-Satulayar-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

A request is refused, with the reason and without touching any data, when it is too large, when its timestamp is
outside the tolerance (default five minutes either way), when its signature does not match, or when it was already
accepted (a replay). The replay key is the signed message id (webhook-id), so a reading sent again with a new id is
accepted; the own format carries no signed id, so its key is the signature. Keys are kept for twice the tolerance,
so a replay is refused either as seen or as too old.
"""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.core import webhooks as standard
from satulayar.core.vault import SecretUnreadable
from satulayar.integrations.choices import ConnectorKind, RunStatus, RunTrigger
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.mapping import records_at
from satulayar.integrations.models import Connector, WebhookReceipt
from satulayar.integrations.runs import run_create, run_fail, run_records

SIGNATURE_HEADER = "X-Satulayar-Signature"
TIMESTAMP_HEADER = "X-Satulayar-Timestamp"


def tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.INTEGRATIONS_WEBHOOK_TOLERANCE_SECONDS))


def max_body_bytes() -> int:
    return int(settings.INTEGRATIONS_WEBHOOK_MAX_BYTES)


def webhook_secret_new() -> str:
    return standard.secret_new()


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


@dataclass
class Signed:
    """What a push says about itself: the format's timestamp and signature headers, and its replay key."""

    timestamp_header: str
    timestamp: str
    check: Callable[[str], bool]
    replay_key: Callable[[str], str]


def _signed(headers: Mapping, body: bytes) -> Signed:
    if headers.get(standard.SIGNATURE_HEADER):
        msg_id = (headers.get(standard.ID_HEADER) or "").strip()
        timestamp = headers.get(standard.TIMESTAMP_HEADER, "")
        return Signed(standard.TIMESTAMP_HEADER, timestamp,
                      lambda secret: bool(msg_id) and len(msg_id) <= 200 and standard.verify(
                          secret=secret, msg_id=msg_id, timestamp=timestamp, body=body,
                          signatures=headers[standard.SIGNATURE_HEADER]),
                      lambda secret: f"id:{msg_id}")
    timestamp, signature = headers.get(TIMESTAMP_HEADER, ""), (headers.get(SIGNATURE_HEADER) or "").strip()
    expected = lambda secret: webhook_sign(secret=secret, body=body, timestamp=int(timestamp))  # noqa: E731
    return Signed(TIMESTAMP_HEADER, timestamp, lambda secret: hmac.compare_digest(expected(secret), signature),
                  lambda secret: "sig:" + signature.removeprefix("sha256="))


def webhook_receive(*, key: str, body: bytes | None, headers: Mapping, too_large: bool = False,
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
    signed = _signed(headers, body)
    try:
        sent_at = dt.datetime.fromtimestamp(int(signed.timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return _refuse(connector, 401, _("Header %(h)s tidak ada atau bukan detik Unix.")
                       % {"h": signed.timestamp_header}, now)
    if abs(now - sent_at) > tolerance():
        return _refuse(connector, 401, _("Stempel waktu kiriman %(t)s di luar toleransi %(s)s detik; kiriman lama "
                                         "atau jam pengirim salah.") % {"t": sent_at.isoformat(),
                                                                       "s": int(tolerance().total_seconds())}, now)
    try:
        secret = secret_open(connector.secret).get("webhook_secret", "")
    except SecretUnreadable as exc:
        return _refuse(connector, 503, str(exc), now)
    if not secret or not signed.check(secret):
        return _refuse(connector, 401, _("Tanda tangan tidak cocok dengan rahasia sumber data ini."), now)
    if not _receipt_keep(connector=connector, event_id=signed.replay_key(secret), now=now):
        return _refuse(connector, 409, _("Kiriman ulang (replay): pesan ini sudah pernah diterima."), now)
    return _ingest(connector=connector, body=body, now=now)


def _receipt_keep(*, connector: Connector, event_id: str, now: dt.datetime) -> bool:
    WebhookReceipt.objects.filter(connector=connector, received_at__lt=now - 2 * tolerance()).delete()
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(connector=connector, event_id=event_id[:255], received_at=now)
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
