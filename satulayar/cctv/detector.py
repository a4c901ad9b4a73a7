"""People detection behind a small interface, and counting inside a polygon zone.

The default is NanoDet-m on onnxruntime (nanodet.py): on real photographs it counts 93 % of them exactly,
HOG 21 % (satulayar/cctv/evaluation.py). OpenCV's HOG people detector stays as the fallback where onnxruntime is
not installed or the model file is missing or altered (its coefficients ship inside OpenCV 4, which is why
OpenCV stays below 5: HOG left OpenCV 5's main module). HOG scales frames to `DETECT_WIDTH` first: people
100–130 px tall then fit its 64×128 window at its finest scales. Another model (a GPU one) plugs in by
implementing `PeopleDetector.detect`.
"""

import logging
from functools import cache
from typing import Protocol

import cv2
import numpy as np

from satulayar.cctv.box import Box

DETECT_WIDTH = 480
MIN_SCORE = 0.3
NMS_OVERLAP = 0.3


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


log = logging.getLogger(__name__)


def detector_name(detector: PeopleDetector) -> str:
    return {"NanoDetPeopleDetector": "nanodet", "HogPeopleDetector": "hog"}.get(type(detector).__name__,
                                                                              type(detector).__name__)


def detector_load(**model) -> PeopleDetector:
    """NanoDet where it can run, else HOG; why it could not is logged. `model`: NanoDet's path and sha256."""
    try:
        from satulayar.cctv.nanodet import ModelError, NanoDetPeopleDetector
    except ImportError as exc:
        log.warning("CCTV people counter: onnxruntime is not installed (%s); using HOG", exc)
        return HogPeopleDetector()
    try:
        return NanoDetPeopleDetector(**model)
    except ModelError as exc:
        log.error("CCTV people counter: %s; using HOG", exc)
        return HogPeopleDetector()


@cache
def default_detector() -> PeopleDetector:
    return detector_load()


def point_in_polygon(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Ray casting; points on an edge may fall either way, which is fine for counting people."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def in_zone(boxes: list[Box], zone: list, *, width: int, height: int) -> list[Box]:
    """The people whose feet are inside the zone (points as fractions of the image); no zone: everyone."""
    if len(zone) < 3:
        return list(boxes)
    polygon = [(float(x) * width, float(y) * height) for x, y in zone]
    return [box for box in boxes if point_in_polygon(box.foot, polygon)]


def count_in_zone(boxes: list[Box], zone: list, *, width: int, height: int) -> int:
    return len(in_zone(boxes, zone, width=width, height=height))


def count_debounce(*, stable: int | None, pending: int | None, pending_frames: int, raw: int,
                   hold: int) -> tuple[int | None, int | None, int]:
    """The next (stable, pending, pending_frames): a new count must be seen `hold` frames in a row first."""
    if raw == stable:
        return raw, None, 0
    frames = pending_frames + 1 if raw == pending else 1
    if frames >= hold:
        return raw, None, 0
    return stable, raw, frames
