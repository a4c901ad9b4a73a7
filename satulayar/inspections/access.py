"""Who may see and do what in a sidak (built on org.access).

Inspectors and executives hold the `inspect` capability: they start inspections of units in their scope,
mark, see open inspections and every report. Nobody else sees an open inspection: the unit must not be
tipped off. After closing, a unit admin (and the head of a unit) sees only the findings assigned to their
units, and updates their follow-up.
"""

from django.db.models import QuerySet
from django.http import Http404

from satulayar.inspections.choices import InspectionStatus
from satulayar.inspections.models import Finding, Inspection
from satulayar.org import access
from satulayar.org.choices import Role
from satulayar.org.models import subtree_q

INSPECT = "inspect"


def may_inspect(user) -> bool:
    return access.scope_for(user).can(INSPECT)


def inspections_for(user) -> QuerySet[Inspection]:
    """Every inspection of the user's cities for inspectors and executives; none for anyone else."""
    scope = access.scope_for(user)
    if not scope.can(INSPECT):
        return Inspection.objects.none()
    inspections = Inspection.objects.filter(city_id__in=scope.city_ids)
    if scope.city_wide:
        return inspections
    return inspections.filter(units__in=access.units_for(user)).distinct()


def inspection_get_for_user(*, user, pk) -> Inspection:
    try:
        return inspections_for(user).select_related("city", "lead", "signed_by").get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404(f"inspection {pk}") from None


def follow_up_paths(user) -> list[str]:
    """The unit subtrees whose assigned findings the user follows up: administered or headed units."""
    scope = access.scope_for(user)
    paths = list(scope.unit_paths) if Role.UNIT_ADMIN in scope.roles else []
    return sorted(set(paths + [unit.path for unit in access.headed_units(user)]))


def findings_for(user) -> QuerySet[Finding]:
    """Findings of closed inspections: all of them for inspectors and executives, the ones assigned to
    their units for unit admins and unit heads."""
    findings = Finding.objects.filter(inspection__status=InspectionStatus.CLOSED)
    scope = access.scope_for(user)
    if not scope.is_authenticated:
        return findings.none()
    if scope.can(INSPECT):
        return findings.filter(inspection__city_id__in=scope.city_ids)
    return findings.filter(subtree_q(follow_up_paths(user), via="assigned_unit"), assigned_unit__isnull=False)


def finding_get_for_user(*, user, pk) -> Finding:
    try:
        return findings_for(user).select_related("inspection", "employee", "unit", "assigned_unit").get(pk=pk)
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise Http404(f"finding {pk}") from None


def may_see_follow_ups(user) -> bool:
    """The follow-up page: inspectors, anyone managing employees (they may have none assigned), unit heads."""
    scope = access.scope_for(user)
    return scope.can(INSPECT) or scope.can("manage_employees") or bool(follow_up_paths(user))
