"""A machine's clock: the TimeZone its firmware expects, its drift from the server, and setting it right.

Drift is read from the machine's own punch times against the moment the server received them: a machine in
real-time mode uploads a punch within seconds, so its newest punch time minus the receipt time is how far its
clock is off (positive: ahead). A clock that seems behind is only believed from a small upload (a backlog after
an outage is old by nature). Beyond the limit (ATTENDANCE_DEVICE_DRIFT_LIMIT_S) a time-set command is queued
once; the time it carries is the server's at the moment the machine fetches it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance import adms, device_queue
from satulayar.attendance.choices import CommandStatus
from satulayar.attendance.models import Device

REALTIME_LINES = 3  # an upload this small came in real time
CLOCK_COMMAND_SHOWN = "SET OPTIONS DateTime=<jam server saat diambil>"


def drift_limit_s() -> int:
    return int(settings.ATTENDANCE_DEVICE_DRIFT_LIMIT_S)


def device_zone(device: Device) -> ZoneInfo:
    """The device's clock runs on its site's local time."""
    return (device.site.city if device.site_id else device.city).zone


def timezone_in_minutes(device: Device) -> bool:
    """Newer push firmware (version at least ATTENDANCE_ADMS_TZ_MINUTES_FROM) takes TimeZone in minutes."""
    return adms.push_version_at_least(device.push_version, settings.ATTENDANCE_ADMS_TZ_MINUTES_FROM)


def clock_check(*, device: Device, times: list[dt.datetime], now: dt.datetime | None = None) -> int | None:
    """Records the drift an upload shows (seconds, None when it shows none) and queues a time-set if needed."""
    if not times:
        return None
    now = now or timezone.now()
    newest = max(times).replace(tzinfo=device_zone(device))
    drift = round((newest - now).total_seconds())
    if drift < 0 and len(times) > REALTIME_LINES:
        return None
    Device.objects.filter(pk=device.pk).update(clock_drift_s=drift, clock_checked_at=now)
    device.clock_drift_s, device.clock_checked_at = drift, now
    open_commands = device.commands.filter(command=CLOCK_COMMAND_SHOWN,
                                           status__in=[CommandStatus.QUEUED, CommandStatus.SENT])
    if abs(drift) > drift_limit_s() and not open_commands.exists():
        device_queue.commands_queue_system(
            device=device, commands=[(CLOCK_COMMAND_SHOWN, CLOCK_COMMAND_SHOWN)],
            reason=_("Jam mesin selisih %(seconds)d detik dari jam server (batas %(limit)d).")
            % {"seconds": drift, "limit": drift_limit_s()})
    return drift


def clock_wire(device: Device, now: dt.datetime | None = None) -> str:
    return adms.clock_set_command((now or timezone.now()).astimezone(device_zone(device)).replace(tzinfo=None))
