"""Each discrepancy rule and the verdict of several marks, on constructed cases (pure functions)."""

import datetime as dt

import pytest

from satulayar.inspections.choices import FindingKind, Observation
from satulayar.inspections.rules import MarkView, Recorded, UnitTally, finding_kind, verdict_for

T = dt.datetime(2026, 11, 24, 1, 40, tzinfo=dt.UTC)  # 09:40 WITA
MIN = dt.timedelta(minutes=1)


@pytest.mark.parametrize(("recorded", "observation", "expected"), [
    (Recorded(T - 120 * MIN), Observation.NOT_FOUND, FindingKind.PROXY_SUSPECT),
    (Recorded(T), Observation.NOT_FOUND, FindingKind.PROXY_SUSPECT),  # punched the very minute
    (Recorded(T + 10 * MIN), Observation.NOT_FOUND, None),  # arrived after the inspector looked: late only
    (Recorded(None), Observation.NOT_FOUND, FindingKind.ABSENT_NO_RECORD),
    (Recorded(None, "sakit"), Observation.NOT_FOUND, None),
    (Recorded(None), Observation.PRESENT, FindingKind.UNRECORDED_PRESENT),
    (Recorded(T + 30 * MIN), Observation.PRESENT, FindingKind.UNRECORDED_PRESENT),  # punched long after
    (Recorded(T + 10 * MIN), Observation.PRESENT, None),  # on the way to the machine
    (Recorded(T - 60 * MIN), Observation.PRESENT, None),
    (Recorded(None, "cuti"), Observation.PRESENT, FindingKind.PRESENT_ON_LEAVE),
    (Recorded(T - 60 * MIN, "dinas_luar"), Observation.PRESENT, FindingKind.PRESENT_ON_LEAVE),
    (Recorded(None, "cuti"), Observation.LEAVE_CONFIRMED, None),
    (Recorded(None), Observation.LEAVE_CONFIRMED, FindingKind.LEAVE_UNRECORDED),
    (Recorded(T - 60 * MIN), Observation.LEAVE_CONFIRMED, FindingKind.LEAVE_UNRECORDED),
])
def test_finding_rules(recorded, observation, expected):
    assert finding_kind(recorded=recorded, observation=observation, observed_at=T) == expected


def test_nothing_observed_is_no_finding():
    assert finding_kind(recorded=Recorded(None), observation=None, observed_at=None) is None


def mark(inspector, observation, minute):
    return MarkView(inspector, observation, T + minute * MIN, T + minute * MIN)


def test_one_inspector_correcting_themself_is_no_conflict():
    verdict = verdict_for([mark(1, Observation.NOT_FOUND, 0), mark(1, Observation.PRESENT, 5)])
    assert (verdict.observation, verdict.is_conflict) == (Observation.PRESENT, False)


def test_two_inspectors_disagreeing_is_a_conflict_and_the_later_does_not_win():
    verdict = verdict_for([mark(1, Observation.PRESENT, 0), mark(2, Observation.NOT_FOUND, 5)])
    assert verdict.observation is None
    assert verdict.conflict == (Observation.NOT_FOUND, Observation.PRESENT)


def test_agreeing_inspectors_give_one_observation():
    verdict = verdict_for([mark(1, Observation.PRESENT, 0), mark(2, Observation.PRESENT, 5)])
    assert verdict.observation == Observation.PRESENT and verdict.observed_at == T + 5 * MIN


def test_a_resolution_holds_until_a_later_mark_disagrees():
    marks = [mark(1, Observation.PRESENT, 0), mark(2, Observation.NOT_FOUND, 5)]
    resolved = verdict_for(marks, resolved=Observation.NOT_FOUND, resolved_at=T + 10 * MIN)
    assert (resolved.observation, resolved.is_conflict) == (Observation.NOT_FOUND, False)
    again = verdict_for([*marks, mark(1, Observation.PRESENT, 15)], resolved=Observation.NOT_FOUND,
                        resolved_at=T + 10 * MIN)
    assert again.is_conflict and again.observation is None


def test_unit_tally_rates_compare_like_with_like():
    tally = UnitTally()
    tally.add(recorded=Recorded(T - MIN), verdict=verdict_for([mark(1, Observation.NOT_FOUND, 0)]),
              kind=FindingKind.PROXY_SUSPECT)
    tally.add(recorded=Recorded(T - MIN), verdict=verdict_for([mark(1, Observation.PRESENT, 0)]), kind=None)
    tally.add(recorded=Recorded(None), verdict=verdict_for([]), kind=None)
    assert (tally.scheduled, tally.observed, tally.observed_present, tally.recorded_present) == (3, 2, 1, 2)
    assert (str(tally.observed_rate), str(tally.recorded_rate), str(tally.gap)) == ("50.0", "100.0", "50.0")
