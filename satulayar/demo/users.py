"""The demo logins: one per role, all with the same published password. Never for a real deployment."""

import random
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from satulayar.demo.people import plain_name, split_name
from satulayar.org.choices import EmploymentType, Role, Sex, UnitKind
from satulayar.org.models import City, Employee, Kelurahan, Unit, subtree_q
from satulayar.org.services import employee_update, role_assign

DEMO_PASSWORD = "satulayar"
# The demo logins whose roles need a second factor share this published TOTP key (base32 DEMO_TOTP_SECRET):
# add it to any authenticator app, or print the current code with `satulayar demo_totp`.
DEMO_TOTP_KEY = b"satulayar-demo-totp!".hex()
DEMO_TOTP_SECRET = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
DEMO_KECAMATAN = "Banjarmasin Barat"
DEMO_KELURAHAN = "Kuin Cerucuk"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str
    role: str | None = None
    unit_code: str = ""  # for unit admins
    is_staff: bool = False
    extra_roles: tuple[str, ...] = ()  # city-wide roles held besides `role`


DEMO_LOGINS = (
    DemoLogin("walikota", "Wali Kota: pimpinan daerah, melihat seluruh kota", Role.EXECUTIVE),
    DemoLogin("wakil_walikota", "Wakil Wali Kota: pimpinan daerah, melihat seluruh kota", Role.EXECUTIVE),
    DemoLogin("sekda", "Sekretaris Daerah: pimpinan ASN, melihat seluruh kota", Role.EXECUTIVE),
    DemoLogin("operator_cc", "Operator command center: layar dinding, peta dan kamera", Role.COMMAND_CENTRE),
    DemoLogin("inspektur", "Inspektur: sidak dan log audit seluruh kota", Role.INSPECTOR),
    DemoLogin("admin_bkpsdm", "Admin BKPSDM: mengelola pegawai, unit kerja dan peran seluruh kota", Role.HR_ADMIN,
              is_staff=True),
    DemoLogin("admin_dinkes", "Admin Dinas Kesehatan: dinas beserta bidang dan Puskesmas-nya", Role.UNIT_ADMIN,
              "DINKES", is_staff=True),
    DemoLogin("admin_diskominfotik", "Admin Diskominfotik: dinas beserta bidang dan UPT-nya; admin integrasi data",
              Role.UNIT_ADMIN, "DISKOMINFOTIK", is_staff=True, extra_roles=(Role.INTEGRATION_ADMIN,)),
    DemoLogin("camat_banjarmasin_barat", "Camat Banjarmasin Barat: kantor kecamatan dan kantor kelurahan di bawahnya",
              Role.UNIT_ADMIN),
    DemoLogin("lurah_kuin_cerucuk", "Lurah Kuin Cerucuk: kantor kelurahan dan layanannya", Role.KELURAHAN_OFFICER),
    DemoLogin("pegawai", "Pegawai Diskominfotik: hanya data dan absensinya sendiri"),
)


def demo_logins() -> list[tuple[str, str]]:
    return [(login.username, login.description) for login in DEMO_LOGINS]


def create_demo_users(*, city: City, seed: int) -> list:
    """Create (or refresh) every demo login with its role; run after seed_city has built the city."""
    rng = random.Random(f"{seed}/users")
    kelurahan = Kelurahan.objects.get(kecamatan__city=city, name=DEMO_KELURAHAN)
    lurah = Unit.objects.select_related("head").get(city=city, kind=UnitKind.KELURAHAN, kelurahan=kelurahan).head
    pegawai = _diskominfotik_staff(city=city, rng=rng)
    users = []
    password = make_password(DEMO_PASSWORD)  # one hash for all: each costs half a second by design
    for login in DEMO_LOGINS:
        employee = {"lurah_kuin_cerucuk": lurah, "pegawai": pegawai}.get(login.username)
        name = employee.name if employee else plain_name(rng, sex=Sex.MALE if rng.random() < 0.6 else Sex.FEMALE)
        user = _login_user(login, name=name, password=password)
        if login.role:
            role_assign(actor=None, user=user, role=login.role, city=city, unit=_unit_for(login, city),
                        kelurahan=kelurahan if login.role == Role.KELURAHAN_OFFICER else None)
        for role in login.extra_roles:
            role_assign(actor=None, user=user, role=role, city=city)
        if employee:
            employee_update(actor=None, employee=employee, user=user)
        _demo_totp_device(user, login)
        users.append(user)
    return users


def _login_user(login: DemoLogin, *, name: str, password: str):
    first_name, last_name = split_name(name)
    user, _ = get_user_model().objects.get_or_create(username=login.username)
    user.first_name, user.last_name, user.is_staff = first_name, last_name, login.is_staff
    user.password = password
    user.save()
    return user


def _demo_totp_device(user, login: DemoLogin) -> None:
    if {login.role, *login.extra_roles} & set(settings.SATULAYAR_OTP_ROLES):
        TOTPDevice.objects.update_or_create(user=user, name="Demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True})


def _unit_for(login: DemoLogin, city: City) -> Unit | None:
    if login.role != Role.UNIT_ADMIN:
        return None
    if login.unit_code:
        return Unit.objects.get(city=city, code=login.unit_code)
    return Unit.objects.get(city=city, kind=UnitKind.KECAMATAN, kecamatan__name=DEMO_KECAMATAN)


def _diskominfotik_staff(*, city: City, rng: random.Random) -> Employee:
    """An ASN of Diskominfotik to log in as a plain employee: not a unit head, unless a tiny city has only heads."""
    diskominfotik = Unit.objects.get(city=city, code="DISKOMINFOTIK")
    asn = (Employee.objects.filter(subtree_q(diskominfotik, via="unit"), user=None)
           .exclude(employment_type=EmploymentType.NON_ASN).order_by("nip"))
    staff = list(asn.exclude(pk__in=Unit.objects.filter(city=city).exclude(head=None).values("head")))
    return rng.choice(staff or list(asn))
