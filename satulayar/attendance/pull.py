"""Machines without ADMS push: the server pulls their attendance log over TCP port 4370 (pyzk).

A pull reads the machine's user table and attendance log and feeds the records to the same ingest as a push
upload (`ingest.punches_ingest`: the same dedup key, employee and moment), logged as a `DeviceUpload` of table
ATTLOG. A machine keeps its whole log until it is cleared, so each pull reads it all again; the records already
stored count as duplicates. A record that cannot be read (an empty PIN, a packed time that is no date) or whose
PIN maps to no one is listed in the upload's errors with its reason, and the rest are stored.

The machine's state (online/offline, last pull, users and records on it) is kept on the Device; a pull that
cannot reach the machine marks it offline and the next try waits longer each time (backoff), up to an hour.
`device_pull_state_record` is the one writer of that state: it audits a change of state and emits
`device.pulled`.
"""

import contextlib
import datetime as dt
import struct
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from zk import ZK
from zk import const as zk_const
from zk.exception import ZKError

from satulayar.attendance import adms
from satulayar.attendance.choices import DeviceMode, DeviceStatus, PullState
from satulayar.attendance.devices import device_records_store
from satulayar.attendance.models import Device, DeviceUpload
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.events import attendance_channel, event_publish

PULL_INTERVAL = dt.timedelta(minutes=10)
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
CONNECT_TIMEOUT_S = 10
ERROR_TEXT_LIMIT = 500
RECORD_FORMATS = {40: struct.Struct("<H24sB4sB8s"), 16: struct.Struct("<I4sBB2sI"), 8: struct.Struct("<HB4sB")}


@dataclass
class PulledRecord:
    number: int  # 1-based position in the machine's log
    pin: str
    local_time: dt.datetime | None
    status: int
    verify: int
    problem: str = ""

    @property
    def text(self) -> str:
        moment = f"{self.local_time:%Y-%m-%d %H:%M:%S}" if self.local_time else "?"
        return f"{self.pin or '?'}\t{moment}\t{self.status}\t{self.verify}"


@dataclass
class MachineLog:
    users: int
    records: list[PulledRecord]


def decode_time(packed: int) -> dt.datetime:
    """The machine's packed local time (zkemsdk DecodeTime); ValueError for a day the month does not have."""
    second, packed = packed % 60, packed // 60
    minute, packed = packed % 60, packed // 60
    hour, packed = packed % 24, packed // 24
    day, packed = packed % 31 + 1, packed // 31
    month, year = packed % 12 + 1, packed // 12 + 2000
    return dt.datetime(year, month, day, hour, minute, second)


def records_decode(data: bytes, count: int, pins_by_uid: dict[int, str]) -> list[PulledRecord]:
    """The attendance buffer as the machine sends it (4-byte total size, then fixed-size records), each record
    decoded on its own so that one unreadable record does not lose the others."""
    if len(data) < 4 or count <= 0:
        return []
    total = struct.unpack("<I", data[:4])[0]
    size = total // count
    layout = RECORD_FORMATS.get(size)
    if layout is None:
        raise ZKError(f"unknown attendance record size {size}")
    body, records = data[4:4 + total], []
    for number, fields in enumerate(layout.iter_unpack(body[:len(body) - len(body) % size]), start=1):
        if size == 40:
            uid, raw_pin, status, raw_time, verify, _space = fields
            pin = raw_pin.split(b"\x00")[0].decode(errors="replace").strip() or pins_by_uid.get(uid, "")
        elif size == 16:
            user_id, raw_time, status, verify, _reserved, _workcode = fields
            pin = str(user_id)
        else:
            uid, status, raw_time, verify = fields
            pin = pins_by_uid.get(uid, str(uid))
        records.append(_record(number, pin, struct.unpack("<I", raw_time)[0], status, verify))
    return records


def _record(number: int, pin: str, packed: int, status: int, verify: int) -> PulledRecord:
    problem, local_time = "", None
    try:
        local_time = decode_time(packed)
    except ValueError:
        problem = _("Waktu rekaman tidak dapat dibaca (nilai %(value)d bukan tanggal yang ada).") % {"value": packed}
    if not pin:
        problem = _("PIN kosong.")
    return PulledRecord(number=number, pin=pin, local_time=local_time, status=status, verify=verify,
                        problem=problem)


def machine_read(device: Device, *, clear_after=None) -> MachineLog:
    """Connects, reads the user table and the attendance log, and disconnects (pyzk over TCP).

    `clear_after(log) -> bool` runs while still connected; when it answers True the machine's log is cleared.
    """
    machine = ZK(device.host, port=device.port, timeout=CONNECT_TIMEOUT_S, ommit_ping=True)
    connection = machine.connect()
    try:
        connection.read_sizes()
        count = connection.records
        users = connection.get_users()
        pins_by_uid = {user.uid: user.user_id for user in users}
        records = []
        if count:
            data, _size = connection.read_with_buffer(zk_const.CMD_ATTLOG_RRQ)
            records = records_decode(data, count, pins_by_uid)
        log = MachineLog(users=len(users), records=records)
        if clear_after is not None and records and clear_after(log):
            connection.clear_attendance()
        return log
    finally:
        with contextlib.suppress(ZKError, OSError):
            connection.disconnect()


def backoff(failures: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure in a row, at most an hour."""
    return min(BACKOFF_FIRST * (2 ** max(failures - 1, 0)), BACKOFF_MAX)


def device_pull(*, device: Device, now: dt.datetime | None = None) -> DeviceUpload | None:
    """Pulls one machine: its records stored through the ingest and logged; None when it could not be reached."""
    now = now or timezone.now()
    if device.mode != DeviceMode.PULL or not device.host or device.status != DeviceStatus.APPROVED:
        raise ValueError(f"device {device.pk} is not an approved pull-mode machine with a host")
    stored: list[DeviceUpload] = []

    def store_then_maybe_clear(log: MachineLog) -> bool:
        stored.append(_log_store(device=device, log=log, now=now))
        return device.pull_clear and stored[0].rejected == 0

    try:
        log = machine_read(device, clear_after=store_then_maybe_clear)
    except (ZKError, OSError) as exc:
        device_pull_state_record(device=device, online=False, error=str(exc) or exc.__class__.__name__, now=now)
        return None
    if not stored:  # an empty log: nothing to store, still a pull
        stored.append(_log_store(device=device, log=log, now=now))
    device_pull_state_record(device=device, online=True, users=log.users, records=len(log.records),
                             upload=stored[0], now=now)
    return stored[0]


@transaction.atomic
def _log_store(*, device: Device, log: MachineLog, now: dt.datetime) -> DeviceUpload:
    """The records as punches (the push path's rules: PIN mapping or NIP, future times flagged) and the log."""
    rejected = [adms.LineError(r.number, r.text, r.problem) for r in log.records if r.problem]
    return device_records_store(device=device, records=[record for record in log.records if not record.problem],
                                rejected=rejected, stamp="pull", now=now)


@transaction.atomic
def device_pull_state_record(*, device: Device, online: bool, error: str = "", users: int | None = None,
                             records: int | None = None, upload: DeviceUpload | None = None,
                             now: dt.datetime | None = None) -> Device:
    """The one writer of a machine's pull state: the outcome, when to try next, an audit entry when it goes
    online or offline, and a `device.pulled` event."""
    now = now or timezone.now()
    device = Device.objects.select_for_update().get(pk=device.pk)
    before = device.pull_state
    device.last_pull_at = now
    if online:
        device.pull_state, device.pull_failures, device.pull_error = PullState.ONLINE, 0, ""
        device.last_pull_ok_at, device.last_seen_at = now, now
        device.pull_users, device.pull_records = users, records
        device.next_pull_at = now + PULL_INTERVAL
    else:
        device.pull_state = PullState.OFFLINE
        device.pull_failures += 1
        device.pull_error = error[:ERROR_TEXT_LIMIT]
        device.next_pull_at = now + backoff(device.pull_failures)
    device.save(update_fields=["pull_state", "pull_failures", "pull_error", "last_pull_at", "last_pull_ok_at",
                               "last_seen_at", "pull_users", "pull_records", "next_pull_at"])
    if device.pull_state != before:
        audit_record(actor=None, action=AuditAction.UPDATE, obj=device,
                     before={"pull_state": before}, after={"pull_state": device.pull_state},
                     note=(_("Mesin terhubung kembali.") if online else
                           _("Mesin tidak terjangkau: %(error)s") % {"error": device.pull_error})[:500])
    event_publish(channel=attendance_channel(device.city_id), kind="device.pulled", data={
        "device": device.pk, "state": device.pull_state, "accepted": upload.accepted if upload else 0,
        "records": records})
    return device


def devices_due(now: dt.datetime | None = None):
    now = now or timezone.now()
    return (Device.objects.filter(mode=DeviceMode.PULL, status=DeviceStatus.APPROVED).exclude(host="")
            .filter(Q(next_pull_at__isnull=True) | Q(next_pull_at__lte=now))
            .select_related("city", "site__city").order_by("next_pull_at", "pk"))


def devices_pull_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every pull-mode machine whose time has come, one after another; how many were reached and not."""
    outcome = {"online": 0, "offline": 0}
    for device in devices_due(now):
        reached = device_pull(device=device, now=now) is not None
        outcome["online" if reached else "offline"] += 1
    return outcome
