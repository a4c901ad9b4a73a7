"""Shared fixtures: the real Banjarmasin regions, a small organisation tree, and one persona per role.

Personas: walikota (executive), inspektur (inspector), admin_bkpsdm (HR), admin_dinas_kesehatan
(unit admin of Dinas Kesehatan), lurah_kuin_cerucuk (kelurahan officer), pegawai_dinkes (an
employee seeing only themself), outsider (a login without any role); the public is an anonymous client.
"""

from types import SimpleNamespace

import pytest
from django.test import Client

from satulayar.org.choices import Role, UnitKind
from satulayar.org.reference import city_load_reference
from tests.factories import kelurahan_named, login_as, make_employee, make_unit, make_user


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached panels are keyed by ids that the next test, after a rollback, hands out again: start with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def mid_morning():
    """The clock moved to 10.00 WITA of the current local day and running from there.

    For tests that move minutes forward or back from now (serve a ticket, a punch half an hour ago):
    run near midnight, those minutes would land on another day.
    """
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    today = dt.datetime.now(ZoneInfo("Asia/Makassar")).date()
    with time_machine.travel(dt.datetime.combine(today, dt.time(10), ZoneInfo("Asia/Makassar")), tick=True):
        yield


@pytest.fixture
def city(db):
    return city_load_reference("banjarmasin")


@pytest.fixture
def org(city):
    kuin = kelurahan_named("Kuin Cerucuk")
    setda = make_unit(city, "Sekretariat Daerah", "SETDA", UnitKind.SEKRETARIAT, short_name="Setda")
    pemerintahan = make_unit(city, "Bagian Pemerintahan", "SETDA-PEM", UnitKind.BAGIAN, parent=setda)
    dinkes = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    p2p = make_unit(city, "Bidang Pencegahan dan Pengendalian Penyakit", "DINKES-P2P", UnitKind.BIDANG, parent=dinkes)
    kominfo = make_unit(city, "Dinas Komunikasi, Informatika dan Statistik", "DISKOMINFOTIK",
                        short_name="Diskominfotik")
    kecamatan = make_unit(city, "Kecamatan Banjarmasin Barat", "KEC-BJM-BARAT", UnitKind.KECAMATAN,
                          kecamatan=kuin.kecamatan)
    kel_office = make_unit(city, "Kelurahan Kuin Cerucuk", "KEL-KUIN-CERUCUK", UnitKind.KELURAHAN,
                           parent=kecamatan, kelurahan=kuin)
    staff = SimpleNamespace(
        dinkes=make_employee(dinkes, "dr. Siti Rahmah", position="Kepala Dinas"),
        p2p=make_employee(p2p, "Rahmadi, S.K.M.", position="Epidemiolog"),
        kominfo=make_employee(kominfo, "Muhammad Iqbal, S.Kom.", position="Pranata Komputer"),
        pemerintahan=make_employee(pemerintahan, "Noor Aisyah, S.IP.", position="Analis Kebijakan"),
        kelurahan=make_employee(kel_office, "Fauzan Akbar", position="Lurah"),
    )
    return SimpleNamespace(city=city, setda=setda, pemerintahan=pemerintahan, dinkes=dinkes, p2p=p2p,
                           kominfo=kominfo, kecamatan=kecamatan, kel_office=kel_office, kuin=kuin, staff=staff)


@pytest.fixture
def personas(org):
    pegawai = make_user("pegawai_dinkes")
    org.staff.p2p.user = pegawai
    org.staff.p2p.save()
    return SimpleNamespace(
        walikota=make_user("walikota", Role.EXECUTIVE, org.city),
        inspektur=make_user("inspektur", Role.INSPECTOR, org.city),
        admin_bkpsdm=make_user("admin_bkpsdm", Role.HR_ADMIN, org.city, is_staff=True),
        admin_dinas_kesehatan=make_user("admin_dinas_kesehatan", Role.UNIT_ADMIN, org.city, unit=org.dinkes,
                                        is_staff=True),
        lurah_kuin_cerucuk=make_user("lurah_kuin_cerucuk", Role.KELURAHAN_OFFICER, org.city, kelurahan=org.kuin),
        pegawai_dinkes=pegawai,
        outsider=make_user("outsider"),
    )


@pytest.fixture
def client_for(personas):
    def make(name: str) -> Client:
        client = Client()
        login_as(client, getattr(personas, name))
        return client

    return make
