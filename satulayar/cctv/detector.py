"""People detection behind a small interface, and counting inside a polygon zone.

The default is OpenCV's HOG people detector (its coefficients ship inside OpenCV 4; no downloaded weights).
Frames are scaled to `DETECT_WIDTH` first: people 100–130 px tall then fit HOG's 64×128 window at its
finest scales, which is both faster and more reliable than the full frame (see bench/cctv.py). A better
model (a GPU detector) plugs in by implementing `PeopleDetector.detect`.
"""

from dataclasses import dataclass
from functools import cache
from typing import Protocol

import cv2
import numpy as np

DETECT_WIDTH = 480
MIN_SCORE = 0.3
NMS_OVERLAP = 0.3


@dataclass(frozen=True)
class Box:
    """A detection in the original frame's pixels."""

    x: int
    y: int
    w: int
    h: int
    score: float = 1.0

    @property
    def foot(self) -> tuple[float, float]:
        """The bottom-centre: where the person stands."""
        return self.x + self.w / 2, self.y + self.h


class PeopleDetector(Protocol):
    def detect(self, image: np.ndarray) -> list[Box]: ...


class HogPeopleDetector:
    def __init__(self, *, width: int = DETECT_WIDTH, scale: float = 1.05, min_score: float = MIN_SCORE):
        self.width, self.scale, self.min_score = width, scale, min_score
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect(self, image: np.ndarray) -> list[Box]:
        factor = self.width / image.shape[1] if image.shape[1] > self.width else 1.0
        small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor != 1 else image
        rects, weights = self.hog.detectMultiScale(small, winStride=(8, 8), padding=(8, 8), scale=self.scale)
        found = [(list(map(int, r)), float(s)) for r, s in zip(rects, np.asarray(weights).ravel(), strict=True)
                 if s >= self.min_score]
        if not found:
            return []
        keep = cv2.dnn.NMSBoxes([r for r, _s in found], [s for _r, s in found], self.min_score, NMS_OVERLAP)
        return [self._person_box(*found[i][0], score=found[i][1], factor=factor) for i in np.asarray(keep).ravel()]

    @staticmethod
    def _person_box(x: int, y: int, w: int, h: int, *, score: float, factor: float) -> Box:
        """HOG's 64×128 window holds a 96 px person with an eighth of margin on each side: trim it, so the
        box's bottom-centre is the feet, not a point below them."""
        return Box(round((x + w / 8) / factor), round((y + h / 8) / factor), round(w * 3 / 4 / factor),
                   round(h * 3 / 4 / factor), score)


@cache
def default_detector() -> PeopleDetector:
    return HogPeopleDetector()


def point_in_polygon(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Ray casting; points on an edge may fall either way, which is fine for counting people."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def count_in_zone(boxes: list[Box], zone: list, *, width: int, height: int) -> int:
    """People whose feet are inside the zone (points as fractions of the image); no zone: the whole image."""
    if len(zone) < 3:
        return len(boxes)
    polygon = [(float(x) * width, float(y) * height) for x, y in zone]
    return sum(point_in_polygon(box.foot, polygon) for box in boxes)


def count_debounce(*, stable: int | None, pending: int | None, pending_frames: int, raw: int,
                   hold: int) -> tuple[int | None, int | None, int]:
    """The next (stable, pending, pending_frames): a new count must be seen `hold` frames in a row first."""
    if raw == stable:
        return raw, None, 0
    frames = pending_frames + 1 if raw == pending else 1
    if frames >= hold:
        return raw, None, 0
    return stable, raw, frames
