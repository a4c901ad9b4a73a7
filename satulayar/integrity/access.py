"""Who may see integrity findings: inspectors and executives (the `inspect` capability), of their own cities.

Every list is built from `findings_for`; `finding_get_for_user` answers 404 for another city's finding."""

from django.db.models import QuerySet
from django.http import Http404

from satulayar.integrity.models import Finding
from satulayar.org import access

INSPECT = "inspect"


def may_review(user) -> bool:
    return access.scope_for(user).can(INSPECT)


def findings_for(user) -> QuerySet[Finding]:
    scope = access.scope_for(user)
    if not scope.can(INSPECT):
        return Finding.objects.none()
    return Finding.objects.filter(city_id__in=scope.city_ids)


def finding_get_for_user(*, user, pk) -> Finding:
    try:
        return findings_for(user).select_related("employee__unit", "unit", "kelurahan").get(pk=pk)
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise Http404(f"integrity finding {pk}") from None
