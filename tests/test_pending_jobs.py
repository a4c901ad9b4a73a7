"""Pending jobs (core.jobs): claimed by one live worker at a time, handed out again when their worker died."""

import datetime as dt
import os
import socket
import subprocess

import pytest
from django.utils import timezone

from satulayar.core import jobs
from satulayar.core.models import PendingJob

TASK = "satulayar.attendance.tasks.daily_status_refresh_pairs"


def dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def job(**fields) -> PendingJob:
    return PendingJob.objects.create(task=TASK, kwargs={"pairs": []}, **fields)


def test_a_wrong_task_path_fails_when_written(db):
    with pytest.raises(ImportError):
        jobs.pending_job_add(task="satulayar.nowhere.job", kwargs={})
    assert not PendingJob.objects.exists()


def test_a_job_runs_once_and_is_gone(db):
    pending = job()
    assert jobs.pending_job_execute(pending.pk) is True
    assert not PendingJob.objects.exists()
    assert jobs.pending_job_execute(pending.pk) is False  # a second message for it finds nothing


def test_a_live_workers_claim_is_respected_and_a_dead_ones_taken_over(db):
    now = timezone.now()
    host = socket.gethostname()
    alive = job(claimed_by=f"{host}:{os.getpid()}", claimed_at=now)
    dead = job(claimed_by=f"{host}:{dead_pid()}", claimed_at=now)
    elsewhere = job(claimed_by="other-host:1", claimed_at=now)
    expired = job(claimed_by="other-host:2", claimed_at=now - jobs.lease() - dt.timedelta(seconds=1))
    assert jobs.pending_job_claim(alive.pk) is None
    assert jobs.pending_job_claim(elsewhere.pk) is None
    assert jobs.pending_job_claim(dead.pk).claimed_by == jobs.worker_id()
    assert jobs.pending_job_claim(expired.pk).attempts == 1


def test_orphans_are_dead_claims_expired_leases_and_old_unclaimed_jobs(db):
    now = timezone.now()
    host = socket.gethostname()
    fresh = job()
    old = job(created_at=now - dt.timedelta(minutes=2))
    dead = job(claimed_by=f"{host}:{dead_pid()}", claimed_at=now)
    alive = job(claimed_by=f"{host}:{os.getpid()}", claimed_at=now)
    expired = job(claimed_by="other-host:2", claimed_at=now - jobs.lease())
    assert sorted(jobs.pending_jobs_orphaned(now=now)) == sorted([old.pk, dead.pk, expired.pk])
    assert not {fresh.pk, alive.pk} & set(jobs.pending_jobs_orphaned(now=now))
