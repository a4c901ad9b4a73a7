"""Background jobs of the core app (Huey)."""

import datetime as dt

from django.utils import timezone
from huey.contrib.djhuey import HUEY, db_task

from satulayar.core.events import events_prune
from satulayar.core.jobs import pending_job_execute, pending_jobs_resume
from satulayar.core.schedules import city_crontab, job_runs_prune, job_runs_resume, single_periodic_task


@single_periodic_task(city_crontab(minute="23"))
def events_prune_hourly():
    """Live events are kept a day: enough for any stream to resume, small enough to poll quickly. Run records of
    periodic jobs are kept two days (a nightly job must still find last night's)."""
    job_runs_prune()
    return events_prune()


@db_task()
def pending_job_run(job_id: int):
    return pending_job_execute(job_id)


@single_periodic_task(city_crontab(minute="*"))
def pending_jobs_resume_tick():
    """Jobs of a worker that died (on any host) go out again, and periodic jobs it cut off."""
    job_runs_resume()
    return pending_jobs_resume()


def _minute_tick(task, now: dt.datetime) -> bool:
    return all(task.validate_datetime(now + dt.timedelta(minutes=n)) for n in range(3))


def worker_started() -> list[str]:
    """A starting worker takes up the jobs a stopped one left and runs the minute ticks at once, not at the next
    minute (a connector cut off by the stop is pulled again now). Returns the ticks sent."""
    pending_jobs_resume()
    job_runs_resume()
    now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)
    ticks = [task for task in HUEY._registry.periodic_tasks if _minute_tick(task, now)]
    for task in ticks:
        HUEY.enqueue(task)
    return [task.name for task in ticks]
