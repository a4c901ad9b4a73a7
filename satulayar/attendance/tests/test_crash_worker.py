"""The worker killed (SIGKILL) in the middle of a large batch's status refresh: the job is taken up again by the
next worker and the statuses come out whole, once each. A real `satulayar worker` on the test database."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.models import DailyStatus
from satulayar.attendance.status import daily_status_refresh
from satulayar.core.models import PendingJob
from tests import live_processes as live
from tests.factories import make_employee

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
EMPLOYEES, DAYS = 30, 120
FIRST_DAY = dt.date(2026, 6, 1)


def batch_statuses():
    """The batch's days only: a worker started at a five-minute mark also opens today (its periodic job)."""
    return DailyStatus.objects.filter(date__range=(FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAYS - 1)))


def statuses() -> list[tuple]:
    return sorted(batch_statuses().values_list("employee_id", "date", "status", "late_minutes", "first_in",
                                                  "last_out"))


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_status_refresh_finishes_it_after_restart(org, tmp_path):
    HUEY.flush()  # nothing of earlier runs in the queue this worker reads
    employees = [make_employee(org.dinkes, f"Pegawai Uji {n}") for n in range(EMPLOYEES)]
    rows = [PunchRow(employee_id=e.pk, at=dt.datetime.combine(FIRST_DAY + dt.timedelta(days=d), dt.time(7, 30 + n % 20),
                                                                WITA))
            for d in range(DAYS) for n, e in enumerate(employees)]
    result = punches_ingest(city=org.city, rows=rows, source=PunchSource.API)
    assert result.accepted == len(rows) and DailyStatus.objects.count() == 0
    job = PendingJob.objects.get()
    assert job.task == "satulayar.attendance.tasks.daily_status_refresh_pairs"

    env = live.process_env(settings.DATA_DIR)
    first = live.worker(env=env, log=tmp_path / "worker-1.log").start()
    second = live.worker(env=env, log=tmp_path / "worker-2.log")
    try:
        live.wait_for(lambda: batch_statuses().exists(), timeout=40, what="the refresh to begin writing")
        first.kill()
        partial = batch_statuses().count()
        assert 0 < partial < len(rows), f"killed too late: {partial} of {len(rows)}"
        job.refresh_from_db()
        assert job.claimed_by.endswith(f":{first.pid}") and job.attempts == 1

        second.start()
        live.wait_for(lambda: not PendingJob.objects.exists(), timeout=45, what="the job to be taken up again")
    finally:
        first.kill()
        second.stop()
        HUEY.flush()  # what the killed worker left (its locks) is not for the next test

    after_restart = statuses()
    assert len(after_restart) == len(rows)  # one status per employee and day, none twice
    daily_status_refresh(pairs=result.touched)  # the reference: the same refresh, uninterrupted
    assert statuses() == after_restart
    assert "runs again, attempt 2" in second.log.read_text()
