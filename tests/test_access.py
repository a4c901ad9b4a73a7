"""Who sees which units, employees and kelurahan (org.access), persona by persona."""

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from satulayar.org import access, services
from satulayar.org.choices import Role
from satulayar.org.models import Employee, Kelurahan, Unit

CITY_WIDE = ["walikota", "inspektur", "admin_bkpsdm"]


def fresh(user):
    """The same login as a new request would see it (the scope is cached on the user object)."""
    return get_user_model().objects.get(pk=user.pk)


def names(queryset) -> set[str]:
    return {str(obj.name) for obj in queryset}


@pytest.mark.parametrize("persona", CITY_WIDE)
def test_city_wide_roles_see_the_whole_city(personas, org, persona):
    user = getattr(personas, persona)
    assert set(access.units_for(user)) == set(Unit.objects.all())
    assert set(access.employees_for(user)) == set(Employee.objects.all())
    assert access.kelurahan_for(user).count() == Kelurahan.objects.count() == 52
    assert access.kecamatan_for(user).count() == 5
    assert access.scope_for(user).city_wide


def test_unit_admin_sees_own_unit_and_below_only(personas, org):
    user = personas.admin_dinas_kesehatan
    assert set(access.units_for(user)) == {org.dinkes, org.p2p}
    assert set(access.employees_for(user)) == {org.staff.dinkes, org.staff.p2p}
    assert not access.kelurahan_for(user).exists()
    assert not access.kecamatan_for(user).exists()
    assert not access.scope_for(user).city_wide


def test_unit_admin_gets_404_outside_the_subtree(personas, org):
    user = personas.admin_dinas_kesehatan
    assert access.employee_get_for_user(user=user, pk=org.staff.p2p.pk) == org.staff.p2p
    assert access.unit_get_for_user(user=user, pk=org.p2p.pk) == org.p2p
    for pk in (org.staff.kominfo.pk, org.staff.kelurahan.pk, 999_999, "abc"):
        with pytest.raises(Http404):
            access.employee_get_for_user(user=user, pk=pk)
    for unit in (org.kominfo, org.setda, org.kel_office):
        with pytest.raises(Http404):
            access.unit_get_for_user(user=user, pk=unit.pk)
    with pytest.raises(Http404):
        access.kelurahan_get_for_user(user=user, pk=org.kuin.pk)


def test_unit_admin_may_manage_and_place_only_inside(personas, org):
    user = personas.admin_dinas_kesehatan
    assert access.can_manage_employee(user, org.staff.p2p)
    assert not access.can_manage_employee(user, org.staff.kominfo)
    assert access.can_place_in_unit(user, org.p2p)
    assert not access.can_place_in_unit(user, org.kominfo)
    assert not access.can_place_in_unit(user, org.setda)


def test_lurah_sees_the_kelurahan_office_and_its_kelurahan_only(personas, org):
    user = personas.lurah_kuin_cerucuk
    assert set(access.units_for(user)) == {org.kel_office}
    assert set(access.employees_for(user)) == {org.staff.kelurahan}
    assert list(access.kelurahan_for(user)) == [org.kuin]
    assert list(access.kecamatan_for(user)) == [org.kuin.kecamatan]
    assert access.kelurahan_get_for_user(user=user, pk=org.kuin.pk) == org.kuin
    other = Kelurahan.objects.exclude(pk=org.kuin.pk).first()
    with pytest.raises(Http404):
        access.kelurahan_get_for_user(user=user, pk=other.pk)
    assert not access.can_manage_employee(user, org.staff.kelurahan)


def test_pegawai_sees_only_themself(personas, org):
    user = personas.pegawai_dinkes
    assert list(access.employees_for(user)) == [org.staff.p2p]
    assert list(access.units_for(user)) == [org.p2p]  # their own unit, to show where they work
    assert not access.kelurahan_for(user).exists()
    assert access.scope_for(user).employee_id == org.staff.p2p.pk
    assert not access.scope_for(user).can("view_employees")
    with pytest.raises(Http404):
        access.employee_get_for_user(user=user, pk=org.staff.dinkes.pk)
    assert not access.can_manage_employee(user, org.staff.p2p)


def test_outsider_and_anonymous_see_nothing(personas, org):
    from django.contrib.auth.models import AnonymousUser

    for user in (personas.outsider, AnonymousUser(), None):
        assert not access.units_for(user).exists()
        assert not access.employees_for(user).exists()
        assert not access.kelurahan_for(user).exists()
        assert not access.kecamatan_for(user).exists()
        assert not access.sites_for(user).exists()
        assert not access.scope_for(user).capabilities
    with pytest.raises(Http404):
        access.employee_get_for_user(user=personas.outsider, pk=org.staff.dinkes.pk)


def test_deactivated_login_loses_its_scope(personas, org):
    user = personas.admin_dinas_kesehatan
    user.is_active = False
    user.save()
    assert not access.employees_for(fresh(user)).exists()


def test_unit_admin_scope_follows_when_their_unit_moves(personas, org):
    services.unit_update(actor=personas.admin_bkpsdm, unit=org.dinkes, parent=org.setda)
    org.p2p.refresh_from_db()
    assert org.p2p.path == f"{org.setda.pk}/{org.dinkes.pk}/{org.p2p.pk}/"
    user = fresh(personas.admin_dinas_kesehatan)
    assert set(access.units_for(user)) == {org.dinkes, org.p2p}
    assert set(access.employees_for(user)) == {org.staff.dinkes, org.staff.p2p}
    assert org.staff.pemerintahan not in access.employees_for(user)


def test_unit_admin_loses_a_subunit_moved_out_of_their_tree(personas, org):
    services.unit_update(actor=personas.admin_bkpsdm, unit=org.p2p, parent=org.kominfo)
    user = fresh(personas.admin_dinas_kesehatan)
    assert set(access.units_for(user)) == {org.dinkes}
    assert set(access.employees_for(user)) == {org.staff.dinkes}
    with pytest.raises(Http404):
        access.employee_get_for_user(user=user, pk=org.staff.p2p.pk)


def test_unit_admin_gains_a_unit_moved_into_their_tree(personas, org):
    services.unit_update(actor=personas.admin_bkpsdm, unit=org.pemerintahan, parent=org.p2p)
    user = fresh(personas.admin_dinas_kesehatan)
    assert org.pemerintahan in access.units_for(user)
    assert org.staff.pemerintahan in access.employees_for(user)


def test_unit_whose_id_prefixes_another_does_not_leak(personas, org, city):
    """Path "7/" must not match "70/": the trailing slash keeps sibling ids apart."""
    pk = int(f"{org.dinkes.pk}0")
    # A chosen id, so the prefix case happens whatever the sequence is at; the path is what unit_create sets.
    neighbour = Unit.objects.create(pk=pk, city=city, name="Dinas Tetangga", code="TETANGGA", kind="dinas",
                                    path=f"{pk}/")
    services.employee_create(actor=None, unit=neighbour, name="Pegawai Tetangga", employment_type="non_asn")
    user = fresh(personas.admin_dinas_kesehatan)
    assert set(access.units_for(user)) == {org.dinkes, org.p2p}
    assert "Pegawai Tetangga" not in names(access.employees_for(user))
    assert not access.can_place_in_unit(user, neighbour)


def test_unit_admin_may_not_use_a_role_to_reach_further(personas, org):
    scope = access.scope_for(personas.admin_dinas_kesehatan)
    assert scope.roles == {Role.UNIT_ADMIN}
    assert not scope.can("manage_units")
    assert not scope.can("manage_roles")
    assert not scope.can("view_nik")
