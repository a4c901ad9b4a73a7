import secrets

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from satulayar.integrations.choices import (
    Aggregation,
    AuthKind,
    ConnectorKind,
    DimensionKind,
    Granularity,
    Licence,
    RunStatus,
    RunTrigger,
    UpdateFrequency,
)
from satulayar.org.models import City, Unit

CODE_VALIDATOR = RegexValidator(r"^[a-z0-9][a-z0-9_\-.]*$", _("Kode berupa huruf kecil, angka, titik, - atau _."))


def webhook_key() -> str:
    return secrets.token_urlsafe(18)


class Indicator(models.Model):
    """A common indicator (Satu Data): what is measured, by whom, how often, and whether it is open data."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("kode"), max_length=60, validators=[CODE_VALIDATOR])
    name = models.CharField(_("nama indikator"), max_length=200)
    unit_of_measure = models.CharField(_("satuan"), max_length=40, blank=True)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="indicators",
                              verbose_name=_("perangkat daerah pemilik"))
    aggregation = models.CharField(_("agregasi"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)
    granularity = models.CharField(_("periode"), max_length=10, choices=Granularity.choices, default=Granularity.DAY)
    dimension_kind = models.CharField(_("rincian"), max_length=10, choices=DimensionKind.choices,
                                      default=DimensionKind.NONE)
    public = models.BooleanField(_("data terbuka"), default=False,
                                 help_text=_("Ditampilkan di halaman data terbuka untuk masyarakat."))
    description = models.TextField(_("deskripsi"), blank=True)
    licence = models.CharField(_("lisensi"), max_length=20, choices=Licence.choices, default=Licence.CC_BY)
    update_frequency = models.CharField(_("frekuensi pemutakhiran"), max_length=10, choices=UpdateFrequency.choices,
                                        default=UpdateFrequency.DAILY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="indicator_code_unique_per_city")]

    def __str__(self):
        return self.name


class Connector(models.Model):
    """One department application plugged in: how its data arrives and how it maps to indicators.

    `config` holds the kind's plain settings (URL, pagination, query, ...); `secret` holds what must stay secret
    (API key, password, token, database DSN, webhook signing secret), Fernet-encrypted (see crypto.py).
    `mapping` is the declarative mapping of a source record to indicator values (see mapping.py).
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="connectors")
    name = models.CharField(_("nama sumber data"), max_length=150)
    kind = models.CharField(_("jenis"), max_length=10, choices=ConnectorKind.choices)
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="connectors",
                                   verbose_name=_("perangkat daerah"))
    description = models.TextField(_("deskripsi"), blank=True)
    licence = models.CharField(_("lisensi"), max_length=20, choices=Licence.choices, default=Licence.CC_BY)
    update_frequency = models.CharField(_("frekuensi pemutakhiran"), max_length=10, choices=UpdateFrequency.choices,
                                        default=UpdateFrequency.DAILY)
    auth_kind = models.CharField(_("autentikasi"), max_length=10, choices=AuthKind.choices, default=AuthKind.NONE)
    config = models.JSONField(default=dict, blank=True)
    secret = models.TextField(blank=True, editable=False)
    mapping = models.JSONField(default=dict, blank=True)
    schedule_minutes = models.PositiveIntegerField(_("jalankan setiap (menit)"), default=60,
                                                   validators=[MinValueValidator(1)])
    max_retries = models.PositiveSmallIntegerField(_("ulangan bila gagal"), default=3)
    active = models.BooleanField(_("aktif"), default=True)
    webhook_key = models.CharField(max_length=40, unique=True, default=webhook_key, editable=False)
    next_run_at = models.DateTimeField(null=True, blank=True)
    retry_attempt = models.PositiveSmallIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("sumber data")
        verbose_name_plural = _("sumber data")
        indexes = [models.Index(fields=["active", "next_run_at"])]

    def __str__(self):
        return self.name

    @property
    def kind_enum(self) -> ConnectorKind:
        return ConnectorKind(self.kind)


class Run(models.Model):
    """One pull, push or upload: what was read, accepted and rejected (with reasons), and how long it took."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("pemicu"), max_length=10, choices=RunTrigger.choices)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    read_count = models.PositiveIntegerField(default=0)
    accepted_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    values_written = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True)  # [{"row": 3, "field": "nilai", "reason": "..."}]
    error = models.TextField(blank=True)
    log = models.TextField(blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    upload = models.FileField(upload_to="integrations/uploads/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proses impor")
        verbose_name_plural = _("proses impor")
        indexes = [models.Index(fields=["connector", "-created_at"])]

    def __str__(self):
        return f"{self.connector} #{self.pk}"

    @property
    def status_enum(self) -> RunStatus:
        return RunStatus(self.status)

    @property
    def progress_pct(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class IndicatorValue(models.Model):
    """One number: an indicator for a period and a dimension (a kelurahan, a unit, a category, or '' for the city).

    Upserted on (indicator, period, dimension), so the same source record twice is one value; `run` is its lineage.
    `period` is the start of the period in the city's zone, stored in UTC.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.DateTimeField()
    dimension = models.CharField(max_length=120, blank=True, default="")
    dimension_label = models.CharField(max_length=200, blank=True, default="")
    value = models.FloatField()
    run = models.ForeignKey(Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="values")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "period", "dimension"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period", "dimension"],
                                               name="indicator_value_unique")]
        indexes = [models.Index(fields=["indicator", "-period"])]

    def __str__(self):
        return f"{self.indicator.code} {self.period:%Y-%m-%d %H:%M} {self.dimension}: {self.value}"


class WebhookReceipt(models.Model):
    """A push already accepted for a connector, by its replay key ("id:<webhook-id>", or "sig:<signature>" for the
    own format, which signs no id): the same key again inside the window is a replay."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=255)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "event_id"], name="webhook_receipt_event_unique")]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self):
        return f"{self.connector_id} {self.event_id[:16]}…"


class ApiClient(models.Model):
    """Another system that reads our aggregates with its own token (shown once; only its hash is kept)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(_("nama sistem"), max_length=150)
    token_prefix = models.CharField(max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("cakupan"), default=list)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("klien API")
        verbose_name_plural = _("klien API")

    def __str__(self):
        return self.name
