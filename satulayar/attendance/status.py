"""Daily status: what each employee's day was, derived from punches, calendar, schedule, shifts and leave.

Rules, in order, for one employee on one local date:

1. Not a work day for them (weekend, holiday, cuti bersama, no shift rostered) -> `libur`, written only
   when they punched anyway (first and last punch kept); otherwise no row.
2. An approved leave request covering the date -> its kind (cuti, sakit, izin, dinas_luar, tugas_belajar);
   punches, if any, are still recorded.
3. Punches (not excluded; one flagged as lying in the future only once its time has come) -> `hadir`. The
   first punch of the day (or of the shift's window) is the arrival and the last the departure, whatever status
   code the device sent. A punch within REPEAT_WINDOW of the arrival is a repeat of it, not a departure.
   late = first_in - (start + grace), early = end - last_out, in whole minutes, never negative. Only an
   arrival, once the day is over -> `missing_out`.
4. No punch: the day is over -> `tk`; it is today and not over -> `belum_hadir`; a future date -> no row.

Today is a maintained state, not a computation per reader. `day_open` writes the day's rows of every
scheduled employee when the day starts (`days_open`, from the Huey job every few minutes, or lazily by the first
write of the day); `daily_status_refresh` then recomputes only the pairs a punch, leave decision, correction or
schedule change touched and adds the difference to their unit-days (rollups.unit_days_add) in the same
transaction; `daily_status_tick` applies time passing (a day ending: `tk`, `missing_out`; a future punch whose time
came) to the rows it changes, so applying it twice changes nothing. `daily_status_rebuild` recomputes a whole city
and date range (the demo, the nightly close of the day, calendar edits).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import DailyStatus, OpenDay, Punch
from satulayar.attendance.status_bulk import daily_status_rebuild_sets
from satulayar.attendance.status_rows import (
    REPEAT_WINDOW,
    daily_status_recompute,
    statuses_compute,
    statuses_write_batches,
)
from satulayar.core.time import local_date, local_midnight, zone_named
from satulayar.org.models import City, Employee

# The row engine is in `status_rows`; its names are re-exported for the callers that know them here.
__all__ = ["REPEAT_WINDOW", "daily_status_rebuild", "daily_status_recompute", "daily_status_refresh",
           "daily_status_tick", "day_open", "day_status_for", "days_open", "statuses_compute"]

TICK_DAYS = 2  # time passing looks this many days back (a night shift ends the next day)
OPEN_MEMO_SECONDS = 15 * 60


def _open_memo(date: dt.date, now: dt.datetime) -> str:
    """Cache key: every city whose today is `date` had it open, in this UTC quarter hour (the cities whose today it
    is change only at a local midnight, which falls on a quarter hour in every zone)."""
    now = now.astimezone(dt.UTC)
    return f"attendance:today-open:{date}:{now:%Y%m%d%H}:{now.minute // 15}"


def daily_status_refresh(*, pairs: Iterable[tuple[int, dt.date]], now: dt.datetime | None = None) -> int:
    """Recompute the DailyStatus rows of those (employee_id, local date) pairs and add the difference to their
    unit-days. Opens today first if nothing has yet (`day_open`). Returns rows written."""
    now = now or timezone.now()
    pairs = set(pairs)
    dates = {date for _employee_id, date in pairs}
    if not all(cache.get(_open_memo(date, now)) for date in dates):
        _open_today(dates=dates, now=now)
    return daily_status_recompute(pairs=pairs, now=now)


def daily_status_rebuild(*, city: City, start: dt.date, end: dt.date, now: dt.datetime | None = None,
                         employee_ids: Iterable[int] | None = None) -> int:
    """Recompute every active employee's status (or those given) for each date of the range, and their units'
    rollups, on the set-based engine (`status_bulk`). Returns rows written. Run nightly for yesterday so that a
    day without punches becomes TK."""
    return daily_status_rebuild_sets(city=city, start=start, end=end, now=now, employee_ids=employee_ids)


def day_status_for(*, employee: Employee, date: dt.date, now: dt.datetime | None = None) -> DailyStatus | None:
    """One employee's status on one date as the rules give it now (unsaved)."""
    return statuses_compute(pairs={(employee.pk, date)}, now=now, employees=[employee])[(employee.pk, date)]


# --- today as a maintained state -----------------------------------------------------------------------------------

def day_open(*, city: City, date: dt.date, now: dt.datetime | None = None) -> int:
    """Write the date's status of every active employee of the city (`belum_hadir` for whoever is scheduled and has
    not punched) and so their unit-days, then mark the day open. Safe to run again. Returns rows written."""
    written = daily_status_rebuild(city=city, start=date, end=date, now=now)
    OpenDay.objects.bulk_create([OpenDay(city=city, date=date)], ignore_conflicts=True)
    return written


def _open_today(*, dates: set[dt.date], now: dt.datetime, cities: Iterable[City] | None = None) -> int:
    """Open today for each city whose today is among `dates` and is not open yet. Returns days opened."""
    due = {city: today for city in (City.objects.all() if cities is None else cities)
           if (today := local_date(city, now)) in dates}
    if not due:
        return 0
    opened = set(OpenDay.objects.filter(city__in=list(due), date__in=set(due.values()))
                 .values_list("city_id", "date"))
    missing = [(city, today) for city, today in due.items() if (city.pk, today) not in opened]
    for city, today in missing:
        day_open(city=city, date=today, now=now)
    keys = [_open_memo(date, now) for date in set(due.values())]  # a day once open stays open: the next writes
    transaction.on_commit(lambda: cache.set_many(dict.fromkeys(keys, True), OPEN_MEMO_SECONDS))  # skip two queries
    return len(missing)


def days_open(*, now: dt.datetime | None = None, cities: Iterable[City] | None = None) -> int:
    """Open today for every city (or those given) that has not opened it yet. Returns days opened."""
    now = now or timezone.now()
    cities = list(City.objects.all() if cities is None else cities)
    return _open_today(dates={local_date(city, now) for city in cities}, now=now, cities=cities)


def _tick_pairs(now: dt.datetime) -> set[tuple[int, dt.date]]:
    """The rows time may change now: not in yet, or in without a departure, after their scheduled end (the day
    ends later still: the rules decide), and the pairs of future-flagged punches whose time has come."""
    zones = dict(City.objects.values_list("pk", "timezone"))
    if not zones:
        return set()
    since = min(now.astimezone(zone_named(zone)).date() for zone in zones.values()) - dt.timedelta(days=TICK_DAYS)
    waiting = DailyStatus.objects.filter(
        Q(status=DayStatus.NOT_YET) | Q(status=DayStatus.PRESENT, last_out__isnull=True, missing_out=False),
        date__gte=since, scheduled_end__lte=now)
    pairs = set(waiting.values_list("employee_id", "date"))
    due = Punch.objects.filter(future_flag=True, excluded=False, at__lte=now,
                               at__gt=local_midnight(since, dt.UTC) - dt.timedelta(days=1))
    for employee_id, at, city_id in due.values_list("employee_id", "at", "employee__unit__city_id"):
        pairs.add((employee_id, at.astimezone(zone_named(zones[city_id])).date()))
    return pairs


def daily_status_tick(*, now: dt.datetime | None = None) -> int:
    """Time passing: opens today where it is not open, then recomputes the rows time may have changed and writes
    those that did (with their unit-days' difference). Returns statuses changed; a second run at the same moment
    changes nothing."""
    now = now or timezone.now()
    days_open(now=now)
    return statuses_write_batches(_tick_pairs(now), now)[1]
