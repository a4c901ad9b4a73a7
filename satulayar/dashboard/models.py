from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from satulayar.dashboard.choices import AlertKind, AlertState
from satulayar.org.models import City, Kelurahan, Unit


class AlertRule(models.Model):
    """A condition watched for the command centre: checked every minute by the worker and on demand."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nama aturan"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=20, choices=AlertKind.choices)
    threshold = models.FloatField(_("ambang"), default=0, validators=[MinValueValidator(0)])
    check_time = models.TimeField(_("diperiksa sejak pukul"), null=True, blank=True,
                                  help_text=_("Untuk kehadiran: hanya pada hari kerja, sejak jam ini (waktu kota)."))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("unit kerja"), help_text=_("Kosong: setiap SKPD."))
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                  help_text=_("Kosong: setiap kelurahan."))
    webhook_url = models.URLField(_("URL webhook"), blank=True,
                                  help_text=_("Opsional: peringatan baru dikirim ke sini sebagai JSON (HTTP POST)."))
    # The Standard Webhooks signing secret (whsec_…), sealed with core.vault; made when a webhook URL is first set.
    webhook_secret = models.TextField(blank=True, editable=False)
    active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("aturan peringatan")
        verbose_name_plural = _("aturan peringatan")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind == AlertKind.ATTENDANCE_LOW and not 0 < self.threshold <= 100:
            errors["threshold"] = gettext("Ambang kehadiran berupa persen, lebih dari 0 sampai 100.")
        if self.kind in (AlertKind.WAIT_LONG, AlertKind.CAMERA_OFFLINE, AlertKind.DWELL_LONG) and self.threshold < 1:
            errors["threshold"] = gettext("Ambang paling kecil 1.")
        if self.unit_id and self.kind != AlertKind.ATTENDANCE_LOW:
            errors["unit"] = gettext("Unit kerja hanya dipakai aturan kehadiran.")
        if self.kelurahan_id and self.kind not in (AlertKind.QUEUE_LONG, AlertKind.WAIT_LONG):
            errors["kelurahan"] = gettext("Kelurahan hanya dipakai aturan antrean.")
        if self.unit_id and self.city_id and self.unit.city_id != self.city_id:
            errors["unit"] = gettext("Unit berada di luar kota ini.")
        if errors:
            raise ValidationError(errors)


class Alert(models.Model):
    """One breach of a rule for one subject (a unit, a kelurahan, a camera, a connector), open until it clears."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    subject = models.CharField(max_length=60)  # "unit:12", "kelurahan:5", "camera:3", "connector:4"
    subject_label = models.CharField(_("subjek"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    message = models.CharField(_("pesan"), max_length=300)
    value = models.FloatField(null=True, blank=True)
    opened_at = models.DateTimeField(_("mulai"), db_index=True)
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("diketahui"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    acknowledged_note = models.CharField(_("catatan"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=300, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("peringatan")
        verbose_name_plural = _("peringatan")
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], condition=Q(resolved_at__isnull=True),
                                               name="alert_one_open_per_rule_subject")]
        indexes = [models.Index(fields=["city", "resolved_at"])]

    def __str__(self):
        return self.message

    @property
    def state(self) -> AlertState:
        if self.resolved_at:
            return AlertState.RESOLVED
        return AlertState.ACKNOWLEDGED if self.acknowledged_at else AlertState.OPEN
