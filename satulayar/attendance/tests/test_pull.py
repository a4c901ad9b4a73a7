"""Machines without push, pulled over TCP by pyzk from a ZK protocol simulator on 127.0.0.1."""

import datetime as dt
import socket
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from satulayar.attendance import devices, pull
from satulayar.attendance.choices import DeviceMode, PullState, PunchSource
from satulayar.attendance.models import Device, DeviceUpload, PinMapping, Punch
from satulayar.attendance.zk_simulator import SimRecord, SimUser, ZkSimulator, encode_time
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.org.models import Site

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
pytestmark = pytest.mark.django_db(transaction=True)  # events are stored on commit


def morning(days_ago: int, hour: int, minute: int) -> dt.datetime:
    day = timezone.now().astimezone(WITA).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def simulator(org):
    PinMapping.objects.create(city=org.city, pin="11", employee=org.staff.p2p)
    machine = ZkSimulator(
        users=[SimUser(1, "11", "Rahmadi"), SimUser(2, org.staff.kominfo.nip, "Iqbal")],
        records=[SimRecord("11", morning(1, 7, 31), uid=1), SimRecord(org.staff.kominfo.nip, morning(1, 7, 45), uid=2),
                 SimRecord("11", morning(1, 16, 2), status=1, uid=1)])
    with machine:
        yield machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def register(org, port: int, **extra) -> Device:
    site = Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=-3.3186,
                               lon=114.5944)
    return devices.device_register(actor=None, city=org.city, serial_number="OLD0001", name="Lobi lama", site=site,
                                   mode=DeviceMode.PULL, host="127.0.0.1", port=port, **extra)


def test_a_pull_stores_each_punch_once_and_a_second_pull_adds_nothing(org, simulator):
    device = register(org, simulator.port)
    first = pull.device_pull(device=device)
    assert (first.table, first.lines, first.accepted, first.duplicates, first.rejected) == ("ATTLOG", 3, 3, 0, 0)
    punches = Punch.objects.filter(device=device).order_by("at")
    assert [(p.employee_id, p.at.astimezone(WITA).replace(tzinfo=None), p.source, p.device_state) for p in punches] \
        == [(org.staff.p2p.pk, morning(1, 7, 31), PunchSource.DEVICE, 0),
            (org.staff.kominfo.pk, morning(1, 7, 45), PunchSource.DEVICE, 0),
            (org.staff.p2p.pk, morning(1, 16, 2), PunchSource.DEVICE, 1)]

    second = pull.device_pull(device=device)
    assert (second.accepted, second.duplicates) == (0, 3)
    assert Punch.objects.filter(device=device).count() == 3
    assert DeviceUpload.objects.filter(device=device).count() == 2
    device.refresh_from_db()
    assert (device.pull_state, device.pull_users, device.pull_records, device.pull_failures) == (
        PullState.ONLINE, 2, 3, 0)
    assert device.last_pull_ok_at is not None and device.next_pull_at == device.last_pull_at + pull.PULL_INTERVAL
    assert simulator.records, "the log is not cleared unless the machine is set to"
    kinds = list(Event.objects.filter(kind="device.pulled").values_list("data", flat=True))
    assert [(data["state"], data["accepted"]) for data in kinds] == [("online", 3), ("online", 0)]


def test_the_same_punch_pushed_and_pulled_is_stored_once(org, simulator):
    device = register(org, simulator.port)
    pull.device_pull(device=device)
    upload = devices.device_attlog_receive(device=device, body=f"11\t{morning(1, 7, 31):%Y-%m-%d %H:%M:%S}\t0\t1\n")
    assert (upload.accepted, upload.duplicates) == (0, 1)


def test_a_machine_set_to_be_cleared_is_cleared_once_its_records_are_stored(org, simulator):
    device = register(org, simulator.port, pull_clear=True)
    assert pull.device_pull(device=device).accepted == 3
    assert simulator.records == []
    assert 15 in simulator.commands  # CMD_CLEAR_ATTLOG
    assert pull.device_pull(device=device).lines == 0
    assert Punch.objects.filter(device=device).count() == 3


def test_malformed_and_unknown_records_are_listed_with_their_reason_and_the_rest_stored(org, simulator):
    february_31 = encode_time(dt.datetime(2026, 2, 28, 8, 0)) + 3 * 86400  # the packing has room for a 31st
    simulator.records += [SimRecord("", morning(1, 8, 0)), SimRecord("11", raw_time=february_31),
                          SimRecord("999", morning(1, 8, 5))]
    device = register(org, simulator.port, pull_clear=True)
    upload = pull.device_pull(device=device)
    assert (upload.lines, upload.accepted, upload.rejected) == (6, 3, 3)
    reasons = {error["line"]: error["reason"] for error in upload.errors}
    assert set(reasons) == {4, 5, 6}
    assert "PIN kosong" in reasons[4]
    assert "bukan tanggal" in reasons[5]
    assert "PIN 999 tidak dikenal" in reasons[6]
    assert len(simulator.records) == 6, "records that could not be stored are not cleared from the machine"


def test_an_unreachable_machine_is_marked_offline_and_retried_later_each_time(org):
    device = register(org, free_port())
    now = timezone.now()
    assert pull.device_pull(device=device, now=now) is None
    device.refresh_from_db()
    assert (device.pull_state, device.pull_failures) == (PullState.OFFLINE, 1)
    assert device.pull_error and device.next_pull_at == now + dt.timedelta(minutes=1)
    assert devices.device_health(device) == "offline"
    assert AuditEntry.objects.filter(object_type="attendance.device", object_id=str(device.pk),
                                     after__pull_state="offline").count() == 1

    assert list(pull.devices_due(now + dt.timedelta(seconds=30))) == []
    assert pull.devices_pull_due(now=now + dt.timedelta(minutes=1)) == {"online": 0, "offline": 1}
    device.refresh_from_db()
    assert (device.pull_failures, device.next_pull_at) == (2, now + dt.timedelta(minutes=3))
    assert [pull.backoff(n) for n in (1, 2, 3, 4, 8, 20)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 60, 60)]
    assert AuditEntry.objects.filter(object_type="attendance.device", object_id=str(device.pk)).count() == 2, \
        "a second failure changes no state: not audited again (the register is the first entry)"


def test_a_machine_that_comes_back_is_online_again_and_audited(org, simulator):
    port = simulator.port
    simulator.stop()
    device = register(org, port)
    pull.device_pull(device=device)
    with ZkSimulator(users=simulator.users, records=simulator.records, port=port):
        assert pull.device_pull(device=device).accepted == 3
    device.refresh_from_db()
    assert (device.pull_state, device.pull_failures, device.pull_error) == (PullState.ONLINE, 0, "")
    notes = list(AuditEntry.objects.filter(object_type="attendance.device").order_by("id").values_list("note",
                                                                                                     flat=True))
    assert notes[-1] == "Mesin terhubung kembali."


def test_a_pull_machine_needs_a_host(org):
    with pytest.raises(ValidationError) as caught:
        devices.device_register(actor=None, city=org.city, serial_number="OLD0002", mode=DeviceMode.PULL)
    assert "host" in caught.value.message_dict


def test_the_device_page_shows_the_pull_state_and_pulls_on_request(client_for, org, simulator):
    device = register(org, simulator.port)
    client = client_for("admin_bkpsdm")
    page = client.get(f"/kehadiran/mesin/{device.pk}/").content.decode()
    assert "Ditarik server" in page and f"127.0.0.1:{simulator.port}" in page and "belum pernah" in page
    response = client.post(f"/kehadiran/mesin/{device.pk}/", {"action": "pull"})
    assert response.status_code == 302
    assert Punch.objects.filter(device=device).count() == 3
    page = client.get(f"/kehadiran/mesin/{device.pk}/").content.decode()
    assert "Ditarik: 3 rekaman baru, 0 sudah ada, 0 ditolak." in page
    assert "daring" in page and 'data-testid="upload-row"' in page

    simulator.stop()
    client.post(f"/kehadiran/mesin/{device.pk}/", {"action": "pull"})
    page = client.get(f"/kehadiran/mesin/{device.pk}/").content.decode()
    assert "Mesin tidak terjangkau" in page and "luring" in page


def test_a_log_longer_than_one_chunk_is_read_whole(org, simulator):
    """Over 64 KiB of records: pyzk reads the buffer in several CMD_DATA_RDY chunks."""
    start = morning(30, 7, 0)
    simulator.records[:] = [SimRecord("11", start + dt.timedelta(minutes=7 * n), uid=1) for n in range(2000)]
    device = register(org, simulator.port)
    upload = pull.device_pull(device=device)
    assert (upload.lines, upload.accepted, upload.rejected) == (2000, 2000, 0)
    assert simulator.commands.count(1504) >= 2
