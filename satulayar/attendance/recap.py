"""Monthly recap per employee and per unit, and the TPP deduction it leads to.

The recap reads the daily statuses (kept complete by `daily_status_refresh` as punches arrive and by the
nightly `daily_status_rebuild`). A work day is a status row with scheduled hours: present, TK, on leave
or not in yet; a holiday is not one.

TPP (tambahan penghasilan pegawai) is cut by a rule table per city: each late arrival or early departure
takes the share of the bracket its minutes fall in, each TK day and each day without a departure punch
its share; the month's sum is capped by the city's policy.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from satulayar.attendance.choices import DayStatus, TppViolation
from satulayar.attendance.models import DailyStatus, TppPolicy, TppRule
from satulayar.attendance.rollups import SCHEDULED
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.numbers import percent
from satulayar.core.periods import month_bounds
from satulayar.core.time import local_date
from satulayar.org.models import City, Employee, Unit

# Configurable defaults, modelled on common Perwali practice for TPP cuts (each city sets its own in the
# TppRule table): late or early 1-30 minutes 0.5 %, 31-60 1 %, 61-90 1.25 %, more than 90 1.5 %;
# a day without notice (TK) 3 %; a day without a departure punch 0.5 %; at most 100 % a month.
DEFAULT_BRACKETS = [(1, 30, "0.5"), (31, 60, "1"), (61, 90, "1.25"), (91, None, "1.5")]
DEFAULT_RULES = [
    *[(TppViolation.LATE, low, high, pct) for low, high, pct in DEFAULT_BRACKETS],
    *[(TppViolation.EARLY, low, high, pct) for low, high, pct in DEFAULT_BRACKETS],
    (TppViolation.ABSENT, 0, None, "3"),
    (TppViolation.MISSING_OUT, 0, None, "0.5"),
]
DEFAULT_CAP = Decimal(100)


@dataclass
class Counts:
    work_days: int = 0
    present: int = 0
    late_count: int = 0
    late_minutes: int = 0
    early_count: int = 0
    early_minutes: int = 0
    missing_out: int = 0
    absent: int = 0  # TK
    not_yet: int = 0  # belum hadir (today)
    annual_leave: int = 0
    sick: int = 0
    permit: int = 0
    field_duty: int = 0
    study: int = 0

    @property
    def attendance_rate(self) -> Decimal | None:
        """Present (at the office or on dinas luar) as a percentage of work days."""
        return percent(self.present + self.field_duty, self.work_days)

    def add(self, other: "Counts") -> None:
        for item in fields(Counts):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


LEAVE_COUNTS = {DayStatus.ANNUAL_LEAVE: "annual_leave", DayStatus.SICK: "sick", DayStatus.PERMIT: "permit",
                DayStatus.FIELD_DUTY: "field_duty", DayStatus.STUDY: "study"}


@dataclass
class EmployeeRecap(Counts):
    employee_id: int = 0
    nip: str = ""
    name: str = ""
    unit_id: int = 0
    unit_name: str = ""
    unit_path: str = ""
    tpp_percent: Decimal | None = None


@dataclass
class UnitRecap(Counts):
    unit_id: int = 0
    unit_name: str = ""
    unit_path: str = ""
    employees: int = 0


def _aggregates() -> dict:
    present = Q(status=DayStatus.PRESENT)
    counts = {
        "work_days": Count("id", filter=SCHEDULED),
        "present": Count("id", filter=present),
        "late_count": Count("id", filter=present & Q(late_minutes__gt=0)),
        "late_minutes": Sum("late_minutes", filter=present),
        "early_count": Count("id", filter=present & Q(early_minutes__gt=0)),
        "early_minutes": Sum("early_minutes", filter=present),
        "missing_out": Count("id", filter=present & Q(missing_out=True)),
        "absent": Count("id", filter=Q(status=DayStatus.ABSENT)),
        "not_yet": Count("id", filter=Q(status=DayStatus.NOT_YET)),
    }
    for status, name in LEAVE_COUNTS.items():
        counts[name] = Count("id", filter=Q(status=status))
    return counts


def employee_recaps(*, employees: Iterable[Employee], year: int, month: int,
                    until: dt.date | None = None, with_tpp: bool = True) -> list[EmployeeRecap]:
    """One recap per employee (in the order given) for the month, up to `until` (default: today)."""
    employees = list(employees)
    if not employees:
        return []
    first, last = month_bounds(year, month)
    last = min(last, until or local_date(employees[0].unit.city))
    by_employee = {row.pop("employee_id"): row for row in (
        DailyStatus.objects.filter(employee__in=employees, date__range=(first, last))
        .values("employee_id").annotate(**_aggregates()).order_by())}
    tpp = tpp_month(employees=employees, year=year, month=month, until=last) if with_tpp else {}
    recaps = []
    for employee in employees:
        counts = {name: value or 0 for name, value in by_employee.get(employee.pk, {}).items()}
        recaps.append(EmployeeRecap(
            **counts, employee_id=employee.pk, nip=employee.nip or "", name=employee.name,
            unit_id=employee.unit_id, unit_name=employee.unit.name, unit_path=employee.unit.path,
            tpp_percent=tpp[employee.pk].percent if employee.pk in tpp else None))
    return recaps


def employee_recap(*, employee: Employee, year: int, month: int, until: dt.date | None = None) -> EmployeeRecap:
    return employee_recaps(employees=[employee], year=year, month=month, until=until)[0]


def unit_recaps(*, units: Iterable[Unit], employees: Iterable[Employee], year: int, month: int,
                until: dt.date | None = None) -> list[UnitRecap]:
    """One recap per unit, summing the employees of its whole subtree (among `employees`)."""
    units = list(units)
    totals = {unit.pk: UnitRecap(unit_id=unit.pk, unit_name=unit.name, unit_path=unit.path) for unit in units}
    for recap in employee_recaps(employees=employees, year=year, month=month, until=until, with_tpp=False):
        for unit_id in Unit.ids_in_path(recap.unit_path):
            total = totals.get(unit_id)
            if total is not None:
                total.add(recap)
                total.employees += 1
    return [totals[unit.pk] for unit in units]


# --- TPP -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TppLine:
    date: dt.date
    violation: str
    minutes: int
    percent: Decimal


@dataclass
class TppResult:
    percent: Decimal  # what is cut, after the cap
    total: Decimal  # the sum of the lines, before the cap
    cap: Decimal
    lines: list[TppLine] = field(default_factory=list)

    @property
    def capped(self) -> bool:
        return self.total > self.cap


class TppRules:
    def __init__(self, city: City):
        self.rules: dict[str, list[TppRule]] = defaultdict(list)
        for rule in TppRule.objects.filter(city=city).order_by("violation", "min_minutes"):
            self.rules[rule.violation].append(rule)
        policy = TppPolicy.objects.filter(city=city).first()
        self.cap = policy.monthly_cap_percent if policy else DEFAULT_CAP

    def percent(self, violation: str, minutes: int = 0) -> Decimal | None:
        for rule in self.rules.get(violation, ()):
            if rule.min_minutes <= minutes and (rule.max_minutes is None or minutes <= rule.max_minutes):
                return rule.percent
        return None


def _lines(rules: TppRules, row: DailyStatus) -> list[TppLine]:
    events = []
    if row.status == DayStatus.ABSENT:
        events.append((TppViolation.ABSENT, 0))
    elif row.status == DayStatus.PRESENT:
        if row.late_minutes:
            events.append((TppViolation.LATE, row.late_minutes))
        if row.early_minutes:
            events.append((TppViolation.EARLY, row.early_minutes))
        if row.missing_out:
            events.append((TppViolation.MISSING_OUT, 0))
    lines = []
    for violation, minutes in events:
        cut = rules.percent(violation, minutes)
        if cut:
            lines.append(TppLine(row.date, violation, minutes, cut))
    return lines


def tpp_month(*, employees: Iterable[Employee], year: int, month: int,
              until: dt.date | None = None) -> dict[int, TppResult]:
    employees = list(employees)
    if not employees:
        return {}
    first, last = month_bounds(year, month)
    if until:
        last = min(last, until)
    rules_by_city: dict[int, TppRules] = {}
    results = {}
    for employee in employees:
        city = employee.unit.city
        if city.pk not in rules_by_city:
            rules_by_city[city.pk] = TppRules(city)
        results[employee.pk] = TppResult(Decimal(0), Decimal(0), rules_by_city[city.pk].cap)
    city_of = {employee.pk: employee.unit.city_id for employee in employees}
    rows = DailyStatus.objects.filter(employee__in=employees, date__range=(first, last)).filter(
        Q(status=DayStatus.ABSENT) | Q(status=DayStatus.PRESENT) & (
            Q(late_minutes__gt=0) | Q(early_minutes__gt=0) | Q(missing_out=True))).order_by("employee_id", "date")
    for row in rows:
        results[row.employee_id].lines += _lines(rules_by_city[city_of[row.employee_id]], row)
    for result in results.values():
        result.total = sum((line.percent for line in result.lines), Decimal(0))
        result.percent = min(result.total, result.cap)
    return results


def tpp_deduction(*, employee: Employee, year: int, month: int) -> TppResult:
    """The share of the month's TPP cut for this employee, with one line per violation."""
    return tpp_month(employees=[employee], year=year, month=month)[employee.pk]


@transaction.atomic
def tpp_rules_seed_default(*, city: City) -> int:
    """Write the default rule table and cap for a city that has none. Returns rules created."""
    created = 0
    if not TppRule.objects.filter(city=city).exists():
        for violation, low, high, percent in DEFAULT_RULES:
            rule = TppRule.objects.create(city=city, violation=violation, min_minutes=low, max_minutes=high,
                                          percent=Decimal(percent))
            audit_record(actor=None, action=AuditAction.CREATE, obj=rule, after=snapshot(rule),
                         object_repr=f"{rule.get_violation_display()} {low}–{high or '…'}: {percent} %",
                         note=_("Aturan bawaan potongan TPP"))
            created += 1
    policy, new = TppPolicy.objects.get_or_create(city=city, defaults={"monthly_cap_percent": DEFAULT_CAP})
    if new:
        audit_record(actor=None, action=AuditAction.CREATE, obj=policy, after=snapshot(policy),
                     object_repr=_("Batas potongan TPP %(city)s") % {"city": city})
    return created
