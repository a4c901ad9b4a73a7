"""Who may see which camera, and who may change cameras (built on org.access).

A camera lists the roles that may view it (default: executives, the command centre, and the kelurahan officer
and unit admins of its site). City-wide roles in that list see the camera anywhere in their city; a
kelurahan officer or unit admin only at sites in their own scope. Everyone else is refused: a page or a
picture answers 403 and the attempt goes into the audit log (see views.camera_for_viewer).
"""

from django.db.models import Q, QuerySet

from satulayar.cctv.choices import UNBLURRED_ROLES
from satulayar.cctv.models import Camera
from satulayar.org.access import CITY_WIDE_ROLES, scope_for, sites_for
from satulayar.org.choices import Role

MANAGER_ROLES = {Role.COMMAND_CENTRE, Role.UNIT_ADMIN}


def _role_q(role: str) -> Q:
    return Q(viewer_roles__contains=f",{role},")


def cameras_for(user) -> QuerySet[Camera]:
    scope = scope_for(user)
    cameras = Camera.objects.filter(city_id__in=scope.city_ids)
    if user is not None and user.is_active and user.is_superuser:
        return cameras
    q = Q(pk__in=[])
    for role in scope.roles & CITY_WIDE_ROLES:
        q |= _role_q(role)
    local = scope.roles - CITY_WIDE_ROLES - {Role.EMPLOYEE}
    if local:
        role_q = Q(pk__in=[])
        for role in local:
            role_q |= _role_q(role)
        q |= role_q & Q(site__in=sites_for(user))
    return cameras.filter(q)


def can_view(user, camera: Camera) -> bool:
    return cameras_for(user).filter(pk=camera.pk).exists()


def cameras_managed_by(user) -> QuerySet[Camera]:
    """Cameras the user may register, edit, and draw zones and privacy regions on."""
    scope = scope_for(user)
    cameras = Camera.objects.filter(city_id__in=scope.city_ids)
    if (user is not None and user.is_active and user.is_superuser) or Role.COMMAND_CENTRE in scope.roles:
        return cameras
    if Role.UNIT_ADMIN in scope.roles:
        return cameras.filter(site__in=sites_for(user))
    return cameras.none()


def can_manage(user, camera: Camera | None = None) -> bool:
    if camera is None:
        scope = scope_for(user)
        return bool((user.is_active and user.is_superuser) or scope.roles & MANAGER_ROLES)
    return cameras_managed_by(user).filter(pk=camera.pk).exists()


def sees_unblurred(user) -> bool:
    """Executives and the command centre see frames as they are; other viewers with the privacy regions blurred."""
    return bool((user.is_active and user.is_superuser) or scope_for(user).roles & UNBLURRED_ROLES)
