"""A simulated CCTV camera server for the demo and the tests (no real camera is reachable here).

Serves generated scenes of a kelurahan service area on 127.0.0.1: `/kamera/<slug>/snapshot.jpg` (one JPEG)
and `/kamera/<slug>/mjpeg` (multipart/x-mixed-replace). Each scene has a known number of people standing in
the waiting area (`SCENE_ZONE`) plus, when asked, an officer behind the desk outside it, 130–170 px tall on a
640×480 frame, on a tiled floor. The people are photographs of real pedestrians (`simulator_people/`, cut from
OpenCV's sample video; source and licence in its README) blended onto the floor: the default detector,
NanoDet-m, counts them (measured: 99 % of scenes exact, never off by more than one; bench/cctv.py).
`figures="drawn"` draws proportioned silhouettes instead (head, shoulders, torso, arms, legs), made for
OpenCV's HOG detector, the fallback (exact on ~98 % of them; tests/test_detector.py), which finds only ~70 %
of the photographed people exactly.

How many people a camera shows changes every `bucket_s` seconds, following office hours, unless a test
pins it (`people[slug] = n`). Slugs in `dead` (or starting with "mati-") drop the connection, in `slow` (or
starting with "lambat-") answer after `slow_s` seconds, in `corrupt` send bytes that are no image;
`auth[slug]` asks for HTTP Basic credentials.
"""

import base64
import hashlib
import http.server
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from satulayar.core.time import zone_named

WIDTH, HEIGHT = 640, 480
MAX_PEOPLE = 6
SCENE_ZONE = [[0.02, 0.5], [0.86, 0.5], [0.86, 0.99], [0.02, 0.99]]  # the waiting area, as fractions
SLOT_X = [40 + 95 * i for i in range(MAX_PEOPLE)]  # feet x positions inside the zone, far enough apart for HOG
OFFICER_X = 605
DEAD_PREFIX, SLOW_PREFIX = "mati-", "lambat-"  # the demo's broken cameras, by name
PEOPLE_FOLDER = Path(__file__).parent / "simulator_people"
HOURLY_MEAN = {8: 2.0, 9: 3.5, 10: 4.0, 11: 3.0, 12: 1.5, 13: 2.5, 14: 2.0, 15: 1.0}


def _background(rng: np.random.Generator) -> np.ndarray:
    img = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    img[: HEIGHT // 3] = (200, 205, 210)  # wall
    for y in range(HEIGHT // 3, HEIGHT, 40):  # floor tiles
        for x in range(0, WIDTH, 40):
            shade = 150 if (x // 40 + y // 40) % 2 else 170
            img[y:y + 40, x:x + 40] = (shade, shade - 5, shade - 10)
    cv2.rectangle(img, (520, 120), (639, 175), (60, 90, 120), -1)  # the service desk
    noise = rng.integers(-12, 12, img.shape, dtype=np.int16)
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def _person(img: np.ndarray, cx: int, foot_y: int, height: int, rng: np.random.Generator) -> None:
    h = height
    head_r = int(h * 0.065)
    shirt = tuple(int(v) for v in rng.integers(20, 120, 3))
    pants = tuple(int(v) for v in rng.integers(10, 70, 3))
    skin, hair = (80, 120, 170), (20, 20, 20)
    top = foot_y - h
    cv2.circle(img, (cx, top + head_r), head_r, skin, -1, cv2.LINE_AA)
    cv2.ellipse(img, (cx, top + head_r - head_r // 3), (head_r, int(head_r * 0.7)), 0, 180, 360, hair, -1,
                cv2.LINE_AA)
    neck_top = top + 2 * head_r
    shoulder_y, shoulder_w = neck_top + int(h * 0.03), int(h * 0.13)
    hip_y, hip_w = top + int(h * 0.52), int(h * 0.09)
    torso = np.array([[cx - shoulder_w, shoulder_y], [cx + shoulder_w, shoulder_y], [cx + hip_w, hip_y],
                      [cx - hip_w, hip_y]], np.int32)
    cv2.fillConvexPoly(img, torso, shirt, cv2.LINE_AA)
    cv2.line(img, (cx, neck_top - 2), (cx, shoulder_y), skin, max(2, head_r // 2))
    arm, hand_y, reach = max(3, int(h * 0.045)), top + int(h * 0.55), int(h * 0.03)
    cv2.line(img, (cx - shoulder_w, shoulder_y + arm // 2), (cx - shoulder_w - reach, hand_y), shirt, arm, cv2.LINE_AA)
    cv2.line(img, (cx + shoulder_w, shoulder_y + arm // 2), (cx + shoulder_w + reach, hand_y), shirt, arm, cv2.LINE_AA)
    leg, stride = max(4, int(h * 0.06)), int(h * 0.07)
    cv2.line(img, (cx - hip_w // 2, hip_y), (cx - stride, foot_y - leg // 2), pants, leg, cv2.LINE_AA)
    cv2.line(img, (cx + hip_w // 2, hip_y), (cx + stride, foot_y - leg // 2), pants, leg, cv2.LINE_AA)
    cv2.fillConvexPoly(img, np.array([[cx - hip_w, hip_y - 5], [cx + hip_w, hip_y - 5],
                                      [cx + hip_w // 2 + leg // 2, hip_y + int(h * 0.1)],
                                      [cx - hip_w // 2 - leg // 2, hip_y + int(h * 0.1)]], np.int32), pants)


@cache
def _photographs() -> tuple[np.ndarray, ...]:
    return tuple(cv2.imread(str(path), cv2.IMREAD_COLOR) for path in sorted(PEOPLE_FOLDER.glob("*.jpg")))


def _photographed_person(img: np.ndarray, cx: int, foot_y: int, height: int, rng: np.random.Generator) -> None:
    """One of the photographs, scaled to `height`, blended in through a soft ellipse (its street fades out)."""
    photos = _photographs()
    photo = photos[int(rng.integers(len(photos)))]
    scaled = cv2.resize(photo, None, fx=height / photo.shape[0], fy=height / photo.shape[0],
                        interpolation=cv2.INTER_LINEAR)
    h, w = scaled.shape[:2]
    x0, y0 = cx - w // 2, foot_y - h
    x1, y1, x2, y2 = max(0, x0), max(0, y0), min(img.shape[1], x0 + w), min(img.shape[0], y0 + h)
    if x2 <= x1 or y2 <= y1:
        return
    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (w // 2, h // 2), (int(w * 0.42), int(h * 0.47)), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, w / 10))[y1 - y0:y2 - y0, x1 - x0:x2 - x0, None]
    part = scaled[y1 - y0:y2 - y0, x1 - x0:x2 - x0].astype(np.float32)
    img[y1:y2, x1:x2] = (part * mask + img[y1:y2, x1:x2].astype(np.float32) * (1 - mask)).astype(np.uint8)


FIGURES = {"photo": _photographed_person, "drawn": _person}


def scene_render(people: int, *, seed: int | str, officer: bool = False, caption: str = "",
                 figures: str = "photo") -> np.ndarray:
    """A 640×480 BGR scene with `people` (0–6) standing in the waiting area; the same seed, the same scene."""
    people = max(0, min(MAX_PEOPLE, people))
    digest = hashlib.sha256(str(seed).encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    img = _background(rng)
    slots = rng.permutation(MAX_PEOPLE)[:people]
    placed = [(SLOT_X[s] + int(rng.integers(-8, 9)), int(rng.integers(300, 462)), int(rng.integers(130, 171)))
              for s in slots]
    if officer:
        placed.append((OFFICER_X, 330, 150))
    draw = FIGURES[figures]
    for cx, foot_y, height in sorted(placed, key=lambda f: f[1]):  # farther people first
        draw(img, cx, foot_y, height, rng)
    if caption:
        cv2.putText(img, caption, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 3, cv2.LINE_AA)
        cv2.putText(img, caption, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (30, 30, 30), 1, cv2.LINE_AA)
    return img


def jpeg(img: np.ndarray, quality: int = 80) -> bytes:
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


class CameraSimulator:
    """A threaded HTTP server of simulated cameras; `start()` it, `stop()` it, start it again on the same port."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: int = 2018, bucket_s: int = 60,
                 timezone: str = "Asia/Makassar"):
        self.host, self.port, self.seed, self.bucket_s = host, port, seed, bucket_s
        self.zone = zone_named(timezone)
        self.people: dict[str, int] = {}
        # Where the number of people comes from when no test pins it: a function of (slug, unix time) giving the
        # number, or None to use the office-hours pattern (the demo counts the kelurahan's waiting visitors).
        self.people_source: Callable[[str, float], int | None] | None = None
        self.dead: set[str] = set()
        self.slow: set[str] = set()
        self.corrupt: set[str] = set()
        self.auth: dict[str, tuple[str, str]] = {}  # slug -> (username, password) required by HTTP Basic
        self.slow_s = 30.0
        self.mjpeg_fps = 1.0
        self.mjpeg_seconds = 300.0
        self.requests = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    # --- what each camera shows -----------------------------------------------------------------------------

    def people_for(self, slug: str, now: float | None = None) -> int:
        if slug in self.people:
            return self.people[slug]
        now = time.time() if now is None else now
        if self.people_source is not None and (found := self.people_source(slug, now)) is not None:
            return max(0, min(MAX_PEOPLE, found))
        mean = HOURLY_MEAN.get(datetime.fromtimestamp(now, self.zone).hour, 0.3)
        digest = hashlib.sha256(f"{self.seed}/{slug}/{int(now // self.bucket_s)}".encode()).digest()
        return min(MAX_PEOPLE, int(np.random.default_rng(int.from_bytes(digest[:8], "big")).poisson(mean)))

    def frame_for(self, slug: str, now: float | None = None) -> bytes:
        now = time.time() if now is None else now
        people = self.people_for(slug, now)
        stamp = datetime.fromtimestamp(now, self.zone).strftime("%d-%m-%Y %H:%M:%S")
        bucket = int(now // self.bucket_s)
        return jpeg(scene_render(people, seed=f"{self.seed}/{slug}/{bucket}/{people}", officer=True,
                                 caption=f"{slug.upper()}  {stamp}"))

    # --- serving ------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, slug: str, kind: str = "snapshot") -> str:
        return f"{self.base_url}/kamera/{slug}/{'mjpeg' if kind == 'mjpeg' else 'snapshot.jpg'}"

    def start(self) -> "CameraSimulator":
        handler = type("Handler", (_Handler,), {"simulator": self})
        self._server = _QuietServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name=f"cctv-simulator:{self.port}", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A poller that gave up on the slow camera closes its socket: expected here, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    simulator: CameraSimulator
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        sim = self.simulator
        sim.requests += 1
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 3 or parts[0] != "kamera" or parts[2] not in ("snapshot.jpg", "mjpeg"):
            self.send_error(404)
            return
        slug = parts[1]
        if slug in sim.dead or slug.startswith(DEAD_PREFIX):
            self.close_connection = True
            return
        if slug in sim.auth and not self._authorised(sim.auth[slug]):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="kamera"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if slug in sim.slow or slug.startswith(SLOW_PREFIX):
            time.sleep(sim.slow_s)
        if slug in sim.corrupt:
            self._send(b"\xff\xd8\xff\xe0 this is not a picture " * 20, "image/jpeg")
        elif parts[2] == "snapshot.jpg":
            self._send(sim.frame_for(slug), "image/jpeg")
        else:
            self._mjpeg(slug)

    def _authorised(self, credentials: tuple[str, str]) -> bool:
        expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
        return self.headers.get("Authorization", "") == expected

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _mjpeg(self, slug: str) -> None:
        sim = self.simulator
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        until = time.monotonic() + sim.mjpeg_seconds
        try:
            while time.monotonic() < until and sim.running:
                data = sim.frame_for(slug)
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                 + str(len(data)).encode() + b"\r\n\r\n" + data + b"\r\n")
                self.wfile.flush()
                time.sleep(1 / sim.mjpeg_fps)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main() -> None:  # pragma: no cover - `python -m satulayar.cctv.simulator [port]` for a look by hand
    import sys

    sim = CameraSimulator(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765).start()
    print(f"Kamera simulasi: {sim.url('contoh')}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
