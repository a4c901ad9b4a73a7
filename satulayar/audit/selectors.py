from django.db.models import Q, QuerySet

from satulayar.audit.models import AuditEntry
from satulayar.org.access import scope_for
from satulayar.org.models import subtree_q


def audit_entries_for(*, user, action: str = "", object_type: str = "", actor: str = "", q: str = "",
                      since=None, until=None) -> QuerySet[AuditEntry]:
    """City-wide auditors see everything; a unit admin sees entries about their subtree."""
    scope = scope_for(user)
    entries = AuditEntry.objects.all()
    if not scope.can("view_audit"):
        return entries.none()
    if not scope.city_wide:
        entries = entries.filter(subtree_q(scope.unit_paths, field="unit_path"))
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if q:
        entries = entries.filter(Q(object_repr__icontains=q) | Q(note__icontains=q) | Q(object_id=q))
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return entries
