"""The sidak's judgements as plain functions: what a person's marks add up to, and what a finding is.

Recorded against observed, for one person, compared at the moment of the observation:

- recorded present (a punch at or before the observation) but not found: a possible proxy punch;
- observed present with no punch by UNRECORDED_GRACE after the observation and no leave: the device is
  avoided or the habit is missing (a person seen on their way to the machine is not flagged);
- on approved leave in the system but observed present;
- not found, no punch by the time of the record (the start, or closing), no leave: absent without record;
- the unit says leave (leave confirmed) but the system has no approved leave: leave only on paper.

A person not found who punched after the inspector looked arrived late: lateness is the attendance
report's business, not a finding. Marks: each inspector's latest mark counts; when inspectors disagree it
is a conflict that only the lead's resolution settles (a later mark never silently wins).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from satulayar.core.numbers import percent
from satulayar.inspections.choices import FindingKind, Observation

UNRECORDED_GRACE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Recorded:
    """What the attendance system holds for a person that day, as of some moment."""

    first_in: dt.datetime | None  # the first punch up to that moment
    leave_kind: str = ""  # approved leave covering the day ("" none)

    def present_at(self, moment: dt.datetime) -> bool:
        return self.first_in is not None and self.first_in <= moment


@dataclass(frozen=True)
class MarkView:
    """The parts of a mark the rules need."""

    inspector_id: int
    observation: str
    observed_at: dt.datetime
    received_at: dt.datetime


@dataclass(frozen=True)
class Verdict:
    """What a person's marks add up to: an observation, a conflict, or nothing yet."""

    observation: str | None
    observed_at: dt.datetime | None
    conflict: tuple[str, ...] = ()  # the differing observations while unresolved

    @property
    def is_conflict(self) -> bool:
        return bool(self.conflict)


NOT_MARKED = Verdict(None, None)


def verdict_for(marks: list[MarkView], *, resolved: str = "", resolved_at: dt.datetime | None = None) -> Verdict:
    """Each inspector's latest mark; agreement gives the observation, disagreement a conflict. A lead's
    resolution holds until a mark received after it says otherwise."""
    if not marks:
        return NOT_MARKED
    ordered = sorted(marks, key=lambda m: (m.received_at, m.observed_at))
    if resolved:
        later = [m for m in ordered if resolved_at is not None and m.received_at > resolved_at]
        if all(m.observation == resolved for m in later):
            agreeing = [m for m in ordered if m.observation == resolved]
            return Verdict(resolved, (agreeing[-1] if agreeing else ordered[-1]).observed_at)
        latest = {m.inspector_id: m for m in later}
        values = {resolved} | {m.observation for m in latest.values()}
        return Verdict(None, None, tuple(sorted(values)))
    latest = {m.inspector_id: m for m in ordered}
    values = {m.observation for m in latest.values()}
    if len(values) > 1:
        return Verdict(None, None, tuple(sorted(values)))
    return Verdict(values.pop(), max(m.observed_at for m in latest.values()))


def finding_kind(*, recorded: Recorded, observation: str | None, observed_at: dt.datetime | None) -> str | None:
    """The finding for one person, or None when record and observation agree (or nothing was observed)."""
    if observation is None or observed_at is None:
        return None
    on_leave = bool(recorded.leave_kind)
    if observation == Observation.PRESENT:
        if on_leave:
            return FindingKind.PRESENT_ON_LEAVE
        if not recorded.present_at(observed_at + UNRECORDED_GRACE):
            return FindingKind.UNRECORDED_PRESENT
        return None
    if observation == Observation.NOT_FOUND:
        if on_leave:
            return None
        if recorded.present_at(observed_at):
            return FindingKind.PROXY_SUSPECT
        if recorded.first_in is None:
            return FindingKind.ABSENT_NO_RECORD
        return None  # arrived after the inspector looked
    if observation == Observation.LEAVE_CONFIRMED and not on_leave:
        return FindingKind.LEAVE_UNRECORDED
    return None


@dataclass
class UnitTally:
    """Per unit: scheduled, observed, and the attendance rates seen and recorded among the observed."""

    scheduled: int = 0
    observed: int = 0
    observed_present: int = 0
    recorded_present: int = 0  # among the observed, a punch by the observation
    conflicts: int = 0
    findings: int = 0

    def add(self, *, recorded: Recorded, verdict: Verdict, kind: str | None) -> None:
        self.scheduled += 1
        self.conflicts += verdict.is_conflict
        if verdict.observation is None:
            return
        self.observed += 1
        self.observed_present += verdict.observation == Observation.PRESENT
        self.recorded_present += recorded.present_at(verdict.observed_at)
        self.findings += kind is not None

    @property
    def observed_rate(self) -> Decimal | None:
        return percent(self.observed_present, self.observed, places=1)

    @property
    def recorded_rate(self) -> Decimal | None:
        return percent(self.recorded_present, self.observed, places=1)

    @property
    def gap(self) -> Decimal | None:
        if self.observed_rate is None:
            return None
        return self.recorded_rate - self.observed_rate
