"""Who may see and change the integration hub (built on org.access).

Integration admins (Diskominfotik) configure connectors, indicators and API clients city-wide; executives and the
command centre view connectors, runs and the whole catalogue; everyone else, the public included, sees the
public indicators only.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from satulayar.integrations.models import ApiClient, Connector, Indicator, Run
from satulayar.org.access import scope_for


def can_view(user) -> bool:
    return scope_for(user).can("view_integrations")


def can_manage(user) -> bool:
    return scope_for(user).can("manage_integrations")


def require_manage(user) -> None:
    if user is not None and not can_manage(user):
        raise PermissionDenied(_("Hanya admin integrasi data yang boleh mengubah sumber data."))


def connectors_for(user) -> QuerySet[Connector]:
    scope = scope_for(user)
    if not scope.can("view_integrations"):
        return Connector.objects.none()
    return Connector.objects.filter(city_id__in=scope.city_ids)


def indicators_for(user, *, city=None) -> QuerySet[Indicator]:
    """Every indicator for who may view the hub; the public ones for everyone else (anonymous included)."""
    scope = scope_for(user)
    if scope.can("view_integrations"):
        return Indicator.objects.filter(city_id__in=scope.city_ids)
    indicators = Indicator.objects.filter(public=True)
    return indicators.filter(city=city) if city is not None else indicators


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"{queryset.model._meta.model_name} {pk}") from None


def connector_get_for_user(*, user, pk) -> Connector:
    return _get_or_404(connectors_for(user).select_related("department", "city"), pk)


def run_get_for_user(*, user, pk) -> Run:
    return _get_or_404(Run.objects.filter(connector__in=connectors_for(user)).select_related("connector__city"), pk)


def indicator_get_for_user(*, user, pk) -> Indicator:
    return _get_or_404(indicators_for(user).select_related("owner"), pk)


def api_clients_for(user) -> QuerySet[ApiClient]:
    scope = scope_for(user)
    if not scope.can("manage_integrations"):
        return ApiClient.objects.none()
    return ApiClient.objects.filter(city_id__in=scope.city_ids)
