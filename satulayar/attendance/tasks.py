"""Background jobs of the attendance app (Huey)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from satulayar.attendance.models import Punch
from satulayar.core.schedules import city_crontab, single_periodic_task
from satulayar.core.time import local_date


def selfie_retention_days() -> int:
    return int(settings.ATTENDANCE_SELFIE_RETENTION_DAYS)


def selfies_purge_expired(*, now: dt.datetime | None = None, retention_days: int | None = None) -> int:
    """Deletes check-in selfies older than the retention period and clears the field; returns how many."""
    days = selfie_retention_days() if retention_days is None else retention_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    expired = Punch.objects.filter(received_at__lt=cutoff).exclude(selfie="").exclude(selfie__isnull=True)
    purged = 0
    for punch in expired.only("pk", "selfie").iterator(chunk_size=500):
        punch.selfie.storage.delete(punch.selfie.name)  # a file already gone is not an error
        Punch.objects.filter(pk=punch.pk).update(selfie=None)
        purged += 1
    return purged


@single_periodic_task(city_crontab(hour="2", minute="17"))
def selfies_purge():
    return selfies_purge_expired()


@single_periodic_task(city_crontab(hour="0", minute="10"))
def daily_status_close():
    """Turns yesterday's days without punches into TK. Two days back, since a night shift ends the next day."""
    from satulayar.attendance.status import daily_status_rebuild
    from satulayar.org.models import City

    for city in City.objects.all():
        today = local_date(city)
        daily_status_rebuild(city=city, start=today - dt.timedelta(days=2), end=today - dt.timedelta(days=1))


@single_periodic_task(city_crontab(minute="*/5"))
def daily_status_time_passes():
    """Opens each city's day once its local date starts (every scheduled ASN `belum_hadir`), and applies time
    passing to the rows it changes (a day ending: TK, no departure punch; a future punch whose time came)."""
    from satulayar.attendance.status import daily_status_tick

    return daily_status_tick()


def daily_status_refresh_pairs(*, pairs: list[list]) -> int:
    """The statuses of a large ingest batch (a core.jobs pending job), computed in the worker when it runs."""
    from satulayar.attendance.status import daily_status_refresh

    return daily_status_refresh(pairs=[(employee_id, dt.date.fromisoformat(day)) for employee_id, day in pairs])


@single_periodic_task(city_crontab(minute="7,22,37,52"))
def device_sync_reconcile():
    """Machines kept in step: pending templates sent on once their PIN maps, people who left removed."""
    from satulayar.attendance.device_sync import device_sync_reconcile as reconcile
    from satulayar.org.models import City

    return {city.slug: reconcile(city=city) for city in City.objects.all()}


@single_periodic_task(city_crontab(minute="*"))
def devices_pull():
    """Reads every pull-mode machine whose next pull is due (each every 10 minutes, later after failures)."""
    from satulayar.attendance.pull import devices_pull_due

    return devices_pull_due()
