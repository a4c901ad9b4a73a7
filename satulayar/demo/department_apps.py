"""Small department applications for the demo, served on 127.0.0.1 beside Satu Layar, each in its own style:

- Dinkes "SIMPUS": puskesmas visits per kelurahan per day; JSON pages (?page=N), API key in X-API-Key.
- DLH "SIPSN": waste collected per day (tonnes, truck trips); a `next` link per page, Bearer token.
- BPBD "Pos duga air": river water level per station per hour; HTTP Basic.
- BPBD rain gauges push rainfall to our signed webhook (see `RainGaugePusher`).
- Disdukcapil: population documents issued per kelurahan per day, in an SQLite database file (see `dukcapil_db_build`).

Their numbers come from `seed` and the date alone, so the history the demo backfills and what the apps serve later
agree, and a rerun gives the same values.
"""

import base64
import datetime as dt
import hashlib
import json
import logging
import math
import sqlite3
import threading
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from satulayar.core.time import zone_named

log = logging.getLogger(__name__)
ZONE = zone_named("Asia/Makassar")
DINKES_KEY = "simpus-demo-kunci"
DLH_TOKEN = "sipsn-demo-token"
BPBD_USER, BPBD_PASSWORD = "satulayar", "pos-duga-air-demo"
STATIONS = ("Sungai Martapura – Jembatan Merdeka", "Sungai Kuin – Alalak", "Sungai Barito – Pelabuhan Trisakti")
SERVED_DAYS = 3  # the apps answer the last few days; older days came in through the backfill


def _unit(seed: int, *parts) -> float:
    """A deterministic number in [0, 1) from the seed and the parts."""
    digest = hashlib.sha256("/".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def puskesmas_visits(seed: int, day: dt.date, kelurahan: str) -> int:
    if day.weekday() == 6:
        return 0
    base = 25 + 55 * _unit(seed, "pkm-size", kelurahan)
    weekday = 0.55 if day.weekday() == 5 else 1.0
    return round(base * weekday * (0.8 + 0.4 * _unit(seed, "pkm", kelurahan, day)))


def waste_collected(seed: int, day: dt.date) -> tuple[float, int]:
    """Tonnes collected and truck trips: about 600 t a day in a city of 700.000, less on Sundays."""
    tonnes = 560 + 80 * _unit(seed, "waste", day) - (70 if day.weekday() == 6 else 0)
    return round(tonnes, 1), round(tonnes / 6.5)


def water_level(seed: int, station: str, hour: dt.datetime) -> int:
    """Centimetres at the gauge: a tide (about 12.4 h) on top of a station base, with a little noise."""
    base = {0: 180, 1: 150, 2: 210}[STATIONS.index(station)] if station in STATIONS else 170
    hours = hour.timestamp() / 3600
    return round(base + 45 * math.sin(2 * math.pi * hours / 12.42) + 8 * _unit(seed, "tide", station, hour))


def rainfall(seed: int, station: str, hour: dt.datetime) -> float:
    wet = _unit(seed, "rain-day", station, hour.date()) < 0.45
    return round(18 * _unit(seed, "rain", station, hour) ** 3, 1) if wet else 0.0


def _today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def _days(query: dict) -> list[dt.date]:
    end = dt.date.fromisoformat(query["sampai"][0]) if "sampai" in query else _today()
    start = dt.date.fromisoformat(query["dari"][0]) if "dari" in query else end - dt.timedelta(days=SERVED_DAYS - 1)
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)][:62]


class _Handler(BaseHTTPRequestHandler):
    app = None  # set per server

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        try:
            status, body = self.app.answer(parts.path, urllib.parse.parse_qs(parts.query), self.headers)
        except (ValueError, KeyError) as exc:
            status, body = 400, {"error": str(exc)}
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class DinkesApp:
    name = "SIMPUS Dinkes"
    per_page = 20

    def __init__(self, *, seed: int, kelurahan: list[str]):
        self.seed, self.kelurahan = seed, kelurahan

    def answer(self, path: str, query: dict, headers) -> tuple[int, dict]:
        if headers.get("X-API-Key") != DINKES_KEY:
            return 401, {"error": "kunci API salah"}
        if path != "/api/v1/kunjungan":
            return 404, {"error": "tidak ada"}
        rows = [{"tanggal": day.isoformat(), "kelurahan": name, "puskesmas": f"Puskesmas {name}",
                 "jumlah_kunjungan": puskesmas_visits(self.seed, day, name)}
                for day in _days(query) for name in self.kelurahan]
        page = int(query.get("page", ["1"])[0])
        chunk = rows[(page - 1) * self.per_page: page * self.per_page]
        return 200, {"data": chunk, "meta": {"page": page, "per_page": self.per_page, "total": len(rows)}}


class DlhApp:
    name = "SIPSN DLH"

    def __init__(self, *, seed: int):
        self.seed = seed

    def answer(self, path: str, query: dict, headers) -> tuple[int, dict]:
        if headers.get("Authorization") != f"Bearer {DLH_TOKEN}":
            return 401, {"error": "token salah"}
        if path != "/sampah/harian":
            return 404, {"error": "tidak ada"}
        days = _days(query)
        index = int(query.get("cursor", ["0"])[0])
        items = []
        for day in days[index:index + 2]:
            tonnes, trips = waste_collected(self.seed, day)
            items.append({"date": day.isoformat(), "ton_terangkut": tonnes, "ritase": trips})
        following = f"/sampah/harian?cursor={index + 2}" if index + 2 < len(days) else None
        return 200, {"items": items, "next": following}


class BpbdApp:
    name = "Pos duga air BPBD"

    def __init__(self, *, seed: int):
        self.seed = seed

    def answer(self, path: str, query: dict, headers) -> tuple[int, dict]:
        expected = "Basic " + base64.b64encode(f"{BPBD_USER}:{BPBD_PASSWORD}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"error": "autentikasi diperlukan"}
        if path != "/pos-duga-air/terkini":
            return 404, {"error": "tidak ada"}
        now = dt.datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
        readings = [{"pos": station, "waktu": (now - dt.timedelta(hours=h)).isoformat(),
                     "tinggi_cm": water_level(self.seed, station, now - dt.timedelta(hours=h))}
                    for h in range(6) for station in STATIONS]
        return 200, readings


def serve(app, *, port: int = 0) -> ThreadingHTTPServer:
    """Serve one app on 127.0.0.1 in a daemon thread; port 0 picks a free one (server.server_port)."""
    handler = type(f"{type(app).__name__}Handler", (_Handler,), {"app": app})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"demo-{type(app).__name__}", daemon=True).start()
    return server


def dukcapil_db_build(*, path: Path, seed: int, kelurahan: list[str], start: dt.date, end: dt.date) -> Path:
    """Disdukcapil's own database: one row per document issued-count per kelurahan and day (rebuilt whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE penerbitan_dokumen (tanggal TEXT, kelurahan TEXT, jenis TEXT, jumlah INTEGER)")
        rows = []
        day = start
        while day <= end:
            for name in kelurahan:
                for kind in ("KTP-el", "KK", "Akta kelahiran"):
                    weight = 0 if day.weekday() >= 5 else 1
                    rows.append((day.isoformat(), name, kind, round(weight * 12 * _unit(seed, "dukcapil", name,
                                                                                          kind, day))))
            day += dt.timedelta(days=1)
        db.executemany("INSERT INTO penerbitan_dokumen VALUES (?, ?, ?, ?)", rows)
    return path


class RainGaugePusher:
    """BPBD's rain gauges: every `interval` seconds, push the last hour's rainfall to our webhook, signed the
    Standard Webhooks way."""

    def __init__(self, *, seed: int, url: str, secret: str, interval: float = 60):
        self.seed, self.url, self.secret, self.interval = seed, url, secret, interval
        self.stopped = threading.Event()

    def payload(self, hour: dt.datetime) -> bytes:
        readings = [{"pos": station, "jam": hour.isoformat(), "curah_hujan_mm": rainfall(self.seed, station, hour)}
                    for station in STATIONS]
        return json.dumps({"bacaan": readings}).encode()

    def push_once(self) -> int:
        from satulayar.core.webhooks import headers_for

        hour = dt.datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
        body = self.payload(hour)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            **headers_for(secret=self.secret, msg_id=f"msg_{uuid.uuid4().hex}", body=body)})
        with urllib.request.urlopen(request, timeout=10) as response:  # our own server on localhost
            return response.status

    def run(self):
        while not self.stopped.wait(self.interval):
            try:
                self.push_once()
            except OSError as exc:  # the web server is not up yet, or was stopped
                log.info("rain gauge push to %s failed: %s", self.url, exc)

    def start(self) -> "RainGaugePusher":
        threading.Thread(target=self.run, name="demo-rain-gauges", daemon=True).start()
        return self
