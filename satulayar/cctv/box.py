"""A detected person's box: shared by the detectors (detector.py, nanodet.py) and the tracker."""

from dataclasses import dataclass


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
