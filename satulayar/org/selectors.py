"""Reads of the organisation, always through the user's scope (org.access)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from satulayar.org import access
from satulayar.org.models import Employee, Kecamatan, Unit, subtree_q


@dataclass(frozen=True)
class OrgSummary:
    units: int
    employees: int
    employees_by_type: dict[str, int]
    kecamatan: int
    kelurahan: int


def org_summary(*, user) -> OrgSummary:
    employees = access.employees_for(user).filter(active=True)
    by_type = dict(employees.values_list("employment_type").annotate(n=Count("id")).order_by())
    return OrgSummary(
        units=access.units_for(user).filter(active=True).count(),
        employees=sum(by_type.values()),
        employees_by_type=by_type,
        kecamatan=access.kecamatan_for(user).count(),
        kelurahan=access.kelurahan_for(user).count(),
    )


def employee_list(*, user, q: str = "", unit_id: int | None = None, include_subunits: bool = True,
                  employment_type: str = "", active: bool | None = True) -> QuerySet[Employee]:
    employees = access.employees_for(user).select_related("unit__parent")
    if q:
        employees = employees.filter(Q(name__icontains=q) | Q(nip__startswith=q) | Q(position__icontains=q))
    if unit_id:
        unit = access.unit_get_for_user(user=user, pk=unit_id)
        employees = employees.filter(subtree_q(unit, via="unit")) if include_subunits else employees.filter(
            unit=unit)
    if employment_type:
        employees = employees.filter(employment_type=employment_type)
    if active is not None:
        employees = employees.filter(active=active)
    return employees.order_by("name", "id")


def unit_tree(*, user) -> list[Unit]:
    """Visible units in tree order, each with its active employee count (its own, not its subtree's)."""
    return list(
        access.units_for(user)
        .annotate(employee_count=Count("employees", filter=Q(employees__active=True)))
        .select_related("parent")
        .order_by("path")
    )


def unit_subtree_employee_count(*, unit: Unit) -> int:
    return Employee.objects.filter(subtree_q(unit, via="unit"), active=True).count()


def regions(*, user) -> list[Kecamatan]:
    visible = set(access.kelurahan_for(user).values_list("pk", flat=True))
    kecamatan = list(access.kecamatan_for(user).prefetch_related("kelurahan"))
    for item in kecamatan:
        item.visible_kelurahan = [k for k in item.kelurahan.all() if k.pk in visible]
    return kecamatan
