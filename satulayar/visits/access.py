"""Who may work a kelurahan front desk, and who may read its numbers (built on org.access).

The public needs no login: it takes tickets, watches the queue display and rates its own ticket by the
ticket's unguessable token only.
"""

from django.db.models import Q, QuerySet

from satulayar.org.access import kelurahan_for, scope_for
from satulayar.org.choices import Role
from satulayar.org.models import Kelurahan, Unit

DESK_ROLES = {Role.KELURAHAN_OFFICER, Role.UNIT_ADMIN}


def kelurahan_for_desk(user) -> QuerySet[Kelurahan]:
    """Kelurahan whose desk the user may operate: a kelurahan officer's own kelurahan, and the kelurahan
    offices inside a unit admin's subtree (a kecamatan admin runs its kelurahan). City-wide roles only view."""
    scope = scope_for(user)
    kelurahan = Kelurahan.objects.filter(kecamatan__city_id__in=scope.city_ids)
    if user is not None and user.is_active and user.is_superuser:
        return kelurahan
    if not scope.roles & DESK_ROLES:
        return kelurahan.none()
    offices = Unit.objects.subtree(scope.unit_paths).filter(kelurahan__isnull=False).values("kelurahan")
    return kelurahan.filter(Q(pk__in=scope.kelurahan_ids) | Q(pk__in=offices))


def kelurahan_for_metrics(user) -> QuerySet[Kelurahan]:
    """Kelurahan whose visit numbers the user may read."""
    return kelurahan_for(user)


def can_operate_desk(user, kelurahan: Kelurahan) -> bool:
    return kelurahan_for_desk(user).filter(pk=kelurahan.pk).exists()
