"""Background jobs of the attendance app (Huey)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from satulayar.attendance.models import Punch


def selfie_retention_days() -> int:
    return int(getattr(settings, "ATTENDANCE_SELFIE_RETENTION_DAYS", 30))


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


@db_periodic_task(crontab(hour="2", minute="17"))
def selfies_purge():
    return selfies_purge_expired()


@db_periodic_task(crontab(hour="0", minute="10"))
def daily_status_close():
    """Turns yesterday's days without punches into TK. Two days back, since a night shift ends the next day."""
    from satulayar.attendance.status import daily_status_rebuild, local_today
    from satulayar.org.models import City

    for city in City.objects.all():
        today = local_today(city)
        daily_status_rebuild(city=city, start=today - dt.timedelta(days=2), end=today - dt.timedelta(days=1))


@db_task()
def daily_status_refresh_job(pairs: list[tuple[int, dt.date]]):
    """The statuses of a large ingest batch, computed in the worker at the time it runs."""
    from satulayar.attendance.status import daily_status_refresh

    return daily_status_refresh(pairs=pairs)
