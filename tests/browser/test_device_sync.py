"""Machines kept in step, in a real browser: a fingerprint enrolled at one machine (its USERINFO and FINGERTMP
pushed through the real /iclock/ endpoint) shows up queued for the employee's other machine on its device page,
the template itself nowhere on the page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from satulayar.attendance import devices
from satulayar.org.choices import Role
from satulayar.org.models import Site
from satulayar.org.services import role_assign
from tests.factories import make_employee, make_unit

TMP = "TVNTMjEAAAPqxQQFBQUHCc7QAAAb68QBAAAAg+UW6eqzAJYPJQCAAJnkaQDRAL0PgQDp6qQPrQDbAGwPMeqp"


@pytest.fixture
def two_machines(transactional_db, city):
    dinkes = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    siti = make_employee(dinkes, "dr. Siti Rahmah")
    lobby = Site.objects.create(city=city, unit=dinkes, name="Kantor Dinkes", lat=-3.3186, lon=114.5944)
    annex = Site.objects.create(city=city, unit=dinkes, name="Gudang Farmasi", lat=-3.33, lon=114.60)
    first = devices.device_register(actor=None, city=city, serial_number="DINKES01", name="Lobi Dinkes", site=lobby)
    second = devices.device_register(actor=None, city=city, serial_number="DINKES02", name="Gudang Farmasi",
                                     site=annex)
    devices.pin_mapping_set(actor=None, city=city, pin="7", employee=siti, device=first)
    devices.pin_mapping_set(actor=None, city=city, pin="31", employee=siti, device=second)
    account = get_user_model().objects.create_user(username="bkpsdm_mesin", is_staff=True)
    account.set_password("satulayar")
    account.save()
    role_assign(actor=None, user=account, role=Role.HR_ADMIN, city=city)
    return first, second


def test_an_enrolment_at_one_machine_is_queued_for_the_other(two_machines, live_server, browser, login,
                                                             console_errors):
    _first, second = two_machines
    machine = Client(REMOTE_ADDR="10.20.30.41")
    body = ("USER PIN=7\tName=Siti Rahmah\tPri=0\tPasswd=\tCard=\tGrp=1\r\n"
            f"FP PIN=7\tFID=6\tSize=1184\tValid=1\tTMP={TMP}\r\n")
    response = machine.post("/iclock/cdata?SN=DINKES01&table=OPERLOG&OpStamp=12", data=body.encode(),
                            content_type="text/plain")
    assert response.content.decode() == "OK: 2"

    page = browser.new_context(locale="id-ID").new_page()
    login(page, "bkpsdm_mesin")
    page.goto(f"{live_server.url}/kehadiran/mesin/{second.pk}/")
    rows = page.get_by_test_id("command-row")
    rows.first.wait_for()
    texts = [" ".join(text.split()) for text in rows.locator("code").all_inner_texts()]
    assert sorted(texts) == ["DATA UPDATE FINGERTMP PIN=31 FID=6 Size=1184 Valid=1 TMP=…",
                             "DATA UPDATE USERINFO PIN=31 Name=Siti Rahmah Pri=0 Card= Grp=1"]
    assert TMP not in page.content()
    assert rows.get_by_text("Antre").count() == 2
    assert " ".join(page.get_by_test_id("device-holdings").inner_text().split()) == \
        "1 pengguna, 1 templat (0 menunggu PIN)"  # what it was told to hold
