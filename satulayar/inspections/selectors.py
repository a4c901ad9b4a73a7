"""Reads: the roster as the phone shows it, the report, history per unit and employee, repeat offenders,
and the dashboard's recent inspections. An open inspection's records are read live; a closed one's are
the ones frozen at its closing."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from satulayar.attendance.choices import DayStatus
from satulayar.inspections.access import findings_for, inspections_for, may_inspect
from satulayar.inspections.choices import FindingKind, InspectionStatus, Observation
from satulayar.inspections.models import Finding, Inspection, Mark, RosterEntry
from satulayar.inspections.records import day_records
from satulayar.inspections.rules import Recorded, UnitTally, Verdict, finding_kind
from satulayar.inspections.services import entry_verdict
from satulayar.org.models import Employee, Unit, subtree_q

REPEAT_MIN = 2


@dataclass
class RosterRow:
    entry: RosterEntry
    status: str  # attendance DayStatus as of the record
    recorded: Recorded
    verdict: Verdict
    marks: list[Mark]
    finding: str | None
    mine: str = ""  # the viewing inspector's own latest observation (the roster page sets it)
    stored: Finding | None = None  # the finding stored at closing, with its follow-up

    @property
    def finding_label(self) -> str:
        return FindingKind(self.finding).short if self.finding else ""

    @property
    def finding_colour(self) -> str:
        return FindingKind(self.finding).colour if self.finding else "secondary"

    @property
    def status_label(self) -> str:
        return str(DayStatus(self.status).label) if self.status in DayStatus.values else "–"

    @property
    def status_colour(self) -> str:
        return DayStatus(self.status).colour if self.status in DayStatus.values else "secondary"

    @property
    def observation_label(self) -> str:
        return str(Observation(self.verdict.observation).label) if self.verdict.observation else ""

    @property
    def conflict_labels(self) -> list[str]:
        return [str(Observation(value).label) for value in self.verdict.conflict]


@dataclass
class RosterGroup:
    unit: Unit
    rows: list[RosterRow] = field(default_factory=list)
    tally: UnitTally = field(default_factory=UnitTally)


@dataclass
class Report:
    inspection: Inspection
    groups: list[RosterGroup]
    total: UnitTally
    findings_by_kind: dict[str, int]
    conflicts: list[RosterRow]
    as_of: dt.datetime

    @property
    def rows(self) -> list[RosterRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def findings(self) -> list[RosterRow]:
        return [row for row in self.rows if row.finding]

    @property
    def kind_counts(self) -> list[tuple[str, str, str, int]]:
        """(kind, short label, colour, count) for every kind, zeros included."""
        return [(k.value, k.short, k.colour, self.findings_by_kind.get(k.value, 0)) for k in FindingKind]

    @property
    def unmarked(self) -> int:
        return sum(1 for row in self.rows if row.verdict.observation is None and not row.verdict.is_conflict)


def inspection_report(*, inspection: Inspection, now: dt.datetime | None = None) -> Report:
    """Roster grouped by sub-unit with each person's record, marks, verdict and finding, and the tallies."""
    entries = list(inspection.entries.select_related("employee__unit__city", "unit", "unit__parent")
                   .prefetch_related(Prefetch("marks", queryset=Mark.objects.select_related("inspector"))))
    if inspection.is_open:
        as_of = now or timezone.now()
        live = day_records(employees=[e.employee for e in entries], date=inspection.date, as_of=as_of)
    else:
        as_of, live = inspection.closed_at, {}
    stored = {f.entry_id: f for f in inspection.findings.select_related("assigned_unit")} \
        if not inspection.is_open else {}
    groups: dict[int, RosterGroup] = {}
    total = UnitTally()
    conflicts = []
    for entry in entries:
        if entry.employee_id in live and live[entry.employee_id].scheduled:
            record = live[entry.employee_id]
            recorded, status = record.recorded, record.status
        else:
            recorded, status = Recorded(entry.first_in, entry.leave_kind), entry.recorded_status
        verdict = entry_verdict(entry)
        finding = stored.get(entry.pk)
        kind = (finding.kind if finding else None) if not inspection.is_open else finding_kind(
            recorded=recorded, observation=verdict.observation, observed_at=verdict.observed_at)
        row = RosterRow(entry, status, recorded, verdict, list(entry.marks.all()), kind, stored=finding)
        group = groups.setdefault(entry.unit_id, RosterGroup(unit=entry.unit))
        group.rows.append(row)
        for tally in (group.tally, total):
            tally.add(recorded=recorded, verdict=verdict, kind=kind)
        if verdict.is_conflict:
            conflicts.append(row)
    ordered = sorted(groups.values(), key=lambda g: g.unit.path)
    by_kind = Counter(row.finding for group in ordered for row in group.rows if row.finding)
    return Report(inspection, ordered, total, {k: by_kind.get(k, 0) for k in FindingKind.values}, conflicts, as_of)


def units_label(inspection: Inspection) -> str:
    units = [u.short_name or u.name for u in inspection.units.all()]
    return ", ".join(units)


def inspections_recent(*, user, city, limit: int = 5) -> list[dict]:
    """For the dashboard: the latest inspections with their finding counts by kind; [] for anyone who may not
    see inspections."""
    if not may_inspect(user):
        return []
    rows = list(inspections_for(user).filter(city=city).prefetch_related("units")
                .order_by("-started_at", "-id")[:limit])
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for inspection_id, kind, n in (Finding.objects.filter(inspection__in=[r.pk for r in rows])
                                   .values_list("inspection", "kind").annotate(n=Count("id")).order_by()):
        counts[inspection_id][kind] = n
    return [{"id": r.pk, "title": r.title, "started_at": r.started_at, "status": r.status,
             "units": units_label(r), "findings": {k: counts[r.pk].get(k, 0) for k in FindingKind.values}}
            for r in rows]


def inspections_list(*, user, status: str = "") -> list[Inspection]:
    inspections = (inspections_for(user).select_related("lead").prefetch_related("units")
                   .annotate(people=Count("entries", distinct=True), finding_count=Count("findings", distinct=True)))
    if status in InspectionStatus.values:
        inspections = inspections.filter(status=status)
    return list(inspections.order_by("-started_at", "-id"))


def findings_list(*, user, unit: Unit | None = None, employee: Employee | None = None, status: str = "",
                  kind: str = "") -> list[Finding]:
    """Findings the user may see, optionally of a unit subtree or one employee, newest inspection first."""
    findings = findings_for(user).select_related("inspection", "employee", "unit", "assigned_unit")
    if unit is not None:
        findings = findings.filter(subtree_q(unit, via="unit"))
    if employee is not None:
        findings = findings.filter(employee=employee)
    if status:
        findings = findings.filter(follow_up_status=status)
    if kind:
        findings = findings.filter(kind=kind)
    return list(findings.order_by("-inspection__started_at", "unit__path", "employee__name"))


@dataclass(frozen=True)
class RepeatOffender:
    employee: Employee
    findings: int
    inspections: int
    kinds: dict[str, int]
    last_date: dt.date


def repeat_offenders(*, user, unit: Unit | None = None, min_findings: int = REPEAT_MIN) -> list[RepeatOffender]:
    """People with findings in at least `min_findings` inspections, the most first."""
    findings = findings_for(user)
    if unit is not None:
        findings = findings.filter(subtree_q(unit, via="unit"))
    per_employee = (findings.values("employee").annotate(n=Count("id"), inspections=Count("inspection", distinct=True))
                    .filter(inspections__gte=min_findings).order_by("-n", "employee"))
    ids = [row["employee"] for row in per_employee]
    if not ids:
        return []
    people = {e.pk: e for e in Employee.objects.filter(pk__in=ids).select_related("unit")}
    kinds: dict[int, Counter] = defaultdict(Counter)
    last: dict[int, dt.date] = {}
    for employee_id, kind, date in findings.filter(employee__in=ids).values_list("employee", "kind",
                                                                               "inspection__date"):
        kinds[employee_id][kind] += 1
        last[employee_id] = max(last.get(employee_id, date), date)
    return [RepeatOffender(people[row["employee"]], row["n"], row["inspections"], dict(kinds[row["employee"]]),
                           last[row["employee"]]) for row in per_employee]


def unit_history(*, user, unit: Unit) -> list[Inspection]:
    """Inspections that covered the unit (visited it or a unit above it)."""
    return list(inspections_for(user).filter(Q(units__in=unit.ancestor_ids) | subtree_q(unit, via="units"))
                .distinct().order_by("-started_at"))
