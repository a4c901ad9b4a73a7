"""Large ingest batches leave their daily statuses to a Huey job; a single check-in shows its status at once."""

import datetime as dt

import pytest
from huey.contrib.djhuey import HUEY

from satulayar.attendance.choices import DayStatus, PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.models import DailyStatus, UnitDay
from satulayar.core.time import zone_named

WITA = zone_named("Asia/Makassar")
MONDAY = dt.date(2018, 1, 8)
NOW = dt.datetime(2018, 1, 8, 9, 0, tzinfo=WITA)


@pytest.fixture
def huey_immediate():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def rows(employees, minutes: int = 0) -> list[PunchRow]:
    return [PunchRow(employee_id=e.pk, at=dt.datetime(2018, 1, 8, 7, 20 + minutes, tzinfo=WITA)) for e in employees]


def test_a_single_punch_refreshes_its_status_in_the_request(org, settings, django_capture_on_commit_callbacks):
    settings.ATTENDANCE_STATUS_SYNC_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=rows([org.staff.p2p]), source=PunchSource.MOBILE, now=NOW)
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=MONDAY).status == DayStatus.PRESENT
    assert UnitDay.objects.get(unit=org.p2p, date=MONDAY).present == 1


def test_a_large_batch_is_stored_now_and_its_statuses_follow_in_the_job(org, settings, huey_immediate,
                                                                          django_capture_on_commit_callbacks):
    settings.ATTENDANCE_STATUS_SYNC_MAX_ROWS = 1
    staff = [org.staff.p2p, org.staff.dinkes, org.staff.kominfo]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = punches_ingest(city=org.city, rows=rows(staff), source=PunchSource.DEVICE, now=NOW)
    assert result.accepted == 3 and not DailyStatus.objects.exists()  # nothing derived inside the request
    for callback in callbacks:
        callback()  # the commit: the job is enqueued (run at once here)
    assert DailyStatus.objects.filter(date=MONDAY, status=DayStatus.PRESENT).count() == 3
    assert sum(UnitDay.objects.filter(date=MONDAY).values_list("present", flat=True)) == 3
    # Idempotent: the same batch again stores nothing and enqueues nothing.
    with django_capture_on_commit_callbacks(execute=True) as again:
        repeat = punches_ingest(city=org.city, rows=rows(staff), source=PunchSource.DEVICE, now=NOW)
    assert (repeat.accepted, repeat.duplicates, len(again)) == (0, 3, 0)
