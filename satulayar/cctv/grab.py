"""Fetching one frame from a camera: HTTP snapshot, MJPEG stream or RTSP (OpenCV/FFmpeg), with a deadline.

Every fetch goes through core.outbound (the resolved address checked and connected to, no redirects followed),
reads at most `MAX_BYTES`, and gives up after the timeout, so one slow camera costs
one worker thread for that long and no more. Errors come back as `GrabError` with an Indonesian reason.
"""

import time
import urllib.error
from urllib.parse import quote, urlsplit, urlunsplit

import cv2
import numpy as np
from django.utils.translation import gettext as _

from satulayar.cctv.choices import SourceKind
from satulayar.core.outbound import CCTV, OutboundRefused, ResponseTooLarge, body_read, outbound_open, url_pin

MAX_BYTES = 8 * 1024 * 1024
JPEG_START, JPEG_END = b"\xff\xd8", b"\xff\xd9"


class GrabError(Exception):
    """The camera gave no usable frame; the message says why, in Indonesian."""


def _first_jpeg(data: bytes) -> bytes | None:
    start = data.find(JPEG_START)
    end = data.find(JPEG_END, start + 2) if start >= 0 else -1
    return data[start:end + 2] if end >= 0 else None


def _http_grab(url: str, kind: str, username: str, password: str, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    with outbound_open(url, purpose=CCTV, timeout=timeout, headers={"User-Agent": "SatuLayar-CCTV/1"},
                       credentials=(username, password), max_redirects=0) as response:
        if kind == SourceKind.MJPEG:
            data = body_read(response, max_bytes=MAX_BYTES, deadline=deadline,
                             done=lambda d: _first_jpeg(d) is not None)
            if (frame := _first_jpeg(data)) is None:
                raise GrabError(_("aliran MJPEG berakhir sebelum satu gambar utuh diterima"))
            return frame
        return body_read(response, max_bytes=MAX_BYTES, deadline=deadline)


def _rtsp_grab(url: str, username: str, password: str, timeout: float) -> bytes:
    # OpenCV resolves names itself: it gets the address checked here, so a second lookup cannot differ.
    url = url_pin(url, purpose=CCTV, default_port=554)
    if username or password:
        parts = urlsplit(url)
        netloc = f"{quote(username, safe='')}:{quote(password, safe='')}@{parts.netloc}"
        url = urlunsplit(parts._replace(netloc=netloc))
    ms = int(timeout * 1000)
    capture = cv2.VideoCapture(url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms,
                                                     cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms])
    try:
        ok, image = capture.read() if capture.isOpened() else (False, None)
    finally:
        capture.release()
    if not ok or image is None:
        raise GrabError(_("aliran RTSP tidak dapat dibuka atau tidak mengirim gambar"))
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return encoded.tobytes()


def frame_grab(*, url: str, kind: str, username: str = "", password: str = "", timeout: float = 5.0) -> bytes:
    """The encoded image bytes of one frame, or GrabError."""
    try:
        if kind == SourceKind.RTSP:
            return _rtsp_grab(url, username, password, timeout)
        return _http_grab(url, kind, username, password, timeout)
    except GrabError:
        raise
    except OutboundRefused as exc:
        raise GrabError(_("alamat ditolak: %(reason)s") % {"reason": exc}) from None
    except ResponseTooLarge:
        raise GrabError(_("gambar lebih besar dari %(mb)s MB") % {"mb": MAX_BYTES // 1024 // 1024}) from None
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise GrabError(_("kamera menolak kredensial (HTTP %(code)s)") % {"code": exc.code}) from None
        raise GrabError(_("kamera menjawab HTTP %(code)s") % {"code": exc.code}) from None
    except TimeoutError:
        raise GrabError(_("kamera tidak menjawab dalam %(s)s detik") % {"s": f"{timeout:g}"}) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise GrabError(_("kamera tidak menjawab dalam %(s)s detik") % {"s": f"{timeout:g}"}) from None
        raise GrabError(_("tidak dapat terhubung ke kamera: %(reason)s") % {"reason": reason}) from None


def frame_decode(data: bytes) -> np.ndarray:
    """The BGR image in `data`, or GrabError when it is no image (corrupt, truncated, HTML error page)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None or image.size == 0:
        raise GrabError(_("data gambar rusak atau bukan gambar (%(n)s bita)") % {"n": len(data)})
    return image
