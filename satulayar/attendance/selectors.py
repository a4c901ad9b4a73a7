"""Attendance reads for the pages that are not reports (reports.py, recap.py): a day's punches and their
corrections, the first working day after a long holiday per unit and the holidays before it, the tops of a
user's unit scope. Each takes the user (or an object already fetched through org.access) and stays in scope."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import CalendarDay, DailyStatus, Punch
from satulayar.attendance.plan import HOLIDAY_KINDS, WorkPlan
from satulayar.attendance.rollups import SCHEDULED
from satulayar.audit.choices import AuditAction
from satulayar.audit.models import AuditEntry
from satulayar.core.numbers import percent
from satulayar.core.time import local_midnight
from satulayar.org import access
from satulayar.org.models import City, Employee, Unit

HOLIDAY_NAME_PREFIX = re.compile(r"^(cuti bersama|hari kedua dari)\s+", re.IGNORECASE)
PUNCH_TYPE = "attendance.punch"


def scope_roots(units: list[Unit]) -> list[Unit]:
    """The visible units whose parent is not visible: the tops of the user's scope."""
    ids = {unit.pk for unit in units}
    return [unit for unit in units if unit.parent_id not in ids]


def day_punches(*, employee: Employee, date: dt.date) -> list[Punch]:
    """Every punch of the employee's local day, from every source, excluded ones too."""
    zone = employee.unit.city.zone
    return list(Punch.objects.filter(employee=employee, at__gte=local_midnight(date, zone),
                                     at__lt=local_midnight(date + dt.timedelta(days=1), zone))
                .select_related("device", "site", "created_by").order_by("at", "pk"))


def correction_entries(*, punches: list[Punch]) -> list[AuditEntry]:
    """The corrections written to the audit log for these punches, oldest first."""
    return list(AuditEntry.objects.filter(object_type=PUNCH_TYPE, object_id__in=[str(p.pk) for p in punches],
                                          action=AuditAction.CORRECT).order_by("at", "pk"))


# --- first working day after a long holiday --------------------------------------------------------------------


@dataclass
class DayCounts:
    expected: int = 0
    present: int = 0
    late: int = 0
    absent: int = 0

    @property
    def present_rate(self) -> Decimal | None:
        return percent(self.present, self.expected)


@dataclass
class UnitDayRow:
    unit: Unit
    depth: int
    after: DayCounts = field(default_factory=DayCounts)
    normal: DayCounts = field(default_factory=DayCounts)


def unit_day_rows(*, user, after: dt.date, normal: dt.date | None) -> list[UnitDayRow]:
    """Per unit in scope (its whole subtree), the work-day counts of two dates. The top of the user's scope
    and, when that is a single unit, its sub-units too."""
    units = list(access.units_for(user).filter(active=True).order_by("path"))
    roots = scope_roots(units)
    shown = roots + [unit for unit in units if len(roots) == 1 and unit.parent_id == roots[0].pk]
    shown.sort(key=lambda unit: unit.path)
    top = min((unit.depth for unit in shown), default=0)
    rows = {unit.pk: UnitDayRow(unit=unit, depth=unit.depth - top) for unit in shown}
    dates = [date for date in (after, normal) if date]
    statuses = (DailyStatus.objects.filter(SCHEDULED, employee__in=access.employees_for(user), date__in=dates)
                .values_list("date", "employee__unit__path", "status", "late_minutes"))
    for date, path, status, late in statuses:
        for unit_id in Unit.ids_in_path(path):
            row = rows.get(unit_id)
            if row is None:
                continue
            counts = row.after if date == after else row.normal
            counts.expected += 1
            counts.present += status == DayStatus.PRESENT
            counts.late += status == DayStatus.PRESENT and late > 0
            counts.absent += status == DayStatus.ABSENT
    found = [row for row in rows.values() if row.after.expected or row.normal.expected]
    if len(roots) > 1:  # separate units: the weakest first day on top
        found.sort(key=lambda row: (row.after.present_rate is None, row.after.present_rate or 0, -row.after.late))
    return found


def holiday_names(*, city: City, date: dt.date) -> list[str]:
    """The holidays and cuti bersama in the days off just before a work day."""
    plan = WorkPlan(start=date - dt.timedelta(days=21), end=date, city_ids=[city.pk])
    day = date - dt.timedelta(days=1)
    while day > date - dt.timedelta(days=21) and not plan.is_work_day(city_id=city.pk, unit=None, date=day):
        day -= dt.timedelta(days=1)
    names = CalendarDay.objects.filter(city=city, date__gt=day, date__lt=date, kind__in=HOLIDAY_KINDS).order_by(
        "date").values_list("name", flat=True)
    # "Cuti Bersama Hari Raya Idul Fitri" and "Hari kedua dari Hari Raya Idul Fitri" are the same holiday.
    return list(dict.fromkeys(HOLIDAY_NAME_PREFIX.sub("", name) for name in names))
