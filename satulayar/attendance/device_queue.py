"""Commands the server itself queues for machines (keeping them in step, setting their clock), and their retries.

An admin's command goes through `devices.device_command_queue`; these are queued by the system with no actor,
audited one by one and announced by one live event per batch. A command carrying a biometric template keeps the
template sealed in `wire_sealed` and shows `command` with the template left out.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from satulayar.attendance.choices import CommandStatus
from satulayar.attendance.models import Device, DeviceCommand
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core import vault
from satulayar.core.events import attendance_channel, event_publish

TEMPLATE_PURPOSE = "device-templates"
RESULT_TIMEOUT = dt.timedelta(minutes=10)  # a sent command without a result by then is sent again
PERMANENT_FAILURES = {-1002, -1004}  # bad syntax, table not supported: sending again changes nothing
# Only commands that do the same thing twice are sent again (an admin's REBOOT is not).
REPEATABLE = ("DATA UPDATE ", "DATA DELETE ", "SET OPTIONS DateTime=")


def max_attempts() -> int:
    return int(settings.ATTENDANCE_DEVICE_COMMAND_ATTEMPTS)


@transaction.atomic
def commands_queue_system(*, device: Device, commands: list[tuple[str, str]], reason: str) -> list[DeviceCommand]:
    """Queues (shown, wire) pairs for one machine; wire differs from shown only when it carries a template."""
    queued = []
    for shown, wire in commands:
        command = DeviceCommand.objects.create(
            device=device, command=shown[:500],
            wire_sealed=vault.seal(wire, purpose=TEMPLATE_PURPOSE) if wire != shown else "")
        after = snapshot(command)
        after.pop("wire_sealed", None)
        audit_record(actor=None, action=AuditAction.CREATE, obj=command,
                     object_repr=f"{device}: {command.command}"[:255], after=after, note=reason[:255])
        queued.append(command)
    if queued:
        event_publish(channel=attendance_channel(device.city_id), kind="device.sync_queued",
                      data={"device": device.pk, "commands": len(queued), "reason": reason[:100]})
    return queued


def wire_text(command: DeviceCommand) -> str:
    """What the machine is sent: the sealed text when there is one."""
    return vault.unseal(command.wire_sealed, purpose=TEMPLATE_PURPOSE) if command.wire_sealed else command.command


def retry_due(now: dt.datetime) -> Q:
    """Commands to hand out again: failed for a reason that may pass, or sent and never answered."""
    stale = Q(status=CommandStatus.SENT, sent_at__lt=now - RESULT_TIMEOUT)
    failed = Q(status=CommandStatus.FAILED) & ~Q(return_code__in=PERMANENT_FAILURES)
    repeatable = Q()
    for prefix in REPEATABLE:
        repeatable |= Q(command__startswith=prefix)
    return (stale | failed) & repeatable & Q(attempts__lt=max_attempts())


def queued_or_retry(now: dt.datetime | None = None) -> Q:
    return Q(status=CommandStatus.QUEUED) | retry_due(now or timezone.now())
