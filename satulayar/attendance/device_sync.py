"""Machines kept in step: the users and templates a machine pushes, sent on to the employee's other machines.

A USERINFO record or a template (FINGERTMP, FACE, BIODATA) pushed by one machine is stored for that machine
(templates sealed, shown to no one). When its PIN maps to an employee (devices.employees_by_pin), each other
approved machine at the employee's sites (the sites of the employee's unit, and the pushing machine's own) is sent
`DATA UPDATE USERINFO` and `DATA UPDATE FINGERTMP`/`FACE`/`BIODATA` under the PIN the employee has there. A
template whose PIN maps to no one is kept pending until a PIN mapping names it. `device_sync_reconcile` (run every
quarter hour) sends pending templates on once they resolve and queues `DATA DELETE USERINFO` on machines still
holding an employee who left (deactivated, or moved to a unit whose sites do not include the machine's).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance import adms, device_clock, device_queue, devices
from satulayar.attendance.choices import DeviceStatus
from satulayar.attendance.models import Device, DeviceCommand, DeviceTemplate, DeviceUpload, DeviceUser
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core import vault
from satulayar.org.models import Employee, Site


def device_holdings(device: Device) -> dict[str, int]:
    """What the device page shows of a machine's tables: counts only, never a template."""
    templates = DeviceTemplate.objects.filter(device=device)
    return {"users": DeviceUser.objects.filter(device=device).count(), "templates": templates.count(),
            "pending": templates.filter(pending=True).count()}


def command_wire(device: Device, command: DeviceCommand) -> str:
    if command.command == device_clock.CLOCK_COMMAND_SHOWN:
        return device_clock.clock_wire(device)
    return device_queue.wire_text(command)


def employee_site_ids(employee: Employee) -> set[int]:
    return set(Site.objects.filter(unit_id=employee.unit_id).values_list("pk", flat=True))


def peer_devices(*, employee: Employee, source: Device) -> list[Device]:
    """The other approved machines at the employee's sites."""
    site_ids = employee_site_ids(employee) | ({source.site_id} if source.site_id else set())
    return list(Device.objects.filter(site_id__in=site_ids, status=DeviceStatus.APPROVED)
                .exclude(pk=source.pk).select_related("city", "site__city"))


def _sync_commands(*, employee: Employee, user: DeviceUser | None, templates: list[DeviceTemplate],
                   target: Device) -> list[tuple[str, str]]:
    pin = devices.device_pin_for(employee=employee, device=target)
    if not pin:
        return []
    name = user.name if user else employee.name
    privilege, card = (user.privilege, user.card) if user else (0, "")
    DeviceUser.objects.update_or_create(device=target, pin=pin, defaults={
        "name": name[:100], "privilege": privilege, "card": card, "employee": employee})
    commands = [(adms.user_update_command(pin=pin, name=name, privilege=privilege, card=card),) * 2]
    for template in templates:
        fields = vault.unseal(template.sealed, purpose=device_queue.TEMPLATE_PURPOSE)
        # What the target will hold, so its echo of our command is known and not sent on again.
        DeviceTemplate.objects.update_or_create(
            device=target, pin=pin, kind=template.kind, bio_type=template.bio_type, index=template.index,
            defaults={"size": template.size, "sealed": template.sealed, "employee": employee, "pending": False})
        commands.append((adms.template_update_command(pin=pin, kind=template.kind, fields=fields, shown=True),
                         adms.template_update_command(pin=pin, kind=template.kind, fields=fields)))
    return commands


def _same_template(template: DeviceTemplate, fields: dict) -> bool:
    try:
        held = vault.unseal(template.sealed, purpose=device_queue.TEMPLATE_PURPOSE)
    except vault.SecretUnreadable:
        return False
    return adms.template_body(held) == adms.template_body(fields)


def sync_employee(*, employee: Employee, source: Device, user: DeviceUser | None,
                  templates: list[DeviceTemplate], reason: str) -> int:
    queued = 0
    for target in peer_devices(employee=employee, source=source):
        commands = _sync_commands(employee=employee, user=user, templates=templates, target=target)
        queued += len(device_queue.commands_queue_system(device=target, commands=commands, reason=reason))
    return queued


@transaction.atomic
def device_users_receive(*, device: Device, table: str, body: str, stamp: str = "",
                         now: dt.datetime | None = None) -> DeviceUpload:
    """Stores a USERINFO/FINGERTMP/FACE/BIODATA (or OPERLOG) upload and sends enrolments on to peer machines."""
    users, templates, errors, other = adms.parse_user_table(table, body)
    employees = devices.employees_by_pin(city=device.city, pins={line.pin for line in users + templates},
                                         device=device)
    changed: dict[int, dict] = {}  # employee id -> {"user": DeviceUser | None, "templates": [...]}
    for line in users:
        employee_id = employees.get(line.pin)
        user, created = DeviceUser.objects.get_or_create(device=device, pin=line.pin, defaults={
            "name": line.name, "privilege": line.privilege, "card": line.card, "employee_id": employee_id})
        values = (line.name, line.privilege, line.card, employee_id)
        if not created and (user.name, user.privilege, user.card, user.employee_id) != values:
            user.name, user.privilege, user.card, user.employee_id = values
            user.save()
        elif not created:
            continue
        if employee_id:
            changed.setdefault(employee_id, {"user": None, "templates": []})["user"] = user
    pending = []
    for line in templates:
        employee_id = employees.get(line.pin)
        key = {"device": device, "pin": line.pin, "kind": line.kind, "bio_type": line.bio_type, "index": line.index}
        known = DeviceTemplate.objects.filter(**key).first()
        if known is not None and known.employee_id == employee_id and _same_template(known, line.fields):
            continue  # pushed again, or the machine echoing what we sent it: nothing to send on
        sealed = vault.seal(line.fields, purpose=device_queue.TEMPLATE_PURPOSE)
        template, _created = DeviceTemplate.objects.update_or_create(
            **key, defaults={"size": line.size, "sealed": sealed, "employee_id": employee_id,
                             "pending": employee_id is None})
        if employee_id:
            changed.setdefault(employee_id, {"user": None, "templates": []})["templates"].append(template)
        else:
            pending.append(adms.LineError(line.number, adms._shown(line.text), _(
                "PIN %(pin)s belum dipetakan ke pegawai; templat disimpan menunggu, tidak diteruskan.")
                % {"pin": line.pin}))
    if table == "OPERLOG":
        devices.device_stamp_advance(device=device, field="operlog_stamp", stamp=stamp)
    queued = 0
    for employee in Employee.objects.filter(pk__in=changed):
        entry = changed[employee.pk]
        user = entry["user"] or DeviceUser.objects.filter(device=device, employee=employee).first()
        queued += sync_employee(employee=employee, source=device, user=user, templates=entry["templates"],
                                reason=_("Pendaftaran di mesin %(device)s diteruskan.") % {"device": device})
    listed = sorted(errors + pending, key=lambda error: error.number)
    upload = DeviceUpload.objects.create(
        device=device, table=table[:20], stamp=stamp[:32], lines=len(users) + len(templates) + len(errors) + other,
        accepted=len(users) + len(templates) + other, rejected=len(errors), flagged=len(pending),
        errors=[error.as_dict() for error in listed[:devices.MAX_STORED_ERRORS]])
    if users or templates:
        audit_record(actor=None, action=AuditAction.CREATE, obj=upload, note=_(
            "%(users)d pengguna, %(templates)d templat (%(pending)d menunggu PIN); %(queued)d perintah ke mesin lain.")
            % {"users": len(users), "templates": len(templates), "pending": len(pending), "queued": queued})
    return upload


@transaction.atomic
def device_sync_reconcile(*, city, now: dt.datetime | None = None) -> dict[str, int]:
    """Sends resolved pending templates on and removes people who left from the machines that hold them."""
    now = now or timezone.now()
    resolved = 0
    for template in DeviceTemplate.objects.filter(device__city=city, pending=True).select_related("device"):
        employee_id = devices.employees_by_pin(city=city, pins={template.pin}, device=template.device).get(
            template.pin)
        if employee_id is None:
            continue
        template.employee_id, template.pending = employee_id, False
        template.save(update_fields=["employee", "pending"])
        employee = Employee.objects.get(pk=employee_id)
        sync_employee(employee=employee, source=template.device, user=None, templates=[template],
                      reason=_("Templat menunggu kini terpetakan ke %(name)s.") % {"name": employee})
        resolved += 1
    removed = 0
    held = DeviceUser.objects.filter(device__city=city, device__status=DeviceStatus.APPROVED,
                                     employee__isnull=False).select_related("employee", "device")
    for user in held:
        employee = user.employee
        gone = not employee.active or (user.device.site_id and user.device.site_id not in employee_site_ids(employee))
        if not gone:
            continue
        command = adms.user_delete_command(pin=user.pin)
        device_queue.commands_queue_system(device=user.device, commands=[(command, command)], reason=_(
            "%(name)s tidak lagi bertugas di lokasi mesin ini (nonaktif atau mutasi).") % {"name": employee})
        DeviceTemplate.objects.filter(Q(device=user.device, pin=user.pin)).delete()
        user.delete()
        removed += 1
    return {"resolved": resolved, "removed": removed}
