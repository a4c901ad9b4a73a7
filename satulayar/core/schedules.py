"""Periodic jobs on the city's clock, one run at a time.

Huey matches a crontab against the time it is given, and it gives UTC (its `utc` setting, on here): a plain
`crontab(hour="0", minute="10")` ran the nightly close at 08:10 WITA, in the morning punch peak. Every periodic
task therefore takes its schedule from `city_crontab`, which matches the city's wall clock (TIME_ZONE).

Every worker runs Huey's scheduler, so with two workers every periodic job is sent twice each time it is due.
`single_periodic_task` makes one run of it: the run holds a lock while it runs (a PostgreSQL advisory lock on a
connection of its own, which the server lets go of when the worker dies however it dies; on SQLite, one machine,
a lock in Huey's storage, flushed by a starting consumer), and claims a `JobRun` row for the minute it was due.
A copy that finds the lock held is skipped (a tick that outlasts its minute is not started twice); one that finds
the minute's run finished is skipped too (the nightly close runs once, not once per worker). A run whose worker
died mid-job is left unfinished: `job_runs_resume` (every minute and when a worker starts) sends it again while its
minute is still the latest due, and the next worker to hold the lock runs it again.
"""

import datetime as dt
import functools
import hashlib
import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from satulayar.core.jobs import claimer_alive, worker_id
from satulayar.core.models import JobRun
from satulayar.core.time import zone_named

log = logging.getLogger(__name__)
JOB_RUNS_KEPT = dt.timedelta(days=2)


def city_crontab(*, minute: str = "*", hour: str = "*", day: str = "*", month: str = "*",
                 day_of_week: str = "*") -> Callable[[dt.datetime], bool]:
    """A crontab read in the city's zone; Huey calls it with its own clock (naive UTC)."""
    matches = crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, strict=True)

    def validate(timestamp: dt.datetime) -> bool:
        utc = timestamp.replace(tzinfo=dt.UTC) if timestamp.tzinfo is None else timestamp
        return matches(utc.astimezone(zone_named(settings.TIME_ZONE)).replace(tzinfo=None))

    validate.schedule = {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": day_of_week}
    return validate


def huey_clock(now: dt.datetime | None = None) -> dt.datetime:
    """The time as Huey's scheduler gives it to a crontab: naive UTC."""
    return (now or timezone.now()).astimezone(dt.UTC).replace(tzinfo=None)


def due_minute(schedule: Callable[[dt.datetime], bool], clock: dt.datetime) -> dt.datetime | None:
    """The latest minute at or before `clock` (Huey's clock) the schedule matches, within a day, as aware UTC."""
    minute = clock.replace(second=0, microsecond=0)
    for _ in range(24 * 60 + 1):
        if schedule(minute):
            return minute.replace(tzinfo=dt.UTC)
        minute -= dt.timedelta(minutes=1)
    return None


def advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def run_lock(name: str) -> Iterator[None]:
    """Held while one run of the job `name` runs, in any worker on any host; raises TaskLockedException if held."""
    if connection.vendor != "postgresql":
        with HUEY.lock_task(name):
            yield
        return
    import psycopg

    params = connection.settings_dict
    holder = psycopg.connect(dbname=params["NAME"], user=params["USER"], password=params["PASSWORD"],
                             host=params["HOST"] or None, port=params["PORT"] or None, autocommit=True)
    try:
        if not holder.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)]).fetchone()[0]:
            raise TaskLockedException(f"{name} runs in another worker")
        yield
    finally:
        holder.close()  # the session's end lets the lock go, as a dead worker's dropped connection does


def job_run_claim(*, name: str, due_at: dt.datetime) -> JobRun | None:
    """Claims the run of `name` due at `due_at` for this worker, or None when it finished. Called with the run
    lock held, so an unfinished run found here was cut off (its worker died): it runs again."""
    with transaction.atomic():
        run, created = JobRun.objects.get_or_create(name=name, due_at=due_at, defaults={"claimed_by": worker_id()})
        if created:
            return run
        if run.finished_at:
            return None
        run.claimed_by, run.started_at, run.attempts = worker_id(), timezone.now(), run.attempts + 1
        run.save(update_fields=["claimed_by", "started_at", "attempts"])
    log.warning("periodic job %s due %s runs again, attempt %s", name, due_at, run.attempts)
    return run


def _run_claimed(function, *, name: str, due_at: dt.datetime):
    run = job_run_claim(name=name, due_at=due_at)
    if run is None:
        log.info("periodic job %s due %s already ran", name, due_at)
        return None
    try:
        return function()
    finally:  # a run that failed is over too (Huey logs it): only a dead worker's run stays unfinished
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())


def single_periodic_task(schedule: Callable[[dt.datetime], bool]):
    """A Huey periodic task run once per due minute by all workers together (see the module's docstring)."""
    def decorate(function):
        name = function.__name__
        HUEY.lock_task(name)  # registers the name, so a starting consumer flushes the lock a killed worker left

        @functools.wraps(function)
        def run_once():
            due_at = due_minute(schedule, huey_clock())
            try:
                with run_lock(name):
                    return _run_claimed(function, name=name, due_at=due_at)
            except TaskLockedException:
                if not JobRun.objects.filter(name=name, due_at=due_at).exists():
                    raise  # a run of an earlier minute outlasts its interval: the consumer logs the skip
                log.info("periodic job %s due %s runs in another worker", name, due_at)  # its twin: say it quietly
                return None

        return db_periodic_task(schedule)(run_once)
    return decorate


def _cut_off(run: JobRun) -> bool:
    """Whether the run's worker is known to be gone; one on another host is left to the run lock to tell."""
    host = run.claimed_by.rpartition(":")[0]
    return host != socket.gethostname() or not claimer_alive(run.claimed_by)


def job_runs_resume(*, now: dt.datetime | None = None) -> list[str]:
    """Sends again each periodic job whose run for its latest due minute was cut off; returns their names."""
    clock = huey_clock(now)
    tasks = {task.name: task for task in HUEY._registry.periodic_tasks}
    recent = clock.replace(tzinfo=dt.UTC) - JOB_RUNS_KEPT
    unfinished = JobRun.objects.filter(finished_at=None, name__in=tasks, due_at__gte=recent)
    resent = [run.name for run in unfinished
              if run.due_at == due_minute(tasks[run.name].validate_datetime, clock) and _cut_off(run)]
    for name in resent:
        HUEY.enqueue(tasks[name])
    if resent:
        log.warning("periodic jobs cut off by a stopped worker sent again: %s", ", ".join(resent))
    return resent


def job_runs_prune(*, now: dt.datetime | None = None) -> int:
    deleted, _ = JobRun.objects.filter(due_at__lt=(now or timezone.now()) - JOB_RUNS_KEPT).delete()
    return deleted
