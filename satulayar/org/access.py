"""The one place that decides what a user may see and do.

Every page, API endpoint and admin screen asks here: `scope_for(user)` says which roles the
user holds and where; the `*_for(user)` querysets are the only way lists are built, and the
`*_get_for_user` helpers answer 404 for anything outside the user's scope.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from satulayar.org.choices import Role
from satulayar.org.models import City, Employee, Kecamatan, Kelurahan, RoleAssignment, Site, Unit, subtree_q

CITY_WIDE_ROLES = {Role.EXECUTIVE, Role.COMMAND_CENTRE, Role.INSPECTOR, Role.HR_ADMIN}

CAPABILITIES: dict[str, set[str]] = {
    Role.EXECUTIVE: {"view_units", "view_employees", "view_regions", "view_audit", "view_integrations", "inspect"},
    # The command centre shows attendance rates on the wall, never who is late or absent.
    Role.COMMAND_CENTRE: {"view_units", "view_regions", "view_integrations", "view_attendance_rates"},
    Role.INSPECTOR: {"view_units", "view_employees", "view_regions", "view_audit", "inspect"},
    Role.HR_ADMIN: {"view_units", "view_employees", "view_regions", "view_audit", "manage_employees",
                    "manage_units", "manage_roles", "view_nik", "use_admin"},
    Role.UNIT_ADMIN: {"view_units", "view_employees", "view_regions", "view_audit", "manage_employees",
                      "use_admin"},
    Role.KELURAHAN_OFFICER: {"view_units", "view_employees", "view_regions"},
    Role.EMPLOYEE: {"view_self"},
    Role.INTEGRATION_ADMIN: {"view_integrations", "manage_integrations"},
}
ALL_CAPABILITIES = set().union(*CAPABILITIES.values())


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    capabilities: frozenset[str] = frozenset()
    city_wide: bool = False
    unit_paths: tuple[str, ...] = ()  # subtrees the user administers or serves
    kelurahan_ids: tuple[int, ...] = ()
    employee_id: int | None = None
    city_ids: tuple[int, ...] = field(default=())

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Scope(user_id=None)


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_satulayar_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    user._satulayar_scope = scope
    return scope


def _build_scope(user) -> Scope:
    roles, caps, paths, kelurahan_ids, city_ids = set(), set(), [], [], set()
    city_wide = False
    if user.is_superuser:
        roles.add(Role.HR_ADMIN)
        caps |= ALL_CAPABILITIES
        city_wide = True
        city_ids |= set(City.objects.values_list("id", flat=True))
    for assignment in RoleAssignment.objects.filter(user=user).select_related("unit"):
        roles.add(assignment.role)
        caps |= CAPABILITIES[assignment.role]
        city_ids.add(assignment.city_id)
        if assignment.role in CITY_WIDE_ROLES:
            city_wide = True
        elif assignment.unit_id:
            paths.append(assignment.unit.path)
        elif assignment.kelurahan_id:
            kelurahan_ids.append(assignment.kelurahan_id)
            paths += Unit.objects.filter(kelurahan_id=assignment.kelurahan_id).values_list("path", flat=True)
    employee = Employee.objects.filter(user=user, active=True).only("id", "unit__city_id").select_related(
        "unit").first()
    if employee:
        roles.add(Role.EMPLOYEE)
        caps |= CAPABILITIES[Role.EMPLOYEE]
        city_ids.add(employee.unit.city_id)
    return Scope(
        user_id=user.pk, roles=frozenset(roles), capabilities=frozenset(caps), city_wide=city_wide,
        unit_paths=tuple(sorted(set(paths))), kelurahan_ids=tuple(kelurahan_ids),
        employee_id=employee.pk if employee else None, city_ids=tuple(sorted(city_ids)),
    )


def headed_units(user) -> list[Unit]:
    """The units the user's employee record heads (Unit.head): they lead those subtrees (leave, follow-ups)."""
    own = scope_for(user).employee_id
    if own is None:
        return []
    return list(Unit.objects.filter(head_id=own))


def units_for(user) -> QuerySet[Unit]:
    scope = scope_for(user)
    units = Unit.objects.filter(city_id__in=scope.city_ids)
    if scope.city_wide:
        return units
    q = subtree_q(scope.unit_paths)
    if scope.employee_id:
        q |= Q(employees=scope.employee_id)
    return units.filter(q).distinct()


def employees_for(user) -> QuerySet[Employee]:
    scope = scope_for(user)
    employees = Employee.objects.filter(unit__city_id__in=scope.city_ids)
    if scope.city_wide and scope.can("view_employees"):
        return employees
    q = subtree_q(scope.unit_paths, via="unit") if scope.can("view_employees") else Q(pk__in=[])
    if scope.employee_id:
        q |= Q(pk=scope.employee_id)
    return employees.filter(q)


def attendance_employees_for(user) -> QuerySet[Employee]:
    """Employees counted in the attendance rates the user may see: everyone they may see, and for a city-wide role
    holding only `view_attendance_rates` the whole city (counted, never named)."""
    scope = scope_for(user)
    if scope.city_wide and scope.can("view_attendance_rates") and not scope.can("view_employees"):
        return Employee.objects.filter(unit__city_id__in=scope.city_ids)
    return employees_for(user)


def kelurahan_for(user) -> QuerySet[Kelurahan]:
    scope = scope_for(user)
    kelurahan = Kelurahan.objects.filter(kecamatan__city_id__in=scope.city_ids)
    if scope.city_wide:
        return kelurahan
    office_kelurahan = Unit.objects.subtree(scope.unit_paths).filter(kelurahan__isnull=False).values("kelurahan")
    return kelurahan.filter(Q(pk__in=scope.kelurahan_ids) | Q(pk__in=office_kelurahan))


def kecamatan_for(user) -> QuerySet[Kecamatan]:
    scope = scope_for(user)
    if scope.city_wide:
        return Kecamatan.objects.filter(city_id__in=scope.city_ids)
    return Kecamatan.objects.filter(pk__in=kelurahan_for(user).values("kecamatan"))


def sites_for(user) -> QuerySet[Site]:
    scope = scope_for(user)
    sites = Site.objects.filter(city_id__in=scope.city_ids)
    if scope.city_wide:
        return sites
    return sites.filter(Q(unit__in=units_for(user)) | Q(kelurahan__in=kelurahan_for(user)))


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"{queryset.model._meta.verbose_name} {pk}") from None


def employee_get_for_user(*, user, pk) -> Employee:
    return _get_or_404(employees_for(user).select_related("unit"), pk)


def unit_get_for_user(*, user, pk) -> Unit:
    return _get_or_404(units_for(user), pk)


def kelurahan_get_for_user(*, user, pk) -> Kelurahan:
    return _get_or_404(kelurahan_for(user).select_related("kecamatan"), pk)


def can_manage_employee(user, employee: Employee) -> bool:
    scope = scope_for(user)
    if not scope.can("manage_employees"):
        return False
    return scope.city_wide or any(employee.unit.path.startswith(p) for p in scope.unit_paths)


def can_place_in_unit(user, unit: Unit) -> bool:
    """May the user put an employee into (or create a sub-unit under) this unit?"""
    scope = scope_for(user)
    return scope.city_wide or any(unit.path.startswith(p) for p in scope.unit_paths)
