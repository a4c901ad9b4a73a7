"""Machines kept in step: per-machine PINs, user and template tables, enrolments sent on, removals, the clock."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from satulayar.attendance import adms, device_clock, device_sync, devices
from satulayar.attendance.choices import CommandStatus
from satulayar.attendance.models import DeviceCommand, DeviceTemplate, DeviceUpload, DeviceUser, Punch
from satulayar.audit.models import AuditEntry
from satulayar.core import vault
from satulayar.org.models import Site

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
TMP = "TVNTMjEAAAPqxQQFBQUHCc7QAAAb68QBAAAAg+UW6eqzAJYPJQCAAJnkaQDRAL0PgQDp6qQPrQDbAGwPMeqp"
FACE_TMP = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="


@pytest.fixture
def machines(org):
    def site(unit, name):
        return Site.objects.create(city=org.city, unit=unit, name=name, lat=-3.3186, lon=114.5944)

    lobby, annex, kominfo = site(org.dinkes, "Kantor Dinkes"), site(org.dinkes, "Gudang Farmasi"), site(
        org.kominfo, "Kantor Kominfo")
    return type("Machines", (), {
        "lobby": devices.device_register(actor=None, city=org.city, serial_number="DINKES01", site=lobby),
        "annex": devices.device_register(actor=None, city=org.city, serial_number="DINKES02", site=annex),
        "kominfo": devices.device_register(actor=None, city=org.city, serial_number="KOMINFO1", site=kominfo),
        "lobby_site": lobby,
    })


@pytest.fixture
def iclock():
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="10.20.30.41")


def push(client, serial: str, table: str, body: str, **query):
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return client.post(f"/iclock/cdata?SN={serial}&table={table}{extra}", data=body.encode(),
                       content_type="text/plain")


def poll(client, serial: str) -> str:
    return client.get(f"/iclock/getrequest?SN={serial}").content.decode()


def test_the_same_short_pin_on_two_machines_is_two_different_people(org, machines, iclock):
    devices.pin_mapping_set(actor=None, city=org.city, pin="11", employee=org.staff.dinkes, device=machines.lobby)
    devices.pin_mapping_set(actor=None, city=org.city, pin="11", employee=org.staff.kominfo, device=machines.kominfo)
    devices.pin_mapping_set(actor=None, city=org.city, pin="12", employee=org.staff.p2p, site=machines.lobby_site)
    devices.pin_mapping_set(actor=None, city=org.city, pin="12", employee=org.staff.pemerintahan)
    line = "11\t2026-11-02 07:31:02\t0\t1\t0\t0\t0\t0\t0\t0\r\n12\t2026-11-02 07:35:00\t0\t1\t0\t0\t0\t0\t0\t0\r\n"
    assert push(iclock, "DINKES01", "ATTLOG", line).content.decode() == "OK: 2"
    assert push(iclock, "KOMINFO1", "ATTLOG", line).content.decode() == "OK: 2"
    by_machine = {(p.device.serial_number, p.employee_id) for p in Punch.objects.select_related("device")}
    assert by_machine == {("DINKES01", org.staff.dinkes.pk), ("DINKES01", org.staff.p2p.pk),  # machine, then site
                          ("KOMINFO1", org.staff.kominfo.pk), ("KOMINFO1", org.staff.pemerintahan.pk)}  # city
    assert devices.device_pin_for(employee=org.staff.dinkes, device=machines.lobby) == "11"
    assert devices.device_pin_for(employee=org.staff.dinkes, device=machines.annex) == org.staff.dinkes.nip


def test_an_enrolment_at_one_machine_is_queued_for_the_employees_other_machines(org, machines, iclock):
    devices.pin_mapping_set(actor=None, city=org.city, pin="7", employee=org.staff.dinkes, device=machines.lobby)
    devices.pin_mapping_set(actor=None, city=org.city, pin="31", employee=org.staff.dinkes, device=machines.annex)
    body = "\r\n".join([
        "USER PIN=7\tName=Siti Rahmah\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000100000000\tVerify=0",
        f"FP PIN=7\tFID=6\tSize=1184\tValid=1\tTMP={TMP}",
        "OPLOG 4\t14\t2026-11-02 08:00:00\t0\t0\t0\t0",
        "USER PIN=\tName=Tanpa PIN",
        "FP PIN=7\tFID=x\tSize=1\tValid=1\tTMP=AAAA",
        "FP PIN=7\tFID=5\tSize=1\tValid=1\tTMP=not base64!",
        f"FP PIN=404\tFID=1\tSize=1184\tValid=1\tTMP={TMP}",
    ]) + "\r\n"
    response = push(iclock, "DINKES01", "OPERLOG", body, OpStamp="9")
    assert response.content.decode() == "OK: 7"

    upload = DeviceUpload.objects.get(device=machines.lobby, table="OPERLOG")
    assert (upload.lines, upload.accepted, upload.rejected, upload.flagged) == (7, 4, 3, 1)
    reasons = {error["line"]: error["reason"] for error in upload.errors}
    assert reasons[4] == "PIN kosong." and "FID=x" in reasons[5] and "base64" in reasons[6]
    assert "menunggu" in reasons[7] and TMP not in str(upload.errors)
    assert DeviceUser.objects.get(device=machines.lobby, pin="7").employee == org.staff.dinkes
    stored = DeviceTemplate.objects.get(device=machines.lobby, pin="7")
    assert TMP not in stored.sealed and vault.unseal(stored.sealed, purpose="device-templates")["TMP"] == TMP
    assert DeviceTemplate.objects.get(pin="404").pending

    # The annex (same unit, other site) gets the user and the finger under its own PIN; Kominfo gets nothing.
    queued = list(DeviceCommand.objects.filter(device=machines.annex).values_list("command", flat=True))
    assert queued == ["DATA UPDATE USERINFO PIN=31\tName=Siti Rahmah\tPri=0\tCard=\tGrp=1",
                      "DATA UPDATE FINGERTMP PIN=31\tFID=6\tSize=1184\tValid=1\tTMP=…"]
    assert not DeviceCommand.objects.filter(device=machines.kominfo).exists()
    wire = poll(iclock, "DINKES02").splitlines()
    assert wire[1].endswith(f"DATA UPDATE FINGERTMP PIN=31\tFID=6\tSize=1184\tValid=1\tTMP={TMP}")
    assert AuditEntry.objects.filter(object_type="attendance.devicecommand").count() == 2
    assert TMP not in str(list(AuditEntry.objects.values_list("after", flat=True)))
    assert machines.lobby.__class__.objects.get(pk=machines.lobby.pk).operlog_stamp == "9"


def test_userinfo_fingertmp_face_and_biodata_tables_pushed_alone(org, machines, iclock):
    nip = org.staff.dinkes.nip
    assert push(iclock, "DINKES02", "USERINFO", f"PIN={nip}\tName=Siti\tPri=14\tPasswd=123\tCard=99\r\n"
                ).content.decode() == "OK"
    push(iclock, "DINKES02", "FINGERTMP", f"PIN={nip}\tFID=1\tSize=1184\tValid=1\tTMP={TMP}\r\n")
    push(iclock, "DINKES02", "FACE", f"FACE PIN={nip}\tFID=0\tSIZE=2048\tVALID=1\tTMP={FACE_TMP}\r\n")
    push(iclock, "DINKES02", "BIODATA", f"BIODATA Pin={nip}\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\t"
                                        f"MajorVer=5\tMinorVer=8\tFormat=0\tTmp={TMP}\r\n")
    kinds = set(DeviceTemplate.objects.filter(device=machines.annex).values_list("kind", "bio_type", "index"))
    assert kinds == {("finger", 0, 1), ("face", 0, 0), ("bio", 9, 0)}
    assert DeviceUser.objects.get(device=machines.annex).privilege == 14
    queued = list(DeviceCommand.objects.filter(device=machines.lobby).values_list("command", flat=True))
    assert queued[0] == f"DATA UPDATE USERINFO PIN={nip}\tName=Siti\tPri=14\tCard=99\tGrp=1"  # no password
    assert f"DATA UPDATE FACE PIN={nip}\tFID=0\tSize=2048\tValid=1\tTMP=…" in queued
    assert (f"DATA UPDATE BIODATA Pin={nip}\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=8\t"
            "Format=0\tTmp=…") in queued
    # Pushing the same table again changes nothing and queues nothing more.
    before = DeviceCommand.objects.count()
    push(iclock, "DINKES02", "USERINFO", f"PIN={nip}\tName=Siti\tPri=14\tPasswd=123\tCard=99\r\n")
    assert DeviceCommand.objects.count() == before


def test_a_pending_template_goes_on_once_its_pin_maps_and_a_leaver_is_removed(org, machines, iclock):
    push(iclock, "DINKES01", "FINGERTMP", f"PIN=77\tFID=2\tSize=1184\tValid=1\tTMP={TMP}\r\n")
    assert device_sync.device_sync_reconcile(city=org.city) == {"resolved": 0, "removed": 0}
    devices.pin_mapping_set(actor=None, city=org.city, pin="77", employee=org.staff.dinkes, device=machines.lobby)
    assert device_sync.device_sync_reconcile(city=org.city) == {"resolved": 1, "removed": 0}
    assert not DeviceTemplate.objects.get(pin="77").pending
    annex = list(DeviceCommand.objects.filter(device=machines.annex).values_list("command", flat=True))
    assert annex[-1] == f"DATA UPDATE FINGERTMP PIN={org.staff.dinkes.nip}\tFID=2\tSize=1184\tValid=1\tTMP=…"

    push(iclock, "DINKES01", "USERINFO", "PIN=77\tName=Siti\r\n")
    org.staff.dinkes.active = False
    org.staff.dinkes.save()
    assert device_sync.device_sync_reconcile(city=org.city)["removed"] == 2  # the lobby and the annex
    deletes = set(DeviceCommand.objects.filter(command__startswith="DATA DELETE").values_list(
        "device__serial_number", "command"))
    assert deletes == {("DINKES01", "DATA DELETE USERINFO PIN=77"),
                       ("DINKES02", f"DATA DELETE USERINFO PIN={org.staff.dinkes.nip}")}
    assert not DeviceTemplate.objects.filter(pin="77").exists()


def test_a_moved_employee_is_removed_from_the_old_offices_machines(org, machines, iclock):
    push(iclock, "DINKES01", "USERINFO", f"PIN={org.staff.dinkes.nip}\tName=Siti\r\n")
    org.staff.dinkes.unit = org.kominfo
    org.staff.dinkes.save()
    device_sync.device_sync_reconcile(city=org.city)
    assert set(DeviceCommand.objects.filter(command__startswith="DATA DELETE").values_list(
        "device__serial_number", flat=True)) == {"DINKES01", "DINKES02"}


@override_settings(ATTENDANCE_DEVICE_COMMAND_ATTEMPTS=2)
def test_sync_commands_are_retried_until_the_limit_and_admin_commands_are_not(org, machines, iclock):
    first = device_sync.device_queue.commands_queue_system(
        device=machines.lobby, commands=[("DATA DELETE USERINFO PIN=5",) * 2], reason="test")[0]
    reboot = devices.device_command_queue(actor=None, device=machines.lobby, command="REBOOT")
    unsupported = device_sync.device_queue.commands_queue_system(
        device=machines.lobby, commands=[("DATA UPDATE BIOPHOTO PIN=5",) * 2], reason="test")[0]
    assert len(poll(iclock, "DINKES01").splitlines()) == 3
    results = (f"ID={first.pk}&Return=-1&CMD=DATA\nID={reboot.pk}&Return=-1&CMD=REBOOT\n"
               f"ID={unsupported.pk}&Return=-1004&CMD=DATA")
    iclock.post("/iclock/devicecmd?SN=DINKES01", data=results.encode(), content_type="text/plain")
    assert poll(iclock, "DINKES01") == f"C:{first.pk}:DATA DELETE USERINFO PIN=5"
    iclock.post("/iclock/devicecmd?SN=DINKES01", data=f"ID={first.pk}&Return=-1&CMD=DATA".encode(),
                content_type="text/plain")
    assert poll(iclock, "DINKES01") == "OK"
    first.refresh_from_db()
    assert (first.status, first.attempts) == (CommandStatus.FAILED, 2)
    # Sent and never answered: handed out again after the result timeout.
    stale = device_sync.device_queue.commands_queue_system(
        device=machines.annex, commands=[("DATA DELETE USERINFO PIN=6",) * 2], reason="test")[0]
    devices.device_commands_take(device=machines.annex)
    later = timezone.now() + dt.timedelta(minutes=11)
    assert [c.pk for c in devices.device_commands_take(device=machines.annex, now=later)] == [stale.pk]


@pytest.mark.parametrize(("pushver", "expected"), [("2.4.1", "TimeZone=8"), ("", "TimeZone=8"),
                                                   ("3.1.2", "TimeZone=480")])
def test_the_handshake_time_zone_is_in_hours_or_minutes_by_push_version(machines, iclock, pushver, expected):
    response = iclock.get(f"/iclock/cdata?SN=DINKES01&options=all&pushver={pushver}&language=69")
    assert expected in response.content.decode().splitlines()


def test_a_drifting_clock_gets_one_time_set_command(org, machines, iclock):
    devices.pin_mapping_set(actor=None, city=org.city, pin="5", employee=org.staff.dinkes)
    ahead = timezone.now().astimezone(WITA) + dt.timedelta(minutes=4)
    line = f"5\t{ahead:%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0\t0\t0\t0\r\n"
    push(iclock, "DINKES01", "ATTLOG", line)
    machines.lobby.refresh_from_db()
    assert 235 <= machines.lobby.clock_drift_s <= 240
    push(iclock, "DINKES01", "ATTLOG", line)
    clock = DeviceCommand.objects.filter(device=machines.lobby, command=device_clock.CLOCK_COMMAND_SHOWN)
    assert clock.count() == 1
    command_id, text = poll(iclock, "DINKES01").split(":", 2)[1:]
    sent = int(text.removeprefix("SET OPTIONS DateTime="))
    assert abs(sent - adms.zk_time(timezone.now().astimezone(WITA).replace(tzinfo=None))) <= 5
    assert int(command_id) == clock.get().pk
    # A small drift is recorded and left alone.
    on_time = timezone.now().astimezone(WITA) - dt.timedelta(seconds=20)
    push(iclock, "DINKES02", "ATTLOG", f"5\t{on_time:%Y-%m-%d %H:%M:%S}\t0\t1\r\n")
    machines.annex.refresh_from_db()
    assert -25 <= machines.annex.clock_drift_s <= -19
    assert not DeviceCommand.objects.filter(device=machines.annex).exists()


def test_zk_time_encoding():
    assert adms.zk_time(dt.datetime(2000, 1, 1)) == 0
    assert adms.zk_time(dt.datetime(2026, 12, 7, 11, 5, 9)) == (((26 * 12 + 11) * 31 + 6) * 24 + 11) * 3600 + 309
    assert adms.timezone_option(dt.timedelta(hours=8), minutes=False) == "8"
    assert adms.timezone_option(dt.timedelta(hours=5, minutes=30), minutes=True) == "330"


def test_the_admin_maps_a_pin_for_one_machine(org, machines, client_for):
    hr = client_for("admin_bkpsdm")
    assert hr.get("/admin/attendance/pinmapping/add/").status_code == 200
    response = hr.post("/admin/attendance/pinmapping/add/", {"pin": "11", "employee": org.staff.dinkes.pk,
                                                             "device": machines.lobby.pk, "site": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = hr.post("/admin/attendance/pinmapping/add/", {"pin": "11", "employee": org.staff.kominfo.pk,
                                                             "device": machines.kominfo.pk, "site": ""})
    assert response.status_code == 302
    assert devices.employees_by_pin(city=org.city, pins={"11"}, device=machines.lobby) == {"11": org.staff.dinkes.pk}
    assert devices.employees_by_pin(city=org.city, pins={"11"}, device=machines.kominfo) == {
        "11": org.staff.kominfo.pk}
    assert devices.employees_by_pin(city=org.city, pins={"11"}) == {}


def test_a_machine_echoing_what_it_was_sent_sends_nothing_on(org, machines, iclock):
    nip = org.staff.dinkes.nip
    push(iclock, "DINKES01", "OPERLOG", f"USER PIN={nip}\tName=Siti\r\nFP PIN={nip}\tFID=6\tSize=1184\tValid=1\t"
                                        f"TMP={TMP}\r\n")
    queued = DeviceCommand.objects.count()
    assert queued == 2  # the annex: user and finger
    assert DeviceTemplate.objects.filter(device=machines.annex, pin=nip).exists()  # what it will hold
    # The annex records the update in its own log and pushes it back; the lobby pushes its table again.
    for serial in ("DINKES02", "DINKES01"):
        push(iclock, serial, "OPERLOG", f"USER PIN={nip}\tName=Siti\tPri=0\tCard=\r\n"
                                        f"FP PIN={nip}\tFID=6\tSize=1184\tValid=1\tTMP={TMP}\r\n")
    assert DeviceCommand.objects.count() == queued
    # A re-enrolled finger (another template) does go on, with the user record so the machine surely has them.
    push(iclock, "DINKES01", "FINGERTMP", f"PIN={nip}\tFID=6\tSize=1184\tValid=1\tTMP={FACE_TMP}\r\n")
    assert DeviceCommand.objects.count() == queued + 2
    assert DeviceCommand.objects.last().command.startswith(f"DATA UPDATE FINGERTMP PIN={nip}\tFID=6")
