from django.contrib import admin

from satulayar.audit.models import AuditEntry
from satulayar.audit.selectors import audit_entries_for
from satulayar.core.admin import ScopedAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    view_capability = "view_audit"
    manage_capability = "nobody"
    list_display = ["at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label", "object_id"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return audit_entries_for(user=request.user)
