"""What the attendance system recorded for the people of a roster, as of a moment (read through the
attendance rules, never their own copy of them)."""

import datetime as dt
from dataclasses import dataclass

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.status import statuses_compute
from satulayar.inspections.rules import Recorded
from satulayar.org.models import Employee


@dataclass(frozen=True)
class DayRecord:
    scheduled: bool  # a work day with hours for this person
    status: str  # DayStatus as of the moment: a punch after it does not count yet
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    recorded: Recorded


def day_records(*, employees: list[Employee], date: dt.date, as_of: dt.datetime) -> dict[int, DayRecord]:
    """Per employee id. `employees` need `unit__city` loaded."""
    statuses = statuses_compute(pairs={(e.pk, date) for e in employees}, now=as_of, employees=employees)
    records = {}
    for employee in employees:
        row = statuses.get((employee.pk, date))
        if row is None or row.status == DayStatus.HOLIDAY:
            records[employee.pk] = DayRecord(False, row.status if row else "", None, None, Recorded(None))
            continue
        # The first punch of the day is the first up to as_of whenever it is not later than as_of.
        first_in = row.first_in if row.first_in and row.first_in <= as_of else None
        leave_kind = row.leave.kind if row.leave_id else ""
        status = row.status
        if status == DayStatus.PRESENT and first_in is None:
            status = DayStatus.ABSENT if as_of >= row.scheduled_end else DayStatus.NOT_YET
        records[employee.pk] = DayRecord(True, status, row.scheduled_start, row.scheduled_end,
                                         Recorded(first_in, leave_kind))
    return records
