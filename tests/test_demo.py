"""The demo city generator: a small Banjarmasin built through the real services, the same from the same seed."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from satulayar.demo.generator import REFERENCE_DATE, STEPS, SeedError, city_plan, indonesian_number, seed_city
from satulayar.demo.organisation import unit_sizes
from satulayar.demo.people import employee_rows, split_name
from satulayar.demo.users import DEMO_PASSWORD, create_demo_users, demo_logins
from satulayar.org.choices import EmploymentType, Role, SiteKind, UnitKind
from satulayar.org.identity import parse_nip, validate_nik, validate_nip_for
from satulayar.org.models import Employee, Kecamatan, Kelurahan, RoleAssignment, Site, Unit
from satulayar.visits.models import Ticket
from tests.factories import make_employee, make_unit

SMALL_CITY = 300


@pytest.fixture
def seeded(db):
    summary = seed_city(city_slug="banjarmasin", employees=SMALL_CITY, days=30, seed=2018)
    create_demo_users(city=Unit.objects.first().city, seed=2018)
    return summary


def test_seeded_city_has_the_real_regions_and_an_office_for_each(seeded):
    assert (Kecamatan.objects.count(), Kelurahan.objects.count()) == (5, 52)
    offices = Unit.objects.filter(kind=UnitKind.KELURAHAN).select_related("parent", "kelurahan")
    assert offices.count() == 52
    assert {office.kelurahan_id for office in offices} == set(Kelurahan.objects.values_list("pk", flat=True))
    assert all(office.parent.kind == UnitKind.KECAMATAN for office in offices)
    assert all(office.parent.kecamatan_id == office.kelurahan.kecamatan_id for office in offices)
    assert Unit.objects.filter(parent=None).count() >= 35
    assert Unit.objects.filter(head=None).count() == 0
    kelurahan_sites = Site.objects.filter(kind=SiteKind.KELURAHAN_OFFICE)
    assert sorted(kelurahan_sites.values_list("kelurahan", flat=True)) == sorted(
        Kelurahan.objects.values_list("pk", flat=True))
    assert seeded["kelurahan"] == 52 and seeded["days"] == 30


def test_seeded_employees_have_valid_unique_nips_and_match_the_pure_plan(seeded):
    employees = list(Employee.objects.all())
    assert len(employees) == SMALL_CITY
    nips = [e.nip for e in employees if e.nip]
    assert len(nips) == len(set(nips))
    for employee in employees:
        info = validate_nip_for(employee.nip or "", employee.employment_type)
        if info:
            assert parse_nip(employee.nip) == info
            assert info.sex == employee.sex
            assert 18 <= employee.appointed_on.year - info.birth_date.year <= 46
            assert employee.appointed_on <= REFERENCE_DATE
        if employee.nik:
            validate_nik(employee.nik)
    types = Counter(e.employment_type for e in employees)
    assert types[EmploymentType.PNS] > types[EmploymentType.PPPK] > 0
    rows = employee_rows(plans=city_plan(city=employees[0].unit.city, seed=2018), employees=SMALL_CITY, seed=2018,
                         on=REFERENCE_DATE)
    assert sorted(nips) == sorted(row.nip for row in rows if row.nip)


def test_every_demo_login_exists_with_its_role(seeded):
    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {username for username, _ in demo_logins()}
    assert all(user.check_password(DEMO_PASSWORD) and user.first_name for user in users.values())

    def roles(username):
        return {(a.role, a.unit.code if a.unit else "", a.kelurahan.name if a.kelurahan else "")
                for a in RoleAssignment.objects.filter(user=users[username])}

    for username in ("walikota", "wakil_walikota", "sekda"):
        assert roles(username) == {(Role.EXECUTIVE, "", "")}
    assert roles("operator_cc") == {(Role.COMMAND_CENTRE, "", "")}
    assert roles("inspektur") == {(Role.INSPECTOR, "", "")}
    assert roles("admin_bkpsdm") == {(Role.HR_ADMIN, "", "")}
    assert roles("admin_dinkes") == {(Role.UNIT_ADMIN, "DINKES", "")}
    assert roles("admin_diskominfotik") == {(Role.UNIT_ADMIN, "DISKOMINFOTIK", ""), (Role.INTEGRATION_ADMIN, "", "")}
    assert roles("camat_banjarmasin_barat") == {(Role.UNIT_ADMIN, "KEC-637103", "")}
    assert roles("lurah_kuin_cerucuk") == {(Role.KELURAHAN_OFFICER, "", "Kuin Cerucuk")}
    assert roles("pegawai") == set()
    assert [u for u in users if users[u].is_staff] == ["admin_bkpsdm", "admin_dinkes", "admin_diskominfotik"]

    lurah = users["lurah_kuin_cerucuk"].employee
    assert (lurah.position, lurah.unit.kelurahan.name) == ("Lurah", "Kuin Cerucuk")
    assert split_name(lurah.name) == (users["lurah_kuin_cerucuk"].first_name, users["lurah_kuin_cerucuk"].last_name)
    pegawai = users["pegawai"].employee
    diskominfotik = Unit.objects.get(code="DISKOMINFOTIK")
    assert pegawai.unit.is_descendant_of(diskominfotik) or pegawai.unit == diskominfotik


def test_employee_rows_are_a_pure_function_of_the_seed(city):
    plans = city_plan(city=city, seed=2018)
    first = employee_rows(plans=plans, employees=400, seed=2018, on=REFERENCE_DATE)
    assert first == employee_rows(plans=plans, employees=400, seed=2018, on=REFERENCE_DATE)
    assert first != employee_rows(plans=plans, employees=400, seed=2019, on=REFERENCE_DATE)
    assert plans == city_plan(city=city, seed=2018)


def test_default_size_gives_realistic_offices_and_employment_mix(city):
    plans = city_plan(city=city, seed=2018)
    sizes = dict(zip((plan.code for plan in plans), unit_sizes(plans, employees=6000), strict=True))
    assert sum(sizes.values()) == 6000
    types = Counter(row.employment_type for row in employee_rows(plans=plans, employees=6000, seed=2018,
                                                                  on=REFERENCE_DATE))
    assert 0.70 < types[EmploymentType.PNS] / 6000 < 0.80
    assert 0.15 < types[EmploymentType.PPPK] / 6000 < 0.25
    assert 0.03 < types[EmploymentType.NON_ASN] / 6000 < 0.07
    kelurahan = [size for plan in plans if plan.kind == UnitKind.KELURAHAN for size in [sizes[plan.code]]]
    kecamatan = [size for plan in plans if plan.kind == UnitKind.KECAMATAN for size in [sizes[plan.code]]]
    assert min(kelurahan) >= 6 and max(kelurahan) <= 12
    assert min(kecamatan) >= 15 and max(kecamatan) <= 25
    biggest = sorted(plans, key=lambda plan: -sizes[plan.code])[:3]
    assert {plan.code.split("-")[0] for plan in biggest} <= {"DISDIK", "DINKES", "RSUD", "RSKGM"}


def test_rows_are_born_before_the_reference_date_and_use_no_clock(city):
    rows = employee_rows(plans=city_plan(city=city, seed=1), employees=300, seed=1, on=dt.date(2018, 1, 2))
    assert max(row.birth_date for row in rows) < dt.date(2000, 1, 2)
    assert all(parse_nip(row.nip).appointment_year <= 2018 for row in rows if row.nip)


def test_seed_refuses_too_few_employees(db):
    with pytest.raises(SeedError, match="sedikitnya"):
        seed_city(city_slug="banjarmasin", employees=10, days=1, seed=1)
    assert not Unit.objects.exists()


def test_seed_command_prints_progress_then_refuses_a_second_seed(db):
    out = StringIO()
    call_command("seed", employees=SMALL_CITY, days=7, stdout=out)
    printed = out.getvalue()
    assert f"[1/{STEPS}] Wilayah: 5 kecamatan, 52 kelurahan" in printed
    assert f"[3/{STEPS}] Pegawai: 300" in printed
    assert "Selesai dalam" in printed
    tickets = Ticket.objects.count()
    assert tickets > 0 and f"Layanan kelurahan: {indonesian_number(tickets)} tiket" in printed
    with pytest.raises(CommandError, match="sudah berisi 300 pegawai"):
        call_command("seed", employees=SMALL_CITY, stdout=StringIO())
    assert Employee.objects.count() == SMALL_CITY


def test_seed_command_refuses_a_database_with_employees(org):
    make_employee(make_unit(org.city, "Dinas Contoh", "CONTOH"), "Ahmad Contoh", employment_type=EmploymentType.NON_ASN)
    with pytest.raises(CommandError, match="seed hanya mengisi basis data yang kosong"):
        call_command("seed", employees=SMALL_CITY, stdout=StringIO())


def test_demo_logins_that_need_a_second_factor_share_the_published_totp_key(seeded):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from satulayar.demo.users import DEMO_TOTP_KEY

    with_device = set(TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).values_list("user__username",
                                                                                                flat=True))
    assert with_device == {"walikota", "wakil_walikota", "sekda", "inspektur", "admin_bkpsdm", "admin_diskominfotik"}


def test_demo_totp_prints_the_current_code():
    from django_otp.oath import totp

    from satulayar.demo.users import DEMO_TOTP_KEY

    out = StringIO()
    call_command("demo_totp", stdout=out)
    assert out.getvalue().startswith(f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}")
