"""Calendar periods shared by reports and rebuilds."""

import datetime as dt
from collections.abc import Iterator


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def month_spans(start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """[start, end] cut at month ends: (start, end of its month), …, (first of end's month, end)."""
    first = start
    while first <= end:
        last = min(end, month_bounds(first.year, first.month)[1])
        yield first, last
        first = last + dt.timedelta(days=1)


def month_neighbours(first: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the month before and the month after the month of `first`: a month page's arrows."""
    first = first.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1), (first + dt.timedelta(days=32)).replace(day=1)
