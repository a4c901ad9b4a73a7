import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from satulayar.audit.selectors import audit_entries_for
from satulayar.org.access import scope_for

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    note: str


@router.get("/entries", response=list[AuditEntryOut], summary="Log audit dalam cakupan pemanggil")
@paginate(PageNumberPagination, page_size=100)
def list_entries(request, action: str = "", object_type: str = "", actor: str = "", q: str = ""):
    if not scope_for(request.user).can("view_audit"):
        raise PermissionDenied(_("Anda tidak berwenang melihat log audit."))
    return audit_entries_for(user=request.user, action=action, object_type=object_type, actor=actor, q=q)
