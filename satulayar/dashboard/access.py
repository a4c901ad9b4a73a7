"""Who may see the one screen and its alerts, and who may change the alert rules (built on org.access).

Everyone with `view_units` opens the overview, each seeing their own part: the city-wide roles the whole city,
a department head (unit admin) their unit and below, a kelurahan officer their kelurahan. Alerts follow the
same lines: an alert about a unit or a kelurahan is seen by whoever sees that unit or kelurahan; alerts about
cameras and connectors without a place are for the city-wide roles.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from satulayar.dashboard.models import Alert, AlertRule
from satulayar.org.access import kelurahan_for, scope_for
from satulayar.org.choices import Role
from satulayar.org.models import subtree_q

RULE_ROLES = {Role.EXECUTIVE, Role.COMMAND_CENTRE, Role.HR_ADMIN}


def can_manage_rules(user) -> bool:
    scope = scope_for(user)
    return scope.city_wide and bool(scope.roles & RULE_ROLES)


def alerts_for(user) -> QuerySet[Alert]:
    scope = scope_for(user)
    alerts = Alert.objects.filter(city_id__in=scope.city_ids)
    if not scope.can("view_units"):
        return alerts.none()
    if scope.city_wide:
        return alerts
    return alerts.filter(Q(kelurahan__in=kelurahan_for(user)) | subtree_q(scope.unit_paths, via="unit"))


def rules_for(user) -> QuerySet[AlertRule]:
    scope = scope_for(user)
    return AlertRule.objects.filter(city_id__in=scope.city_ids) if can_manage_rules(user) else AlertRule.objects.none()


def alert_get_for_user(*, user, pk) -> Alert:
    try:
        return alerts_for(user).select_related("rule").get(pk=pk)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404(f"alert {pk}") from None


def rule_get_for_user(*, user, pk) -> AlertRule:
    try:
        return rules_for(user).get(pk=pk)
    except (AlertRule.DoesNotExist, ValueError, TypeError):
        raise Http404(f"alert rule {pk}") from None
