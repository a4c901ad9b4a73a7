"""The load of bench.live, for locust (headless): SSE listeners, single-punch ingest at a fixed rate, overview views.

Sessions come from the bench through the environment (BENCH_VIEWER_SESSION, BENCH_SENDER_SESSION, BENCH_CSRF,
BENCH_NIPS) so that no user logs in during the run.
"""

import datetime as dt
import os
import random
import time

from locust import HttpUser, between, constant_throughput, task

LISTEN_SECONDS = float(os.environ.get("BENCH_LISTEN_SECONDS", "20"))
NIPS = os.environ.get("BENCH_NIPS", "").split(",")
CSRF = os.environ.get("BENCH_CSRF", "")
ZONE = dt.timezone(dt.timedelta(hours=8))


def _session(user: HttpUser, variable: str) -> None:
    user.client.cookies.set("sessionid", os.environ[variable])
    user.client.cookies.set("csrftoken", CSRF)


class Listener(HttpUser):
    """A screen on the stream: holds it open, reads what comes, reconnects."""

    fixed_count = int(os.environ.get("BENCH_LISTENERS", "200"))
    wait_time = between(0.1, 0.5)

    def on_start(self):
        _session(self, "BENCH_VIEWER_SESSION")

    @task
    def listen(self):
        started = time.monotonic()
        with self.client.get("/satu-layar/stream/", stream=True, name="stream (SSE)", catch_response=True,
                             timeout=LISTEN_SECONDS + 10) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            for _line in response.iter_lines():
                if time.monotonic() - started > LISTEN_SECONDS:
                    break
            response.success()


class Sender(HttpUser):
    """A phone or app sending one punch a second (50 of them: 50 ingest requests/s)."""

    fixed_count = int(os.environ.get("BENCH_SENDERS", "50"))
    wait_time = constant_throughput(1)

    def on_start(self):
        _session(self, "BENCH_SENDER_SESSION")

    @task
    def punch(self):
        at = dt.datetime.now(ZONE).isoformat(timespec="microseconds")
        body = {"punches": [{"nip": random.choice(NIPS), "at": at}]}
        self.client.post("/api/attendance/punches", json=body, headers={"X-CSRFToken": CSRF,
                                                                         "Referer": self.host + "/"},
                         name="POST one punch")


class Viewer(HttpUser):
    """Someone opening the overview."""

    fixed_count = int(os.environ.get("BENCH_VIEWERS", "5"))
    wait_time = between(1, 2)

    def on_start(self):
        _session(self, "BENCH_VIEWER_SESSION")

    @task
    def overview(self):
        self.client.get("/satu-layar/", name="overview")
