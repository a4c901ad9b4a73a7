"""Writes of the integration hub: connectors, indicators and API clients. Atomic, validated, audited; only the
integration admin (or the system, actor=None) may call them."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import event_publish, integrations_channel
from satulayar.core.vault import SecretUnreadable
from satulayar.integrations.access import require_manage
from satulayar.integrations.choices import ApiScope, ConnectorKind
from satulayar.integrations.crypto import secret_open, secret_seal
from satulayar.integrations.mapping import mapping_validate
from satulayar.integrations.models import ApiClient, Connector, Indicator
from satulayar.integrations.sources import SourceError, query_check
from satulayar.integrations.webhook import webhook_secret_new

CONNECTOR_FIELDS = ("name", "kind", "department", "description", "licence", "update_frequency", "auth_kind",
                    "schedule_minutes", "max_retries", "active")
INDICATOR_FIELDS = ("code", "name", "unit_of_measure", "owner", "aggregation", "granularity", "dimension_kind",
                    "public", "description", "licence", "update_frequency")


def _check_config(kind: str, config: dict) -> None:
    if kind == ConnectorKind.SQL:
        try:
            query_check(config.get("query", ""))
        except SourceError as exc:
            raise ValidationError({"query": str(exc)}) from None
    if kind == ConnectorKind.REST and not str(config.get("url", "")).startswith(("http://", "https://")):
        raise ValidationError({"url": _("Alamat API harus diawali http:// atau https://.")})


@transaction.atomic
def connector_save(*, actor, city, fields: dict, config: dict, secret: dict, mapping: dict,
                   connector: Connector | None = None) -> tuple[Connector, str]:
    """Create or change a connector. Secret values left empty keep the stored ones. Returns the connector and, for
    a new webhook connector, its signing secret (shown once)."""
    require_manage(actor)
    creating = connector is None
    connector = connector or Connector(city=city, created_by=actor if getattr(actor, "is_authenticated", False)
                                       else None)
    before = None if creating else snapshot(connector)
    for name in CONNECTOR_FIELDS:
        if name in fields:
            setattr(connector, name, fields[name])
    if connector.department.city_id != city.pk:
        raise ValidationError({"department": _("Perangkat daerah berada di luar kota ini.")})
    _check_config(connector.kind, config)
    connector.config = config
    connector.mapping = mapping_validate(city=city, mapping=mapping) if mapping else {}
    if connector.kind != ConnectorKind.UPLOAD and not connector.mapping:
        raise ValidationError(_("Pemetaan belum menyebut indikator dan kolom nilainya."))
    new_webhook_secret = _secrets_merge(connector, secret)
    if creating or connector.next_run_at is None:
        connector.next_run_at = timezone.now() if ConnectorKind(connector.kind).scheduled else None
    connector.full_clean(exclude=["secret", "created_by"])
    connector.save()
    audit_record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, obj=connector,
                 unit_path=connector.department.path, before=before, after=snapshot(connector))
    _connector_saved(connector, "created" if creating else "updated")
    return connector, new_webhook_secret


def _secrets_merge(connector: Connector, secret: dict) -> str:
    """Seal the form's new secrets over the stored ones; the new webhook secret, if one was made. Stored secrets that
    no key opens are replaced only by what the admin enters again, and otherwise kept as they are (still shown as
    unreadable), never silently emptied."""
    given = {k: v for k, v in secret.items() if v}
    try:
        stored = secret_open(connector.secret)
    except SecretUnreadable:
        if not given:
            return ""
        stored = {}
    stored.update(given)
    new_webhook_secret = ""
    if connector.kind == ConnectorKind.WEBHOOK and not stored.get("webhook_secret"):
        new_webhook_secret = stored["webhook_secret"] = webhook_secret_new()
    connector.secret = secret_seal(stored)
    return new_webhook_secret


def connector_secret_problem(connector: Connector) -> str:
    """Why the connector's stored secrets cannot be used ('' when they can): shown on its pages."""
    try:
        secret_open(connector.secret)
    except SecretUnreadable as exc:
        return str(exc)
    return ""


@transaction.atomic
def connector_webhook_secret_rotate(*, actor, connector: Connector) -> str:
    require_manage(actor)
    try:
        stored = secret_open(connector.secret)
    except SecretUnreadable:
        stored = {}  # a new signing secret is the way out; the other secrets are entered again on the form
    stored["webhook_secret"] = webhook_secret_new()
    connector.secret = secret_seal(stored)
    connector.save(update_fields=["secret"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=connector, note=_("Rahasia webhook diganti"))
    _connector_saved(connector, "webhook_secret")
    return stored["webhook_secret"]


def _connector_saved(connector: Connector, what: str) -> None:
    event_publish(channel=integrations_channel(connector.city_id), kind="connector.saved",
                  data={"connector": connector.pk, "kind": connector.kind, "what": what})


@transaction.atomic
def indicator_save(*, actor, city, fields: dict, indicator: Indicator | None = None) -> Indicator:
    require_manage(actor)
    creating = indicator is None
    indicator = indicator or Indicator(city=city)
    before = None if creating else snapshot(indicator)
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(indicator, name, fields[name])
    if indicator.owner.city_id != city.pk:
        raise ValidationError({"owner": _("Perangkat daerah berada di luar kota ini.")})
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    if Indicator.objects.filter(city=city, code=indicator.code).exclude(pk=indicator.pk).exists():
        raise ValidationError({"code": _("Kode indikator '%(code)s' sudah dipakai.") % {"code": indicator.code}})
    indicator.save()
    audit_record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, obj=indicator,
                 unit_path=indicator.owner.path, before=before, after=snapshot(indicator))
    event_publish(channel=integrations_channel(city), kind="indicator.saved",
                  data={"indicator": indicator.pk, "code": indicator.code})
    return indicator


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_client_create(*, actor, city, name: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """A new client and its token, which is shown this once: only its SHA-256 is kept."""
    require_manage(actor)
    unknown = set(scopes) - set(ApiScope.values)
    if unknown or not scopes:
        raise ValidationError({"scopes": _("Pilih setidaknya satu cakupan yang dikenal.")})
    prefix = secrets.token_hex(4)
    token = f"sl_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient(city=city, name=name.strip(), scopes=sorted(scopes), token_prefix=prefix,
                       token_hash=token_hash(token), created_by=actor if getattr(actor, "is_authenticated", False)
                       else None)
    client.full_clean()
    client.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=client, after=snapshot(client))
    _client_saved(client)
    return client, token


@transaction.atomic
def api_client_set_active(*, actor, client: ApiClient, active: bool) -> ApiClient:
    require_manage(actor)
    before = snapshot(client)
    client.active = active
    client.save(update_fields=["active"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=client, before=before, after=snapshot(client))
    _client_saved(client)
    return client


def _client_saved(client: ApiClient) -> None:
    event_publish(channel=integrations_channel(client.city_id), kind="client.saved",
                  data={"client": client.pk, "active": client.active})
