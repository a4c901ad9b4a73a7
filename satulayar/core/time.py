"""The city's clock: its zone, its local date, and the UTC instants of its local midnights and times.

One door for every app: a city's zone is `City.zone` (org.models), the zone of a name `zone_named`, the city's
day at an instant `local_date`. Times are stored in UTC; a day's rows are found between two local midnights.
"""

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.utils import timezone


@lru_cache(maxsize=32)
def zone_named(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_date(city, now: dt.datetime | None = None) -> dt.date:
    """The city's date (its zone, WITA for Banjarmasin) at `now` (default: the current instant)."""
    return (now or timezone.now()).astimezone(city.zone).date()


def local_now(city, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(city.zone)


def local_midnight(date: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant at which a local date begins."""
    return dt.datetime.combine(date, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def local_instant(date: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=zone).astimezone(dt.UTC)
