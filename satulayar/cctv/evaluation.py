"""The people counter measured on real photographs with hand-counted truth (evaluation/, sources and licences in
its README): the test holds each image within ±1 and the mean absolute error under a bound; bench/cctv.py
prints the same figures for every detector. Times are this process's CPU seconds: a busy machine does not
distort the frames per second per core.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from satulayar.cctv.detector import PeopleDetector

FOLDER = Path(__file__).parent / "evaluation"


@dataclass(frozen=True)
class Scored:
    name: str
    truth: int
    counted: int
    seconds: float

    @property
    def error(self) -> int:
        return self.counted - self.truth


@dataclass(frozen=True)
class Evaluation:
    scored: list[Scored]

    @property
    def exact_rate(self) -> float:
        return float(np.mean([s.error == 0 for s in self.scored]))

    @property
    def mean_absolute_error(self) -> float:
        return float(np.mean([abs(s.error) for s in self.scored]))

    @property
    def frames_per_second(self) -> float:
        return len(self.scored) / sum(s.seconds for s in self.scored)


def real_images() -> list[tuple[str, int, np.ndarray]]:
    """(file name, people counted by hand, BGR image) for every photograph in the set."""
    truth = json.loads((FOLDER / "truth.json").read_text())
    return [(name, entry["people"], cv2.imread(str(FOLDER / name), cv2.IMREAD_COLOR)) for name, entry in truth.items()]


def evaluate(detector: PeopleDetector, images=None) -> Evaluation:
    scored = []
    for name, truth, image in images or real_images():
        started = time.process_time()
        counted = len(detector.detect(image))
        scored.append(Scored(name, truth, counted, time.process_time() - started))
    return Evaluation(scored)
