from django.contrib import admin
from django.db import transaction

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.org import access


class ScopedAdmin(admin.ModelAdmin):
    """Admin screens that ask org.access instead of Django's model permissions."""

    view_capability = "view_units"
    manage_capability = "manage_units"

    def _can(self, request, capability):
        return access.scope_for(request.user).can(capability)

    def has_module_permission(self, request):
        return self._can(request, self.view_capability)

    def has_view_permission(self, request, obj=None):
        return self._can(request, self.view_capability)

    def has_add_permission(self, request):
        return self._can(request, self.manage_capability)

    def has_change_permission(self, request, obj=None):
        return self._can(request, self.manage_capability)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history must keep its references

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """Master data edited here is audited like any other write (apps with services override this)."""
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE, obj=obj,
                     before=before, after=snapshot(obj))
