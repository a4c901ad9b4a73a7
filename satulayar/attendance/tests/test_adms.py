"""A fingerprint machine's conversation with /iclock/, replayed in the real wire format, byte for byte."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from satulayar.attendance import adms, devices
from satulayar.attendance.choices import CommandStatus, DayStatus, DeviceStatus, PunchSource
from satulayar.attendance.models import DailyStatus, Device, DeviceCommand, DeviceUpload, PinMapping, Punch
from satulayar.audit.models import AuditEntry
from satulayar.org.models import Site

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
SN = "BJM7A1200123"
DEVICE_IP = "10.20.30.40"
HANDSHAKE = [
    f"GET OPTION FROM: {SN}",
    "ATTLOGStamp=0",
    "OPERLOGStamp=0",
    "ATTPHOTOStamp=0",
    "ErrorDelay=60",
    "Delay=10",
    "TransTimes=00:00;14:05",
    "TransInterval=1",
    "TransFlag=TransData AttLog\tOpLog",
    "Realtime=1",
    "Encrypt=0",
    "TimeZone=8",
    "ServerVer=2.4.1",
    "PushProtVer=2.4.1",
]


@pytest.fixture
def machine(org):
    site = Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=-3.3186,
                               lon=114.5944)
    return devices.device_register(actor=None, city=org.city, serial_number=SN, name="Lobi Dinkes", site=site)


@pytest.fixture
def iclock():
    """What a device is: no session, no CSRF token, its own address."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=DEVICE_IP)


def post(client, query: str, body: str, path: str = "/iclock/cdata"):
    return client.post(f"{path}?{query}", data=body.encode(), content_type="text/plain")


def text(response) -> str:
    return response.content.decode()


def future_local() -> str:
    return f"{(timezone.now() + dt.timedelta(days=1)).astimezone(WITA):%Y-%m-%d %H:%M:%S}"


def attlog_batch(org, future: str) -> str:
    """A Monday's log as a real device sends it: CRLF, ten tab-separated fields, and some damage."""
    dinkes, p2p, kominfo = org.staff.dinkes.nip, org.staff.p2p.nip, org.staff.kominfo.nip
    return "\r\n".join([
        f"{dinkes}\t2026-11-02 07:31:02\t0\t1\t0\t0\t0\t0\t0\t0",
        "11\t2026-11-02 07:45:10\t0\t15\t0\t0\t0\t0\t0\t0",
        f"{dinkes}\t2026-11-02 16:02:59\t1\t1\t0\t0\t0\t0\t0\t0",
        f"{kominfo} 2026-11-02 07:29:00 0 25 0",
        "99999\t2026-11-02 07:50:00\t0\t1\t0\t0\t0\t0\t0\t0",
        f"{dinkes}\t2026-02-30 07:31:02\t0\t1\t0\t0\t0\t0\t0\t0",
        f"{dinkes}\t2026-11-02 07:31:02",
        f"{p2p}\t2026-11-02 16:30:00\tx\t1\t0\t0\t0\t0\t0\t0",
        "",
        f"{dinkes}\t{future}\t0\t1\t0\t0\t0\t0\t0\t0",
    ]) + "\r\n"


def test_handshake_answers_the_options_block_line_by_line(machine, iclock):
    response = iclock.get("/iclock/cdata", {"SN": SN, "options": "all", "pushver": "2.4.1", "language": "69"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert text(response).split("\n") == HANDSHAKE
    machine.refresh_from_db()
    assert machine.push_version == "2.4.1"
    assert machine.last_ip == DEVICE_IP
    assert timezone.now() - machine.last_seen_at < dt.timedelta(seconds=5)
    assert text(iclock.get("/iclock/cdata", {"SN": SN})) == "OK"


def test_attlog_keeps_good_lines_and_reports_each_bad_one(org, machine, iclock, django_capture_on_commit_callbacks):
    PinMapping.objects.create(city=org.city, pin="11", employee=org.staff.p2p)
    future = future_local()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(iclock, f"SN={SN}&table=ATTLOG&Stamp=9999", attlog_batch(org, future))
    assert response.status_code == 200
    assert text(response) == "OK: 5"

    stored = {(p.employee_id, p.at, p.device_state, p.verify_mode, p.future_flag)
              for p in Punch.objects.filter(source=PunchSource.DEVICE, future_flag=False)}
    utc = dt.UTC
    assert stored == {
        (org.staff.dinkes.pk, dt.datetime(2026, 11, 1, 23, 31, 2, tzinfo=utc), 0, 1, False),
        (org.staff.p2p.pk, dt.datetime(2026, 11, 1, 23, 45, 10, tzinfo=utc), 0, 15, False),
        (org.staff.dinkes.pk, dt.datetime(2026, 11, 2, 8, 2, 59, tzinfo=utc), 1, 1, False),
        (org.staff.kominfo.pk, dt.datetime(2026, 11, 1, 23, 29, 0, tzinfo=utc), 0, 25, False),
    }
    flagged = Punch.objects.get(future_flag=True)
    assert flagged.employee == org.staff.dinkes
    assert f"{flagged.at.astimezone(WITA):%Y-%m-%d %H:%M:%S}" == future
    assert set(Punch.objects.values_list("device", "site", "source").distinct()) == {
        (machine.pk, machine.site_id, PunchSource.DEVICE)}

    upload = DeviceUpload.objects.get()
    assert (upload.table, upload.stamp, upload.lines, upload.accepted, upload.duplicates, upload.rejected,
            upload.flagged) == ("ATTLOG", "9999", 9, 5, 0, 4, 1)
    assert [(e["line"], e["reason"]) for e in upload.errors] == [
        (5, "PIN 99999 tidak dikenal: tidak ada pemetaan PIN maupun NIP pegawai aktif di kota ini."),
        (6, "Tanggal/waktu 2026-02-30 07:31:02 tidak mungkin ada."),
        (7, "Jumlah kolom salah: 2, minimal 3 (PIN, waktu, status)."),
        (8, "Status x bukan angka yang sah."),
        (10, f"Waktu {future} lebih dari 5 menit di depan jam server (jam mesin salah?); disimpan dengan tanda "
             "waktu masa depan."),
    ]
    assert upload.errors[0]["text"] == "99999\t2026-11-02 07:50:00\t0\t1\t0\t0\t0\t0\t0\t0"

    machine.refresh_from_db()
    assert machine.attlog_stamp == "9999"
    assert text(iclock.get("/iclock/cdata", {"SN": SN, "options": "all"})).split("\n")[1] == "ATTLOGStamp=9999"

    statuses = {s.employee_id: s for s in DailyStatus.objects.filter(date=dt.date(2026, 11, 2))}
    dinkes = statuses[org.staff.dinkes.pk]
    assert (dinkes.status, dinkes.late_minutes, dinkes.early_minutes, dinkes.missing_out) == (
        DayStatus.PRESENT, 1, 0, False)
    assert dinkes.first_in == dt.datetime(2026, 11, 1, 23, 31, 2, tzinfo=dt.UTC)
    assert dinkes.last_out == dt.datetime(2026, 11, 2, 8, 2, 59, tzinfo=dt.UTC)
    assert (statuses[org.staff.p2p.pk].late_minutes, statuses[org.staff.p2p.pk].missing_out) == (15, True)


def test_the_same_upload_twice_stores_nothing_new_and_answers_the_same(org, machine, iclock):
    PinMapping.objects.create(city=org.city, pin="11", employee=org.staff.p2p)
    body = attlog_batch(org, future_local())
    first = post(iclock, f"SN={SN}&table=ATTLOG&Stamp=100", body)
    count = Punch.objects.count()
    second = post(iclock, f"SN={SN}&table=ATTLOG&Stamp=100", body)
    assert text(first) == text(second) == "OK: 5"
    assert Punch.objects.count() == count == 5
    again = DeviceUpload.objects.order_by("id").last()
    assert (again.accepted, again.duplicates, again.rejected, again.flagged) == (0, 5, 4, 1)


def test_unknown_serial_is_refused_and_listed_for_approval(org, iclock, client_for):
    response = iclock.get("/iclock/cdata", {"SN": "NEWMACHINE01", "options": "all", "pushver": "2.4.1"})
    assert response.status_code == 403
    assert text(response) == "Mesin NEWMACHINE01 belum disetujui admin; data tidak disimpan."
    pending = Device.objects.get(serial_number="NEWMACHINE01")
    assert (pending.status, pending.city, pending.last_ip) == (DeviceStatus.PENDING, org.city, DEVICE_IP)
    assert AuditEntry.objects.filter(object_type="attendance.device", object_id=str(pending.pk)).exists()

    refused = post(iclock, "SN=NEWMACHINE01&table=ATTLOG&Stamp=1", f"{org.staff.dinkes.nip}\t2026-11-02 07:31:02\t0\t1")
    assert refused.status_code == 403
    assert iclock.get("/iclock/getrequest", {"SN": "NEWMACHINE01"}).status_code == 403
    assert not Punch.objects.exists()
    assert Device.objects.filter(serial_number="NEWMACHINE01").count() == 1

    listed = client_for("admin_bkpsdm").get("/api/attendance/devices").json()
    assert [(d["serial_number"], d["status"]) for d in listed] == [("NEWMACHINE01", "pending")]


def test_blocked_device_is_refused_and_nothing_is_stored(org, machine, iclock, personas):
    devices.device_block(actor=personas.admin_bkpsdm, device=machine)
    response = post(iclock, f"SN={SN}&table=ATTLOG&Stamp=1", f"{org.staff.dinkes.nip}\t2026-11-02 07:31:02\t0\t1")
    assert response.status_code == 403
    assert not Punch.objects.exists()
    assert not DeviceUpload.objects.exists()


def test_bad_serial_is_rejected_without_registering(db, iclock):
    assert iclock.get("/iclock/cdata", {"options": "all"}).status_code == 400
    assert iclock.get("/iclock/cdata", {"SN": "x' OR 1=1"}).status_code == 400
    assert not Device.objects.exists()


def test_queued_command_is_fetched_once_and_acknowledged(machine, iclock, personas):
    assert text(iclock.get("/iclock/getrequest", {"SN": SN})) == "OK"
    info = devices.device_command_queue(actor=personas.admin_bkpsdm, device=machine, command="INFO")
    check = devices.device_command_queue(actor=personas.admin_bkpsdm, device=machine, command="CHECK")

    assert text(iclock.get("/iclock/getrequest", {"SN": SN})) == f"C:{info.pk}:INFO\nC:{check.pk}:CHECK"
    info.refresh_from_db()
    assert info.status == CommandStatus.SENT and info.sent_at is not None
    assert text(iclock.get("/iclock/getrequest", {"SN": SN})) == "OK"

    body = (f"ID={info.pk}&Return=0&CMD=INFO\n~DeviceName=SpeedFace-V5L\nFWVersion=Ver 6.60 Apr 2023\n"
            f"UserCount=5\n" f"ID={check.pk}&Return=-1002&CMD=CHECK\n")
    response = post(iclock, f"SN={SN}", body, path="/iclock/devicecmd")
    assert (response.status_code, text(response)) == (200, "OK")
    info.refresh_from_db()
    check.refresh_from_db()
    assert (info.status, info.return_code) == (CommandStatus.DONE, 0)
    assert info.result == "~DeviceName=SpeedFace-V5L\nFWVersion=Ver 6.60 Apr 2023\nUserCount=5"
    assert (check.status, check.return_code) == (CommandStatus.FAILED, -1002)
    machine.refresh_from_db()
    assert machine.info["FWVersion"] == "Ver 6.60 Apr 2023"
    assert machine.info["DeviceName"] == "SpeedFace-V5L"


def test_a_device_cannot_acknowledge_another_devices_command(org, machine, iclock, personas):
    other = devices.device_register(actor=None, city=org.city, serial_number="OTHER0001")
    command = devices.device_command_queue(actor=personas.admin_bkpsdm, device=other, command="INFO")
    post(iclock, f"SN={SN}", f"ID={command.pk}&Return=0&CMD=INFO", path="/iclock/devicecmd")
    command.refresh_from_db()
    assert command.status == CommandStatus.QUEUED


def test_commands_are_validated_and_shell_is_never_queued(machine, personas):
    admin = personas.admin_bkpsdm
    for bad in ("Shell rm -rf /", "shell ls", "CLEAR DATA", "INFO\nShell reboot", ""):
        with pytest.raises(ValidationError):
            devices.device_command_queue(actor=admin, device=machine, command=bad)
    assert not DeviceCommand.objects.exists()
    with pytest.raises(PermissionDenied):
        devices.device_command_queue(actor=personas.admin_dinas_kesehatan, device=machine, command="INFO")


def test_reupload_request_asks_for_the_period_in_device_time(machine, personas, iclock):
    start = dt.datetime(2026, 11, 1, 16, 0, tzinfo=dt.UTC)  # 2 November 00:00 WITA
    command = devices.device_request_reupload(actor=personas.admin_bkpsdm, device=machine, start=start,
                                              end=start + dt.timedelta(days=1, seconds=-1))
    assert command.command == "DATA QUERY ATTLOG StartTime=2026-11-02 00:00:00\tEndTime=2026-11-02 23:59:59"
    assert text(iclock.get("/iclock/getrequest", {"SN": SN})) == f"C:{command.pk}:{command.command}"
    with pytest.raises(ValidationError):
        devices.device_request_reupload(actor=personas.admin_bkpsdm, device=machine, start=start, end=start)


def handshake_stamps(iclock) -> list[str]:
    return text(iclock.get("/iclock/cdata", {"SN": SN, "options": "all"})).split("\n")[1:3]


def test_a_late_retried_upload_never_moves_the_stamp_cursors_back(org, machine, iclock):
    nip = org.staff.dinkes.nip
    older = f"{nip}\t2026-11-02 07:31:02\t0\t1\t0\t0\t0\t0\t0\t0\r\n"
    newer = f"{nip}\t2026-11-02 16:02:59\t1\t1\t0\t0\t0\t0\t0\t0\r\n"
    assert text(post(iclock, f"SN={SN}&table=ATTLOG&Stamp=1700000200", newer)) == "OK: 1"
    assert text(post(iclock, f"SN={SN}&table=OPERLOG&OpStamp=555", "OPLOG 4\t0\t2026-11-02 07:00:00\t0\t0\t0\t0")
                ) == "OK: 1"
    # The first upload's answer was lost on the way; the machine retries it with the Stamp it had then.
    assert text(post(iclock, f"SN={SN}&table=ATTLOG&Stamp=1700000100", older)) == "OK: 1"
    assert text(post(iclock, f"SN={SN}&table=OPERLOG&Stamp=90", "OPLOG 4\t0\t2026-11-02 06:00:00\t0\t0\t0\t0")
                ) == "OK: 1"
    assert handshake_stamps(iclock) == ["ATTLOGStamp=1700000200", "OPERLOGStamp=555"]
    assert Punch.objects.count() == 2
    assert list(DeviceUpload.objects.filter(table="ATTLOG").order_by("id").values_list("stamp", flat=True)) == [
        "1700000200", "1700000100"]

    # A stamp that is no counter, an equal one or none at all leaves the cursor; a larger one moves it on.
    for query in ("Stamp=abc", "Stamp=1700000200", "Stamp=", ""):
        post(iclock, f"SN={SN}&table=ATTLOG&{query}", older)
    assert handshake_stamps(iclock)[0] == "ATTLOGStamp=1700000200"
    post(iclock, f"SN={SN}&table=ATTLOG&ATTLOGStamp=1700000300", older)
    assert handshake_stamps(iclock)[0] == "ATTLOGStamp=1700000300"
    assert Punch.objects.count() == 2


@pytest.mark.parametrize(("current", "offered", "advances"), [
    ("0", "1", True), ("", "5", True), ("junk", "5", True), ("99", "100", True), ("100", "99", False),
    ("100", "100", False), ("100", "", False), ("100", "-1", False), ("100", "1e9", False),
    ("9" * 20, "1" + "0" * 20, True),
])
def test_stamp_advances_only_forward(current, offered, advances):
    assert adms.stamp_advances(current=current, offered=offered) is advances


def test_operlog_user_records_photos_and_device_info_are_accepted(machine, iclock):
    operlog = ("USER PIN=11\tName=Rahmadi\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000100000000\tVerify=0\n"
               "OPLOG 4\t0\t2026-11-02 07:00:00\t0\t0\t0\t0\n")
    response = post(iclock, f"SN={SN}&table=OPERLOG&OpStamp=77", operlog)
    assert (response.status_code, text(response)) == (200, "OK: 2")
    photo = iclock.post(f"/iclock/cdata?SN={SN}&table=ATTPHOTO&Stamp=3", data=b"PIN=11\nSN=x\nsize=4\nCMD=uploadphoto"
                        b"\x00\xff\xd8\xff\xe0", content_type="application/octet-stream")
    assert (photo.status_code, text(photo)) == (200, "OK")
    options = post(iclock, f"SN={SN}&table=options", "~DeviceName=SpeedFace-V5L,FWVersion=Ver 6.60,UserCount=5")
    registry = post(iclock, f"SN={SN}&c=registry", "IPAddress=10.20.30.40,MAC=00:17:61:aa:bb:cc")
    assert text(options) == text(registry) == "OK"
    machine.refresh_from_db()
    assert machine.operlog_stamp == "77"
    assert machine.info == {"DeviceName": "SpeedFace-V5L", "FWVersion": "Ver 6.60", "UserCount": "5",
                            "IPAddress": "10.20.30.40", "MAC": "00:17:61:aa:bb:cc"}
    assert list(DeviceUpload.objects.order_by("id").values_list("table", "lines")) == [("OPERLOG", 2),
                                                                                         ("ATTPHOTO", 4)]
    assert text(iclock.get("/iclock/cdata", {"SN": SN, "options": "all"})).split("\n")[2] == "OPERLOGStamp=77"
    post(iclock, f"SN={SN}&table=OPERLOG&Stamp=78", "OPLOG 4\t0\t2026-11-02 07:05:00\t0\t0\t0\t0")
    machine.refresh_from_db()
    assert machine.operlog_stamp == "78"
    assert text(iclock.get("/iclock/ping", {"SN": SN})) == "OK"


def test_aspx_paths_and_oversized_bodies(org, machine, iclock, settings):
    line = f"{org.staff.dinkes.nip}\t2026-11-02 07:31:02\t0\t1\t0"
    assert text(post(iclock, f"SN={SN}&table=ATTLOG&Stamp=5", line, path="/iclock/cdata.aspx")) == "OK: 1"
    settings.ATTENDANCE_ADMS_MAX_BODY_BYTES = 10
    assert post(iclock, f"SN={SN}&table=ATTLOG&Stamp=6", line).status_code == 413
    assert Punch.objects.count() == 1


def test_a_flood_of_bad_lines_is_counted_exactly_but_stored_in_part(machine, iclock):
    body = "\n".join(f"{pin}\t2026-11-02 07:31:02\t0\t1" for pin in range(1, devices.MAX_STORED_ERRORS + 6))
    assert text(post(iclock, f"SN={SN}&table=ATTLOG&Stamp=1", body)) == "OK: 0"
    upload = DeviceUpload.objects.get()
    assert (upload.lines, upload.rejected, len(upload.errors)) == (1005, 1005, devices.MAX_STORED_ERRORS)


def test_device_time_follows_the_site_city_zone(org, machine, iclock):
    org.city.timezone = "Asia/Jakarta"  # WIB, UTC+7: the same wall clock is an hour later in UTC
    org.city.save()
    assert "TimeZone=7" in text(iclock.get("/iclock/cdata", {"SN": SN, "options": "all"})).split("\n")
    post(iclock, f"SN={SN}&table=ATTLOG&Stamp=1", f"{org.staff.dinkes.nip}\t2026-11-02 07:31:02\t0\t1")
    assert Punch.objects.get().at == dt.datetime(2026, 11, 2, 0, 31, 2, tzinfo=dt.UTC)


def test_admin_lists_pending_machines_and_approves_them(org, machine, client_for):
    pending = Device.objects.create(city=org.city, serial_number="NEWMACHINE02")
    hr = client_for("admin_bkpsdm")
    for model in ("device", "devicecommand", "deviceupload", "pinmapping"):
        assert hr.get(f"/admin/attendance/{model}/").status_code == 200
    assert "NEWMACHINE02" in hr.get("/admin/attendance/device/?status__exact=pending").content.decode()
    response = hr.post("/admin/attendance/device/", {"action": "approve", "_selected_action": [pending.pk]})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == DeviceStatus.APPROVED

    unit_admin = client_for("admin_dinas_kesehatan")
    listed = unit_admin.get("/admin/attendance/device/").content.decode()
    assert SN in listed and "NEWMACHINE02" not in listed
    unit_admin.post("/admin/attendance/device/", {"action": "block", "_selected_action": [machine.pk]})
    machine.refresh_from_db()
    assert machine.status == DeviceStatus.APPROVED
