"""Two workers schedule every periodic job: it runs once per due minute, and a run cut off by a dead worker runs
again in another. The multi-process version of this, with real workers, is tests/test_many_processes.py."""

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import zoneinfo

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

from satulayar.core.models import JobRun
from satulayar.core.schedules import (
    advisory_key,
    city_crontab,
    due_minute,
    huey_clock,
    job_run_claim,
    job_runs_prune,
    job_runs_resume,
    run_lock,
)

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NIGHTLY = city_crontab(hour="1", minute="40")  # integrity_nightly's


@pytest.fixture(autouse=True)
def empty_queue():
    HUEY.flush()
    yield
    HUEY.flush()


def nightly():
    from satulayar.integrity.tasks import integrity_nightly

    return integrity_nightly


def test_the_due_minute_is_the_latest_the_schedule_matches_on_the_city_clock():
    close = city_crontab(hour="0", minute="10")
    at = dt.datetime(2026, 12, 7, 0, 12, 31, tzinfo=WITA)
    assert due_minute(close, huey_clock(at)) == dt.datetime(2026, 12, 7, 0, 10, tzinfo=WITA)
    assert due_minute(close, huey_clock(at - dt.timedelta(minutes=3))) == dt.datetime(2026, 12, 6, 0, 10, tzinfo=WITA)
    assert due_minute(city_crontab(minute="*"), huey_clock(at)) == dt.datetime(2026, 12, 7, 0, 12, tzinfo=WITA)
    assert due_minute(city_crontab(day="31", month="2"), huey_clock(at)) is None


def test_the_nightly_job_sent_by_two_schedulers_runs_once(db):
    task = nightly()
    task.call_local()
    task.call_local()  # the second worker's copy of the same due minute
    run = JobRun.objects.get(name="integrity_nightly")
    assert run.finished_at is not None and run.attempts == 1


def test_a_cut_off_run_is_sent_again_and_runs_again(db):
    due = due_minute(NIGHTLY, huey_clock())
    JobRun.objects.create(name="integrity_nightly", due_at=due, claimed_by="host-gone:1")
    assert job_runs_resume() == ["integrity_nightly"]
    assert len(HUEY) == 1
    nightly().call_local()
    run = JobRun.objects.get(name="integrity_nightly")
    assert run.finished_at is not None and run.attempts == 2


def test_a_running_or_finished_or_stale_run_is_not_sent_again(db):
    due = due_minute(NIGHTLY, huey_clock())
    JobRun.objects.create(name="integrity_nightly", due_at=due, claimed_by=f"{socket.gethostname()}:{os.getpid()}")
    JobRun.objects.create(name="selfies_purge", due_at=due_minute(city_crontab(hour="2", minute="17"), huey_clock()),
                          claimed_by="host-gone:1", finished_at=due)
    JobRun.objects.create(name="connectors_tick", due_at=due - dt.timedelta(days=1), claimed_by="host-gone:1")
    assert job_runs_resume() == []
    assert len(HUEY) == 0


def test_a_finished_run_is_not_claimed_again(db):
    due = dt.datetime(2026, 12, 6, 16, 10, tzinfo=dt.UTC)
    first = job_run_claim(name="daily_status_close", due_at=due)
    JobRun.objects.filter(pk=first.pk).update(finished_at=due)
    assert job_run_claim(name="daily_status_close", due_at=due) is None


def test_run_records_older_than_two_days_are_pruned(db):
    now = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    JobRun.objects.create(name="connectors_tick", due_at=now - dt.timedelta(days=3), claimed_by="a:1")
    kept = JobRun.objects.create(name="daily_status_close", due_at=now - dt.timedelta(days=1), claimed_by="a:1")
    assert job_runs_prune(now=now) == 1
    assert list(JobRun.objects.all()) == [kept]


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_run_lock_is_let_go_by_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; on SQLite the consumer flushes Huey's locks when it starts")
    params = connection.settings_dict
    holder = subprocess.Popen([sys.executable, "-c", (
        "import psycopg, sys, time; c = psycopg.connect(sys.argv[1], autocommit=True); "
        "c.execute('SELECT pg_advisory_lock(%s)', [int(sys.argv[2])]); print('held', flush=True); time.sleep(60)"),
        f"dbname={params['NAME']} user={params['USER']} password={params['PASSWORD']} "
        f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432}", str(advisory_key("daily_status_close"))],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TaskLockedException), run_lock("daily_status_close"):
            pass
    finally:
        holder.kill()
        holder.wait()
    for _ in range(50):  # the server notices the dropped connection at once, give or take a scheduling slice
        try:
            with run_lock("daily_status_close"):
                return
        except TaskLockedException:
            time.sleep(0.1)
    pytest.fail("the dead holder's lock was not let go")


def test_a_failed_run_is_over_and_not_sent_again(db):
    from satulayar.core.schedules import single_periodic_task

    def broken_nightly():
        raise RuntimeError("the department's database is down")

    task = single_periodic_task(NIGHTLY)(broken_nightly)
    try:
        with pytest.raises(RuntimeError):
            task.call_local()
        run = JobRun.objects.get(name="broken_nightly")
        assert run.finished_at is not None and run.attempts == 1
        assert job_runs_resume() == []
    finally:
        HUEY._registry.unregister(task.task_class)
