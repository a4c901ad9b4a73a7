"""Frame files under MEDIA_ROOT/cctv/<camera>/<date>/ and the privacy blur applied when they are shown.

The files are never served from MEDIA_URL: every picture goes out through an access-checked view.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings

MAX_WIDTH = 1280
THUMB_WIDTH = 320
JPEG_QUALITY = 80


@dataclass(frozen=True)
class StoredFiles:
    path: str
    thumbnail_path: str
    size_bytes: int
    width: int
    height: int


def media_file(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _scaled(image: np.ndarray, width: int) -> np.ndarray:
    if image.shape[1] <= width:
        return image
    factor = width / image.shape[1]
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def encode_jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


def frame_files_write(*, camera_id: int, taken_at: dt.datetime, image: np.ndarray) -> StoredFiles:
    image = _scaled(image, MAX_WIDTH)
    stem = f"cctv/{camera_id}/{taken_at:%Y%m%d}/{taken_at:%H%M%S_%f}"
    full, thumb = encode_jpeg(image), encode_jpeg(_scaled(image, THUMB_WIDTH), 70)
    folder = media_file(stem).parent
    folder.mkdir(parents=True, exist_ok=True)
    media_file(f"{stem}.jpg").write_bytes(full)
    media_file(f"{stem}_t.jpg").write_bytes(thumb)
    return StoredFiles(f"{stem}.jpg", f"{stem}_t.jpg", len(full) + len(thumb), image.shape[1], image.shape[0])


def files_delete(paths: list[str]) -> None:
    for relative in paths:
        media_file(relative).unlink(missing_ok=True)


def privacy_blur(data: bytes, regions: list) -> bytes:
    """The JPEG with each region ([x, y, w, h] as fractions of the image) pixelated beyond recognition."""
    if not regions:
        return data
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return data
    height, width = image.shape[:2]
    for x, y, w, h in regions:
        x0, y0 = max(0, int(x * width)), max(0, int(y * height))
        x1, y1 = min(width, int((x + w) * width)), min(height, int((y + h) * height))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        patch = image[y0:y1, x0:x1]
        tiny = cv2.resize(patch, (max(1, (x1 - x0) // 16), max(1, (y1 - y0) // 16)), interpolation=cv2.INTER_AREA)
        image[y0:y1, x0:x1] = cv2.GaussianBlur(cv2.resize(tiny, (x1 - x0, y1 - y0),
                                                          interpolation=cv2.INTER_NEAREST), (0, 0), 3)
    return encode_jpeg(image)
