"""How long people stay in a camera's zone: a small tracker across polls, one per camera.

A camera is polled every 15 s or so, so a person moves far between frames and a box rarely overlaps its last
one much: each new box is matched to the nearest open track whose last box it overlaps (IoU ≥ `MIN_IOU`) or
whose centre lies within `MAX_SHIFT` box heights of its own, greedily, closest first. A track missed in
`MAX_MISSES` polls in a row has left; its dwell is the span from first to last sighting plus one polling
interval (someone seen in k polls in a row stayed about k intervals). Two people who swap places between polls
swap tracks: the estimate is of how long people stay, not of who.
"""

import datetime as dt
from dataclasses import dataclass, field

from satulayar.cctv.box import Box

MIN_IOU = 0.3
MAX_SHIFT = 0.75  # of the box's height
MAX_MISSES = 1


@dataclass
class Track:
    box: Box
    first: dt.datetime
    last: dt.datetime
    misses: int = 0


def iou(a: Box, b: Box) -> float:
    width = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    height = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if width <= 0 or height <= 0:
        return 0.0
    overlap = width * height
    return overlap / (a.w * a.h + b.w * b.h - overlap)


def _shift(a: Box, b: Box) -> float:
    """Centre distance in units of the taller box's height."""
    dx, dy = (a.x + a.w / 2) - (b.x + b.w / 2), (a.y + a.h / 2) - (b.y + b.h / 2)
    return (dx * dx + dy * dy) ** 0.5 / max(a.h, b.h, 1)


@dataclass
class DwellTracker:
    interval: dt.timedelta
    tracks: list[Track] = field(default_factory=list)
    size: tuple[int, int] | None = None

    def _pairs(self, boxes: list[Box]) -> list[tuple[float, int, int]]:
        pairs = []
        for t, track in enumerate(self.tracks):
            for b, box in enumerate(boxes):
                shift = _shift(track.box, box)
                if iou(track.box, box) >= MIN_IOU or shift <= MAX_SHIFT:
                    pairs.append((shift, t, b))
        return sorted(pairs)

    def update(self, boxes: list[Box], at: dt.datetime) -> list[float]:
        """Feed one poll's boxes (those in the zone); the dwell in seconds of each person who has left."""
        matched_tracks, matched_boxes = set(), set()
        for _shift_value, t, b in self._pairs(boxes):
            if t not in matched_tracks and b not in matched_boxes:
                matched_tracks.add(t)
                matched_boxes.add(b)
                self.tracks[t].box, self.tracks[t].last, self.tracks[t].misses = boxes[b], at, 0
        left = []
        for t, track in enumerate(self.tracks):
            if t not in matched_tracks:
                track.misses += 1
                if track.misses > MAX_MISSES:
                    left.append(track)
        gone = {id(track) for track in left}
        self.tracks = [track for track in self.tracks if id(track) not in gone]
        self.tracks += [Track(box, at, at) for b, box in enumerate(boxes) if b not in matched_boxes]
        return [self.dwell(track) for track in left]

    def dwell(self, track: Track) -> float:
        return (track.last - track.first + self.interval).total_seconds()

    def flush(self) -> list[float]:
        """Everyone still tracked has left (the camera went offline, or its picture changed size)."""
        left, self.tracks = self.tracks, []
        return [self.dwell(track) for track in left]

    def resized(self, width: int, height: int) -> bool:
        """Whether the frame's size differs from the last one's (the tracks are then ended)."""
        changed = self.size is not None and self.size != (width, height)
        self.size = (width, height)
        return changed
