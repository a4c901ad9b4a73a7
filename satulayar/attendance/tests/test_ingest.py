"""punches_ingest: one row per (employee, instant, source), exact counts, statuses refreshed for new rows only,
in the punches' own transaction.

Run on SQLite and on PostgreSQL (DATABASE_URL): the insert is driver-level SQL on both.
"""

import datetime as dt
import zoneinfo

import pytest

from satulayar.attendance import ingest as ingest_module
from satulayar.attendance import status
from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, future_cutoff, punches_ingest
from satulayar.attendance.models import Punch
from satulayar.core.models import Event

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=WITA)


def ingest(org, rows, source=PunchSource.DEVICE, **extra):
    return punches_ingest(city=org.city, rows=rows, source=source, now=NOW, **extra)


@pytest.fixture
def staff(org):
    return org.staff.dinkes.pk, org.staff.p2p.pk


def test_same_batch_twice_is_stored_once(org, staff):
    rows = [PunchRow(employee_id=staff[0], at=at(2, 7, 31)), PunchRow(employee_id=staff[1], at=at(2, 7, 45))]
    first = ingest(org, rows)
    second = ingest(org, rows)
    assert (first.accepted, first.duplicates, second.accepted, second.duplicates) == (2, 0, 0, 2)
    assert Punch.objects.count() == 2
    assert second.touched == set()


def test_duplicates_inside_one_batch_and_across_batches_are_counted_exactly(org, staff):
    a, b, c = (PunchRow(employee_id=staff[0], at=at(2, hour)) for hour in (7, 12, 16))
    same_instant_in_utc = PunchRow(employee_id=staff[0], at=at(2, 7).astimezone(dt.UTC))
    first = ingest(org, [a, a, b, same_instant_in_utc])
    assert (first.accepted, first.duplicates) == (2, 2)
    second = ingest(org, [b, c, c])
    assert (second.accepted, second.duplicates) == (1, 2)
    assert second.touched == {(staff[0], dt.date(2026, 11, 2))}
    assert Punch.objects.count() == 3


def test_one_instant_from_two_sources_is_two_punches(org, staff):
    row = PunchRow(employee_id=staff[0], at=at(2, 7, 31))
    assert ingest(org, [row]).accepted == 1
    assert ingest(org, [row], source=PunchSource.API).accepted == 1
    assert sorted(Punch.objects.values_list("source", flat=True)) == [PunchSource.API, PunchSource.DEVICE]


def test_touched_pairs_use_the_city_local_date(org, staff):
    # 23:30 UTC on 1 November is 07:30 on 2 November in Banjarmasin.
    result = ingest(org, [PunchRow(employee_id=staff[0], at=dt.datetime(2026, 11, 1, 23, 30, tzinfo=dt.UTC))])
    assert result.touched == {(staff[0], dt.date(2026, 11, 2))}


def test_large_batches_span_several_statements_with_exact_counts(org, staff, monkeypatch):
    monkeypatch.setattr(ingest_module, "POSTGRES_ROWS_PER_STATEMENT", 1000)  # SQLite splits by its own bind limit
    start = at(2, 0)
    rows = [PunchRow(employee_id=staff[i % 2], at=start + dt.timedelta(minutes=i)) for i in range(6000)]
    first = ingest(org, rows[:4000])
    assert (first.accepted, first.duplicates) == (4000, 0)
    second = ingest(org, rows[2000:])
    assert (second.accepted, second.duplicates) == (2000, 2000)
    assert Punch.objects.count() == 6000
    assert len(second.touched) == len({(r.employee_id, r.at.date()) for r in rows[4000:]})


def test_stored_fields_survive_the_raw_insert(org, staff):
    row = PunchRow(employee_id=staff[0], at=at(2, 7, 31, 5), device_state=1, verify_mode=15, lat=-3.3186,
                   lon=114.5944, accuracy_m=12.5, distance_m=40.2, note="catatan")
    ingest(org, [row], source=PunchSource.MOBILE)
    punch = Punch.objects.get()
    assert (punch.at, punch.device_state, punch.verify_mode, punch.lat, punch.lon, punch.accuracy_m,
            punch.distance_m, punch.note, punch.excluded, punch.future_flag, punch.received_at) == (
        at(2, 7, 31, 5), 1, 15, -3.3186, 114.5944, 12.5, 40.2, "catatan", False, False, NOW)


def test_future_punches_are_flagged_by_the_tolerance_setting(org, staff, settings):
    soon, later = NOW + dt.timedelta(minutes=4), NOW + dt.timedelta(minutes=6)
    result = ingest(org, [PunchRow(employee_id=staff[0], at=soon), PunchRow(employee_id=staff[0], at=later)])
    assert (result.accepted, result.flagged) == (2, 1)
    assert list(Punch.objects.order_by("at").values_list("future_flag", flat=True)) == [False, True]
    again = ingest(org, [PunchRow(employee_id=staff[0], at=later)])
    assert (again.accepted, again.duplicates, again.flagged) == (0, 1, 1)
    settings.ATTENDANCE_FUTURE_TOLERANCE_MINUTES = 60
    assert future_cutoff(NOW) == NOW + dt.timedelta(hours=1)
    assert ingest(org, [PunchRow(employee_id=staff[1], at=later)]).flagged == 0


def test_naive_times_and_unknown_sources_are_programming_errors(org, staff):
    with pytest.raises(ValueError):
        ingest(org, [PunchRow(employee_id=staff[0], at=dt.datetime(2026, 11, 2, 7, 31))])
    with pytest.raises(ValueError):
        ingest(org, [PunchRow(employee_id=staff[0], at=at(2, 7))], source="fax")
    assert not Punch.objects.exists()


def test_statuses_are_refreshed_in_the_punches_transaction_for_new_rows_only(org, staff, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    refreshed = []
    monkeypatch.setattr(status, "daily_status_refresh", lambda *, pairs, now=None: refreshed.append(set(pairs)))
    row = PunchRow(employee_id=staff[0], at=at(2, 7, 31))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ingest(org, [row])
        ingest(org, [row])
    assert refreshed == [{(staff[0], dt.date(2026, 11, 2))}]  # before the commit: one transaction with the punch
    assert len(callbacks) == 1  # the dashboard's live event, for the new row only
    callbacks[0]()
    [event] = Event.objects.filter(kind="punch.recorded")
    assert event.channel == f"attendance:{org.city.pk}" and event.data["accepted"] == 1


def test_a_failing_status_refresh_keeps_the_punch_and_leaves_the_refresh_to_the_worker(org, staff, monkeypatch):
    from satulayar.attendance.models import DailyStatus
    from satulayar.core.models import PendingJob

    def fail(*, pairs, now=None):
        DailyStatus.objects.create(employee_id=staff[0], date=dt.date(2026, 11, 2), status="hadir")  # rolled back
        raise RuntimeError("status engine broke")

    monkeypatch.setattr(status, "daily_status_refresh", fail)
    result = ingest(org, [PunchRow(employee_id=staff[0], at=at(2, 7, 31))])
    assert result.accepted == 1 and Punch.objects.filter(employee_id=staff[0]).count() == 1
    assert not DailyStatus.objects.exists()  # the refresh's own writes went back to its savepoint
    [job] = PendingJob.objects.all()
    assert job.task == "satulayar.attendance.tasks.daily_status_refresh_pairs"
    assert job.kwargs == {"pairs": [[staff[0], "2026-11-02"]]}

