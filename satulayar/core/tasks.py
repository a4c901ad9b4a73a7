"""Background jobs of the core app (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from satulayar.core.events import events_prune


@db_periodic_task(crontab(minute="23"))
def events_prune_hourly():
    """Live events are kept a day: enough for any stream to resume, small enough to poll quickly."""
    return events_prune()
