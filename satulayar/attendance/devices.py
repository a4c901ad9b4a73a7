"""Fingerprint machines: who they are, what they upload, and the commands queued for them.

A device proves nothing but its serial number, so an unknown serial is registered as pending and refused
until an admin approves it; only approved devices may store punches or fetch commands.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance import adms, device_clock, device_queue
from satulayar.attendance.choices import CommandStatus, DeviceMode, DeviceStatus, PunchSource
from satulayar.attendance.ingest import PunchRow, future_cutoff, future_tolerance, punches_ingest
from satulayar.attendance.models import Device, DeviceCommand, DeviceUpload, PinMapping
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.db import pairs_for_keys
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import Employee, Site

ONLINE_WINDOW = dt.timedelta(minutes=5)
# Devices poll every few seconds; writing last_seen_at on each poll would be most of the database's writes.
SEEN_WRITE_INTERVAL = dt.timedelta(seconds=60)
COMMANDS_PER_POLL = 10
MAX_STORED_ERRORS = 1000  # per upload; the counts stay exact beyond it
RESULT_TEXT_LIMIT = 10_000
MINUTE = dt.timedelta(minutes=1)


def can_manage_devices(user) -> bool:
    scope = access.scope_for(user)
    # "manage_devices" is proposed for the HR admin role in org.access; until it exists there, city-wide
    # employee managers (BKPSDM) look after the machines.
    return scope.can("manage_devices") or (scope.city_wide and scope.can("manage_employees"))


def _require_manager(actor) -> None:
    if actor is not None and not can_manage_devices(actor):
        raise PermissionDenied(_("Anda tidak berwenang mengelola mesin absensi."))


def devices_for(user) -> QuerySet[Device]:
    """Devices the user may see: the whole city for city-wide roles, else those at the user's sites."""
    scope = access.scope_for(user)
    devices = Device.objects.filter(city_id__in=scope.city_ids).select_related("site")
    if not scope.can("view_units"):
        return devices.none()
    if scope.city_wide:
        return devices
    return devices.filter(site__in=access.sites_for(user))


def device_get_for_user(*, user, pk) -> Device:
    try:
        return devices_for(user).get(pk=pk)
    except (Device.DoesNotExist, ValueError, TypeError):
        raise Http404(f"device {pk}") from None


def device_health(device: Device, now: dt.datetime | None = None) -> str:
    if device.mode == DeviceMode.PULL:  # the server's last pull says whether it answers
        return device.pull_state
    if device.last_seen_at is None:
        return "never"
    return "online" if (now or timezone.now()) - device.last_seen_at <= ONLINE_WINDOW else "offline"


def device_utc_offset(device: Device, now: dt.datetime | None = None) -> dt.timedelta:
    return (now or timezone.now()).astimezone(device_clock.device_zone(device)).utcoffset()


def device_identify(*, serial: str, city, ip: str | None, push_version: str = "",
                    now: dt.datetime | None = None) -> Device | None:
    """The device behind a serial number, registering an unknown one as pending (None without a city)."""
    device = Device.objects.select_related("city", "site__city").filter(serial_number=serial).first()
    if device is None:
        if city is None:
            return None
        device = _device_register_pending(serial=serial, city=city)
    device_seen(device=device, ip=ip, push_version=push_version, now=now)
    return device


def _device_register_pending(*, serial: str, city) -> Device:
    try:
        with transaction.atomic():
            device = Device.objects.create(city=city, serial_number=serial, status=DeviceStatus.PENDING)
            audit_record(actor=None, action=AuditAction.CREATE, obj=device, after=snapshot(device),
                         note=_("Mesin tak dikenal menghubungi server; menunggu persetujuan admin."))
    except IntegrityError:  # the same machine's second request won the race
        device = Device.objects.get(serial_number=serial)
    return Device.objects.select_related("city", "site__city").get(pk=device.pk)


def device_seen(*, device: Device, ip: str | None, push_version: str = "", now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    changes = {}
    if device.last_seen_at is None or now - device.last_seen_at >= SEEN_WRITE_INTERVAL:
        changes["last_seen_at"] = now
    if ip and ip != device.last_ip:
        changes["last_ip"] = ip
    if push_version and push_version != device.push_version:
        changes["push_version"] = push_version[:20]
    if changes:
        Device.objects.filter(pk=device.pk).update(**changes)
        for name, value in changes.items():
            setattr(device, name, value)


def device_info_update(*, device: Device, info: dict[str, str]) -> None:
    if info and any(device.info.get(key) != value for key, value in info.items()):
        device.info = {**device.info, **info}
        Device.objects.filter(pk=device.pk).update(info=device.info)


@transaction.atomic
def device_register(*, actor, city, serial_number: str, name: str = "", site: Site | None = None,
                    mode: str = DeviceMode.PUSH, host: str = "", port: int = 4370, pull_clear: bool = False
                    ) -> Device:
    """An admin enters a machine before it first calls in (or, in pull mode, before the server first reads it);
    it is approved from the start."""
    _require_manager(actor)
    if not adms.SERIAL_RE.match(serial_number):
        raise ValidationError({"serial_number": _("Nomor seri hanya boleh huruf, angka, - dan _.")})
    if Device.objects.filter(serial_number=serial_number).exists():
        raise ValidationError({"serial_number": _("Nomor seri %(sn)s sudah terdaftar.") % {"sn": serial_number}})
    device = Device(city=city, serial_number=serial_number, name=name, site=site, status=DeviceStatus.APPROVED,
                    mode=mode, host=host.strip(), port=port, pull_clear=pull_clear)
    _check_site(device)
    _check_pull(device)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=device, after=snapshot(device))
    return device


def _check_pull(device: Device) -> None:
    if device.mode == DeviceMode.PULL and not device.host:
        raise ValidationError({"host": _("Mesin yang ditarik server perlu alamat IP atau nama host.")})
    if not 1 <= device.port <= 65535:
        raise ValidationError({"port": _("Port harus antara 1 dan 65535.")})


def _check_site(device: Device) -> None:
    if device.site_id and device.site.city_id != device.city_id:
        raise ValidationError({"site": _("Lokasi %(site)s berada di luar kota mesin ini.") % {"site": device.site}})


@transaction.atomic
def device_update(*, actor, device: Device, **changes) -> Device:
    """Name, site and status; approving or blocking goes through here too so it is audited the same way."""
    _require_manager(actor)
    unknown = set(changes) - {"name", "site", "status", "mode", "host", "port", "pull_clear"}
    if unknown:
        raise TypeError(f"unknown device fields: {sorted(unknown)}")
    before = snapshot(Device.objects.get(pk=device.pk))
    for name, value in changes.items():
        setattr(device, name, value)
    _check_site(device)
    _check_pull(device)
    device.full_clean()
    device.save()
    after = snapshot(device)
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=device, before=before, after=after)
    return device


def device_approve(*, actor, device: Device, site: Site | None = None, name: str | None = None) -> Device:
    changes = {"status": DeviceStatus.APPROVED}
    if site is not None:
        changes["site"] = site
    if name is not None:
        changes["name"] = name
    return device_update(actor=actor, device=device, **changes)


def device_block(*, actor, device: Device) -> Device:
    return device_update(actor=actor, device=device, status=DeviceStatus.BLOCKED)


@transaction.atomic
def device_command_queue(*, actor, device: Device, command: str) -> DeviceCommand:
    _require_manager(actor)
    problem = adms.command_problem(command)
    if problem:
        raise ValidationError({"command": problem})
    if device.status != DeviceStatus.APPROVED:
        raise ValidationError({"device": _("Mesin %(device)s belum disetujui; ia tidak mengambil perintah.")
                               % {"device": device}})
    queued = DeviceCommand.objects.create(device=device, command=command.strip(),
                                          created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=queued, object_repr=f"{device}: {queued.command}"[:255],
                 after=snapshot(queued))
    event_publish(channel=attendance_channel(device.city_id), kind="device.command_queued",
                  data={"device": device.pk, "command": queued.pk})
    return queued


def device_request_reupload(*, actor, device: Device, start: dt.datetime, end: dt.datetime) -> DeviceCommand:
    """Ask the device to send its logs of a period again (after an outage or a lost upload)."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError(_("Awal dan akhir periode harus membawa zona waktu."))
    if start >= end:
        raise ValidationError(_("Awal periode harus sebelum akhirnya."))
    zone = device_clock.device_zone(device)
    command = adms.reupload_command(start=start.astimezone(zone), end=end.astimezone(zone))
    return device_command_queue(actor=actor, device=device, command=command)


@transaction.atomic
def device_commands_take(*, device: Device, now: dt.datetime | None = None) -> list[DeviceCommand]:
    """The oldest queued commands, marked as sent: the device fetches each once."""
    now = now or timezone.now()
    commands = list(device.commands.filter(device_queue.queued_or_retry(now)).order_by("created_at", "id")
                    [:COMMANDS_PER_POLL])
    if commands:
        DeviceCommand.objects.filter(pk__in=[c.pk for c in commands]).update(
            status=CommandStatus.SENT, sent_at=now, attempts=F("attempts") + 1)
    return commands


@transaction.atomic
def device_command_results_record(*, device: Device, results: list[adms.CommandResult],
                                   now: dt.datetime | None = None) -> int:
    """Marks each reported command done (return code >= 0) or failed; ids of other devices are ignored."""
    now = now or timezone.now()
    commands = device.commands.in_bulk([r.command_id for r in results])
    recorded = 0
    for result in results:
        command = commands.get(result.command_id)
        if command is None:
            continue
        command.status = CommandStatus.DONE if result.return_code >= 0 else CommandStatus.FAILED
        command.return_code = result.return_code
        command.result = "\n".join(result.detail)[:RESULT_TEXT_LIMIT]
        command.completed_at = now
        command.save(update_fields=["status", "return_code", "result", "completed_at"])
        if result.command.upper() == "INFO":
            device_info_update(device=device, info=adms.parse_key_values(command.result))
        recorded += 1
    return recorded


def employees_by_pin(*, city, pins: set[str], device: Device | None = None, site: Site | None = None
                     ) -> dict[str, int]:
    """Employee ids of active employees by device PIN.

    The machine's own PIN mapping first, then its site's (or, without a machine, `site`'s: an attendance kiosk's),
    then the city's, else the NIP itself: short PINs on different machines may name different people.
    """
    found = dict(pairs_for_keys(Employee.objects.filter(unit__city=city, active=True), "nip", "id", pins))
    mappings = PinMapping.objects.filter(city=city, employee__active=True)
    found.update(pairs_for_keys(mappings.filter(device__isnull=True, site__isnull=True), "pin", "employee", pins))
    site_id = device.site_id if device is not None else (site.pk if site else None)
    if site_id:
        found.update(pairs_for_keys(mappings.filter(device__isnull=True, site_id=site_id), "pin", "employee", pins))
    if device is not None:
        found.update(pairs_for_keys(mappings.filter(device=device), "pin", "employee", pins))
    return found


def device_pin_for(*, employee: Employee, device: Device) -> str:
    """The PIN an employee has on a machine: its own mapping, its site's, the city's, else the NIP."""
    mappings = PinMapping.objects.filter(city_id=device.city_id, employee=employee)
    scoped = [Q(device=device)]
    if device.site_id:
        scoped.append(Q(device__isnull=True, site_id=device.site_id))
    scoped.append(Q(device__isnull=True, site__isnull=True))
    for scope in scoped:
        pin = mappings.filter(scope).values_list("pin", flat=True).first()
        if pin:
            return pin
    return employee.nip or ""


@transaction.atomic
def device_attlog_receive(*, device: Device, body: str, stamp: str = "", now: dt.datetime | None = None
                          ) -> DeviceUpload:
    """Stores one ATTLOG upload: good lines become punches, each bad line is recorded with its reason.

    Future timestamps are stored with their flag and listed among the errors, so an admin sees the clock is
    wrong. The upload's `accepted + duplicates` is what the device is told it may forget.
    """
    now = now or timezone.now()
    lines, rejected = adms.parse_attlog(body)
    upload = device_records_store(device=device, records=lines, rejected=rejected, stamp=stamp, now=now)
    device_clock.clock_check(device=device, times=[line.local_time for line in lines], now=now)
    device_stamp_advance(device=device, field="attlog_stamp", stamp=stamp)
    return upload


def device_records_store(*, device: Device, records: list, rejected: list[adms.LineError], stamp: str,
                         now: dt.datetime) -> DeviceUpload:
    """A machine's readable log records (ATTLOG lines pushed, or records pulled: number, text, pin, local_time,
    status, verify) as punches, and the upload that lists every rejected or flagged line with its reason."""
    total = len(records) + len(rejected)
    rejected = list(rejected)
    employees = employees_by_pin(city=device.city, pins={record.pin for record in records}, device=device)
    zone, cutoff = device_clock.device_zone(device), future_cutoff(now)
    rows, flagged = [], []
    for record in records:
        employee_id = employees.get(record.pin)
        if employee_id is None:
            rejected.append(adms.LineError(record.number, record.text, _(
                "PIN %(pin)s tidak dikenal: tidak ada pemetaan PIN maupun NIP pegawai aktif di kota ini.")
                % {"pin": record.pin}))
            continue
        at = record.local_time.replace(tzinfo=zone).astimezone(dt.UTC)
        if at > cutoff:
            flagged.append(adms.LineError(record.number, record.text, _(
                "Waktu %(time)s lebih dari %(minutes)d menit di depan jam server (jam mesin salah?); "
                "disimpan dengan tanda waktu masa depan.") % {
                "time": f"{record.local_time:%Y-%m-%d %H:%M:%S}", "minutes": future_tolerance() // MINUTE}))
        rows.append(PunchRow(employee_id=employee_id, at=at, device_state=record.status, verify_mode=record.verify,
                             site_id=device.site_id, future_flag=at > cutoff))
    result = punches_ingest(city=device.city, rows=rows, source=PunchSource.DEVICE, device=device, now=now)
    errors = sorted(rejected + flagged, key=lambda error: error.number)
    return DeviceUpload.objects.create(
        device=device, table="ATTLOG", stamp=stamp[:32], lines=total, accepted=result.accepted,
        duplicates=result.duplicates, rejected=len(rejected), flagged=len(flagged),
        errors=[error.as_dict() for error in errors[:MAX_STORED_ERRORS]],
    )


STAMP_FIELDS = {"attlog_stamp", "operlog_stamp"}


@transaction.atomic
def device_stamp_advance(*, device: Device, field: str, stamp: str) -> bool:
    """Moves one of the device's upload cursors to `stamp` if that is further on; never back.

    The row is locked first, so two uploads of one device racing each other cannot leave the older Stamp.
    """
    if field not in STAMP_FIELDS:
        raise ValueError(f"not a stamp field: {field}")
    stamp = stamp.strip()[:32]
    current = Device.objects.select_for_update().filter(pk=device.pk).values_list(field, flat=True).get()
    moved = adms.stamp_advances(current=current, offered=stamp)
    if moved:
        Device.objects.filter(pk=device.pk).update(**{field: stamp})
    setattr(device, field, stamp if moved else current)
    return moved


@transaction.atomic
def device_table_receive(*, device: Device, table: str, body: str, stamp: str = "") -> DeviceUpload:
    """Tables we keep no rows of (OPERLOG, ATTPHOTO, BIODATA…): acknowledged and logged, never refused."""
    lines = len(adms.body_lines(body))
    if table == "OPERLOG":
        device_stamp_advance(device=device, field="operlog_stamp", stamp=stamp)
    return DeviceUpload.objects.create(device=device, table=table[:20], stamp=stamp[:32], lines=lines,
                                       accepted=lines)


@transaction.atomic
def pin_mapping_set(*, actor, city, pin: str, employee: Employee, device: Device | None = None,
                    site: Site | None = None) -> PinMapping:
    """Maps a device PIN that is not the NIP to an employee the actor manages: on one machine, at one site, or
    (neither given) across the city."""
    if actor is not None and not access.can_manage_employee(actor, employee):
        raise PermissionDenied(_("Anda tidak berwenang mengatur PIN %(name)s.") % {"name": employee})
    pin = pin.strip()
    if not pin:
        raise ValidationError({"pin": _("PIN wajib diisi.")})
    if device is not None:
        site = None
        if device.city_id != city.pk:
            raise ValidationError({"device": _("Mesin %(device)s berada di luar kota ini.") % {"device": device}})
    if site is not None and site.city_id != city.pk:
        raise ValidationError({"site": _("Lokasi %(site)s berada di luar kota ini.") % {"site": site}})
    mapping = PinMapping.objects.filter(city=city, pin=pin, device=device, site=site).first()
    before = snapshot(mapping) if mapping else None
    if mapping is None:
        mapping = PinMapping(city=city, pin=pin, employee=employee, device=device, site=site)
    elif actor is not None and not access.can_manage_employee(actor, mapping.employee):
        raise PermissionDenied(_("PIN %(pin)s sudah dipakai pegawai di luar wewenang Anda.") % {"pin": pin})
    mapping.employee = employee
    mapping.full_clean(validate_constraints=False)
    mapping.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=mapping,
                 object_repr=f"PIN {pin} → {employee}"[:255], unit_path=employee.unit.path, before=before,
                 after=snapshot(mapping))
    return mapping
