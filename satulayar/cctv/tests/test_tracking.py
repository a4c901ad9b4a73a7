"""The dwell tracker across polls: who stays, who leaves, and how long they stayed."""

import datetime as dt

from satulayar.cctv.detector import Box
from satulayar.cctv.services import percentile
from satulayar.cctv.tracking import DwellTracker, iou

T0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=15)


def _at(poll: int) -> dt.datetime:
    return T0 + poll * STEP


def test_iou():
    assert iou(Box(0, 0, 10, 10), Box(0, 0, 10, 10)) == 1
    assert iou(Box(0, 0, 10, 10), Box(5, 0, 10, 10)) == 50 / 150
    assert iou(Box(0, 0, 10, 10), Box(20, 0, 10, 10)) == 0


def test_a_seated_person_who_stays_four_polls_dwells_four_intervals():
    tracker = DwellTracker(STEP)
    seated = Box(100, 200, 60, 120)
    assert [tracker.update([seated], _at(i)) for i in range(4)] == [[], [], [], []]
    assert tracker.update([], _at(4)) == []  # one missed poll (hidden for a moment) is forgiven
    assert tracker.update([], _at(5)) == [60.0]  # seen at polls 0–3: 45 s apart, plus one interval


def test_a_person_who_shuffles_along_the_bench_keeps_their_track():
    tracker = DwellTracker(STEP)
    for i in range(3):
        assert tracker.update([Box(100 + 40 * i, 200, 60, 120)], _at(i)) == []  # 40 px a poll: no overlap needed
    assert tracker.update([Box(500, 200, 60, 120)], _at(3)) == []  # far away: a new person; the first is missed
    assert tracker.update([Box(500, 200, 60, 120)], _at(4)) == [45.0]
    assert len(tracker.tracks) == 1


def test_two_people_are_tracked_apart_and_a_missed_poll_does_not_end_a_track():
    tracker = DwellTracker(STEP)
    a, b = Box(50, 200, 60, 120), Box(400, 200, 60, 120)
    tracker.update([a, b], _at(0))
    tracker.update([a], _at(1))  # b hidden once
    tracker.update([a, b], _at(2))
    assert len(tracker.tracks) == 2
    assert tracker.update([b], _at(3)) == []
    assert tracker.update([b], _at(4)) == [45.0]  # a: polls 0–2
    assert tracker.flush() == [75.0]  # b: polls 0–4


def test_a_new_frame_size_is_noticed():
    tracker = DwellTracker(STEP)
    assert not tracker.resized(640, 480)
    assert not tracker.resized(640, 480)
    assert tracker.resized(1280, 720)


def test_percentile_interpolates_like_the_desk_statistics():
    assert percentile([30.0], 0.5) == 30
    assert percentile([10.0, 20.0, 30.0, 40.0], 0.5) == 25
    assert percentile([float(s) for s in range(1, 11)], 0.9) == 9.1
