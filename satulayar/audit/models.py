from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satulayar.audit.choices import AuditAction


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEntry(models.Model):
    """Who did what to which record, when, and how it looked before and after. Never changed."""

    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    # No database constraint: entries outlive the accounts that wrote them.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              null=True, blank=True, related_name="+", verbose_name=_("pelaku"))
    actor_label = models.CharField(_("pelaku"), max_length=150)
    action = models.CharField(_("aksi"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("jenis data"), max_length=60, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("data"), max_length=255, blank=True)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("keterangan"), blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("entri audit")
        verbose_name_plural = _("log audit")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
