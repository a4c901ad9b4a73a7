"""Every periodic job runs at its intended hour on the city's clock (WITA), and one run at a time."""

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

from satulayar.core.schedules import city_crontab, run_lock
from satulayar.integrations.models import Run

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
EVERY_MINUTE = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
# Each periodic task and the WITA wall-clock times of one day at which it must run; a new task needs a line here.
INTENDED = {
    "daily_status_close": ["00:10"],
    "selfies_purge": ["02:17"],
    "events_prune_hourly": [f"{h:02d}:23" for h in range(24)],
    "connectors_tick": EVERY_MINUTE,
    "alerts_check": EVERY_MINUTE,
    "pending_jobs_resume_tick": EVERY_MINUTE,
    "daily_status_time_passes": [f"{h:02d}:{m:02d}" for h in range(24) for m in range(0, 60, 5)],
    "integrity_nightly": ["01:40"],
    "device_sync_reconcile": [f"{h:02d}:{m:02d}" for h in range(24) for m in (7, 22, 37, 52)],
    "devices_pull": EVERY_MINUTE,
}


@pytest.fixture(autouse=True)
def no_locks_left():
    """A worker killed by a crash test may have left a lock in the queue file this process shares."""
    HUEY.flush_locks(*INTENDED)
    yield


def huey_minutes_of(day: dt.date) -> list[dt.datetime]:
    """The timestamps Huey's scheduler passes over one WITA day: naive UTC, one a minute."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=WITA).astimezone(dt.UTC).replace(tzinfo=None)
    return [start + dt.timedelta(minutes=n) for n in range(24 * 60)]


def periodic_tasks() -> dict:
    autodiscover_modules("tasks")  # what the consumer does when it starts
    return {task.name: task for task in HUEY._registry.periodic_tasks}


def test_huey_hands_schedules_utc_and_every_periodic_task_is_listed():
    assert HUEY.utc is True
    assert set(periodic_tasks()) == set(INTENDED)


@pytest.mark.parametrize("name", sorted(INTENDED))
def test_each_periodic_task_runs_at_its_intended_wita_time(name):
    task = periodic_tasks()[name]
    day = dt.date(2026, 12, 7)
    ran = [f"{minute.replace(tzinfo=dt.UTC).astimezone(WITA):%H:%M}"
           for minute in huey_minutes_of(day) if task.validate_datetime(minute)]
    assert ran == INTENDED[name]


def test_the_nightly_close_is_not_at_ten_past_midnight_utc():
    close = periodic_tasks()["daily_status_close"]
    assert close.validate_datetime(dt.datetime(2026, 12, 6, 16, 10))  # 00:10 WITA
    assert not close.validate_datetime(dt.datetime(2026, 12, 7, 0, 10))  # 08:10 WITA, the morning peak


def test_city_crontab_follows_the_configured_zone(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    nightly = city_crontab(hour="0", minute="10")
    assert nightly(dt.datetime(2026, 12, 6, 17, 10))  # 00:10 WIB
    assert not nightly(dt.datetime(2026, 12, 6, 16, 10))
    with pytest.raises(ValueError):
        city_crontab(hour="25")


@pytest.mark.parametrize("name", sorted(INTENDED))
def test_a_second_run_is_skipped_while_the_first_holds_the_lock(db, name):
    task = periodic_tasks()[name]
    wrapper = getattr(importlib.import_module(type(task).__module__), name)  # its call_local keeps the test's db open
    with run_lock(name), pytest.raises(TaskLockedException):
        wrapper.call_local()
    with run_lock(name):  # let go of again
        pass


def test_a_locked_connectors_tick_pulls_nothing(db):
    from satulayar.integrations.tasks import connectors_tick

    with run_lock("connectors_tick"), pytest.raises(TaskLockedException):
        connectors_tick.call_local()  # the consumer logs "not run, unable to acquire lock" and goes on
    assert not Run.objects.exists()
    assert not HUEY.is_locked("connectors_tick")


def test_the_consumer_flushes_locks_a_killed_worker_left():
    from django.conf import settings

    assert settings.HUEY["consumer"]["flush_locks"] is True
    periodic_tasks()
    assert set(INTENDED) <= {key.split(".lock.")[-1] for key in HUEY._locks}  # what a starting consumer flushes
    HUEY.lock_task("connectors_tick").acquire()
    assert "connectors_tick" in HUEY.flush_locks()
    assert not HUEY.is_locked("connectors_tick")
