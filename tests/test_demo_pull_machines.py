"""The demo's two older machines: registered in pull mode and served by ZK simulators the server can pull."""

import datetime as dt
import socket

import pytest

from satulayar.attendance import pull
from satulayar.attendance.choices import DeviceMode, PullState
from satulayar.attendance.models import Device
from satulayar.demo import pull_machines
from satulayar.org.models import Site
from tests.factories import make_employee

pytestmark = pytest.mark.django_db(transaction=True)


def free_port_pair() -> int:
    for _try in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two free ports in a row")


def test_the_demo_registers_two_pull_machines_and_serves_them(org, settings):
    for unit, lat in ((org.dinkes, -3.31), (org.kominfo, -3.32)):
        Site.objects.create(city=org.city, unit=unit, name=f"Kantor {unit.short_name}", lat=lat, lon=114.59)
        for number in range(5):
            make_employee(unit, f"Pegawai {unit.short_name} {number}")
    settings.DEMO_ZK_PORT = free_port_pair()
    line = pull_machines.seed_demo(city=org.city, days=1, seed=2018, end=dt.date.today(), progress=print)
    assert line.startswith("2 mesin lama")
    machines = list(Device.objects.filter(mode=DeviceMode.PULL).order_by("port"))
    assert len(machines) == 2

    assert "127.0.0.1" in pull_machines.demo_services()
    for device in machines:
        assert pull.device_pull(device=device) is not None
        device.refresh_from_db()
        assert device.pull_state == PullState.ONLINE and device.pull_users == 6  # the unit's staff


def test_a_day_plan_is_in_time_order_and_has_the_unknown_card():
    from satulayar.attendance.zk_simulator import SimUser

    device = Device(serial_number="ZKLAMA0001")
    users = [SimUser(n, f"19800101200501100{n}", f"P{n}") for n in range(1, 11)]
    plan = pull_machines.day_plan(device, users, dt.date(2026, 12, 7), seed=2018)
    assert plan == sorted(plan, key=lambda record: record.at)
    assert [record.user_id for record in plan].count(pull_machines.UNKNOWN_CARD) == 1
    assert all(dt.time(7) <= record.at.time() <= dt.time(17, 10) for record in plan)
