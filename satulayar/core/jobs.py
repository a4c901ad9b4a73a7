"""Background jobs that survive a killed worker.

Huey takes a message off its queue before running it, so a worker killed mid-job (SIGKILL, out of memory, a
reboot) loses the job. A job that must not be lost is written as a PendingJob row in the same transaction as
the data it follows up (an outbox), and Huey only carries its id. The worker claims the row, runs the function
and deletes the row; a row whose worker died is handed out again (`pending_jobs_resume`: when a worker starts,
and every minute). The functions run this way must be idempotent (recompute, upsert): a job cut off half-way
simply runs again.
"""

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from satulayar.core.models import PendingJob

log = logging.getLogger(__name__)
# A job not claimed this long after it was written lost its Huey message (or waits behind a long queue: sending
# it again is harmless, a finished job is gone).
UNCLAIMED_RESEND_AFTER = dt.timedelta(seconds=60)


def lease() -> dt.timedelta:
    """A claim older than this is taken as dead even when its worker runs on another host."""
    return dt.timedelta(seconds=settings.PENDING_JOB_LEASE_SECONDS)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claimer_alive(claimed_by: str) -> bool:
    """Whether the worker of a claim still runs; one on another host is believed alive until its lease ends."""
    host, _sep, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pending_job_add(*, task: str, kwargs: dict) -> PendingJob:
    """Writes the job with the caller's transaction; it is sent to the worker once that commits."""
    import_string(task)  # a wrong path fails here, in the request, not later in the worker
    job = PendingJob.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(lambda: _send(job.pk), robust=True)
    return job


def _send(job_id: int) -> None:
    from satulayar.core.tasks import pending_job_run

    pending_job_run(job_id)


def pending_job_claim(job_id: int, *, now: dt.datetime | None = None) -> PendingJob | None:
    """Takes the job for this worker, unless it is done or a live worker has it."""
    now = now or timezone.now()
    with transaction.atomic():
        job = PendingJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        if job.claimed_by and claimer_alive(job.claimed_by) and job.claimed_at > now - lease():
            return None
        job.claimed_by, job.claimed_at, job.attempts = worker_id(), now, job.attempts + 1
        job.save(update_fields=["claimed_by", "claimed_at", "attempts"])
    return job


def pending_job_execute(job_id: int) -> bool:
    """Runs the job if this worker could claim it; the row goes once the function has returned."""
    job = pending_job_claim(job_id)
    if job is None:
        return False
    if job.attempts > 1:
        log.warning("pending job %s (%s) runs again, attempt %s", job.pk, job.task, job.attempts)
    import_string(job.task)(**job.kwargs)
    PendingJob.objects.filter(pk=job.pk).delete()
    return True


def pending_jobs_orphaned(*, now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    jobs = PendingJob.objects.filter(Q(claimed_by="", created_at__lte=now - UNCLAIMED_RESEND_AFTER)
                                     | ~Q(claimed_by=""))
    return [job.pk for job in jobs.only("pk", "claimed_by", "claimed_at", "created_at")
            if not job.claimed_by or not claimer_alive(job.claimed_by) or job.claimed_at <= now - lease()]


def pending_jobs_resume(*, now: dt.datetime | None = None) -> int:
    """Sends again every job whose worker died or whose message was lost; returns how many."""
    orphaned = pending_jobs_orphaned(now=now)
    for job_id in orphaned:
        _send(job_id)
    if orphaned:
        log.warning("resumed %s background jobs left by a stopped worker", len(orphaned))
    return len(orphaned)
