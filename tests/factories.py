"""Builders for test data. They go through the same services as users do."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from satulayar.core.security import needs_second_factor
from satulayar.org import services
from satulayar.org.choices import EmploymentType, Role, UnitKind
from satulayar.org.models import Kelurahan

_serial = itertools.cycle(range(1, 1000))  # a NIP serial has three digits; each test starts on an empty database


def make_nip(birth: dt.date = dt.date(1985, 3, 14), appointed: str = "201001", sex: int = 1,
             serial: int | None = None) -> str:
    return f"{birth:%Y%m%d}{appointed}{sex}{serial or next(_serial):03d}"


def make_unit(city, name, code, kind=UnitKind.DINAS, parent=None, **extra):
    return services.unit_create(actor=None, city=city, name=name, code=code, kind=kind, parent=parent, **extra)


def make_employee(unit, name="Ahmad Fauzi", employment_type=EmploymentType.PNS, **extra):
    extra.setdefault("nip", make_nip() if employment_type != EmploymentType.NON_ASN else "")
    return services.employee_create(actor=None, unit=unit, name=name, employment_type=employment_type, **extra)


def make_user(username, role=None, city=None, unit=None, kelurahan=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="rahasia-uji-123", **extra)
    if role:
        services.role_assign(actor=None, user=user, role=role, city=city, unit=unit, kelurahan=kelurahan)
    return user


def login_as(client, user):
    """force_login, and for a role that needs the second factor a session that has passed it (as after the code)."""
    client.force_login(user)
    user._satulayar_scope = None
    session = client.session
    second_factor_passed(session, user)
    session.save()
    return client


def second_factor_passed(session, user) -> None:
    """Marks a session as past the second factor (as after the code), for a role that needs one."""
    if needs_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Uji", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def kelurahan_named(name: str) -> Kelurahan:
    return Kelurahan.objects.get(name=name)


__all__ = ["Role", "login_as", "make_employee", "make_nip", "make_unit", "make_user"]
