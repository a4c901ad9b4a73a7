"""The served system on loopback: a real uvicorn (`satulayar serve`) and Huey worker (`satulayar worker`) on a scratch
database of the city scale (6.000 ASN), measured from outside.

  (a') single-event POST rate: one punch per POST /api/attendance/punches, one client after another (keep-alive);
  (c)  live-update latency: a punch POSTed, until its `punch.recorded` event reaches an SSE client of the overview's
       stream, p50 and p95 over the samples;
  (d)  locust, headless: 200 SSE listeners, 50 senders of one punch a second (50 ingest requests/s), 5 people opening
       the overview; throughput and errors per request kind;
  (e)  peak memory (VmHWM) of a server process and the worker, which refreshes the statuses of large batches meanwhile.
The server runs --workers processes (default 1: on two cores shared with the load tool, a second one was slower).
Usage: python -m bench.live [--samples 30] [--seconds 60] [--listeners 200] [--senders 50] [--workers 1]
       [--streams 2] [--poll] [--databases sqlite postgresql]
"""

import argparse
import csv
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench import _scratch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=60, help="length of the locust run (0: none)")
    parser.add_argument("--listeners", type=int, default=200)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument("--streams", type=int, default=0, help="SSE clients timed in (c) (default: 2 per process)")
    parser.add_argument("--poll", action="store_true", help="PostgreSQL: poll the event table (EVENTS_LISTEN=0)")
    parser.add_argument("--target", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"])
    args, _unknown = parser.parse_known_args(argv if argv is not None else [])
    if args.target:
        with _scratch.scratch_database() as name:
            _measure(args, name)
        return
    _scratch.run_each_target("bench.live", ["--samples", str(args.samples), "--seconds", str(args.seconds),
                                            "--listeners", str(args.listeners), "--senders", str(args.senders),
                                            "--workers", str(args.workers), "--streams", str(args.streams)]
                             + ["--poll"] * args.poll,
                             databases=args.databases)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(name: str) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{name}"


def _sessions(world: dict) -> tuple[str, str, str]:
    from django.contrib.auth import get_user_model

    from satulayar.org import services
    from satulayar.org.choices import Role

    sender = get_user_model().objects.create_user(username="admin_bkpsdm", password="bench-bench-123")
    services.role_assign(actor=None, user=sender, role=Role.HR_ADMIN, city=world["city"])
    keys = [_scratch.session_key_for(user) for user in (world["walikota"], sender)]
    return keys[0], keys[1], secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header


def _measure(args, name: str) -> None:
    import django.db

    world = _scratch.build_city("city")
    viewer, sender, csrf = _sessions(world)
    from satulayar.org.models import Employee

    nips = list(Employee.objects.values_list("nip", flat=True)[:2000])
    version = _scratch.server_version()
    django.db.connections.close_all()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(name), "ATTENDANCE_STATUS_SYNC_MAX_ROWS": "50",
           "EVENTS_LISTEN": "0" if args.poll else "1"}
    with (tempfile.TemporaryDirectory(prefix="satulayar-live-") as logs,
          open(Path(logs) / "server.log", "w") as server_log, open(Path(logs) / "worker.log", "w") as worker_log):
        server = subprocess.Popen([sys.executable, "-m", "satulayar.cli", "serve", "--port", str(port),
                                   "--workers", str(args.workers)], env=env,
                                  stdout=server_log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen([sys.executable, "-m", "satulayar.cli", "worker"], env=env,
                                  stdout=worker_log, stderr=subprocess.STDOUT)
        try:
            _wait_for(port)
            client = _Client(port, sender, csrf)
            print(f"\nLive on {version}: uvicorn ({args.workers} processes) + Huey worker on 127.0.0.1, city scale "
                  f"({len(world['employee_ids']):,} ASN)", flush=True)
            _single_posts(client, nips)
            _latency(port, viewer, client, nips, args.samples, args.streams or 2 * args.workers, args.poll)
            _big_batches(client, nips)
            if args.seconds > 0:
                _load(port, viewer, sender, csrf, nips, args, logs)
            print(f"  (e) peak memory (VmHWM): server {_peak_mb(server.pid):.0f} MB, "
                  f"worker {_peak_mb(worker.pid):.0f} MB (its process tree's largest)", flush=True)
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


class _Client:
    """One keep-alive HTTP connection posting punches as the HR admin."""

    def __init__(self, port: int, session: str, csrf: str):
        self.port, self.csrf = port, csrf
        self.headers = {"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": f"http://127.0.0.1:{port}/",
                        "Cookie": f"sessionid={session}; csrftoken={csrf}"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, items: list[dict]) -> dict:
        try:
            response = self._send(items)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed the idle keep-alive connection (uvicorn: after 5 s): open another.
            self.connection.close()
            response = self._send(items)
        body = response.read()
        assert response.status == 200, (response.status, body[:300])
        return json.loads(body)

    def _send(self, items: list[dict]) -> http.client.HTTPResponse:
        self.connection.request("POST", "/api/attendance/punches", body=json.dumps({"punches": items}),
                                headers=self.headers)
        return self.connection.getresponse()


def _now_items(nips: list[str], n: int, offset: int = 0) -> list[dict]:
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    return [{"nip": nips[(offset + i) % len(nips)], "at": (now - dt.timedelta(microseconds=i)).isoformat()}
            for i in range(n)]


def _single_posts(client: _Client, nips: list[str], count: int = 200) -> None:
    client.post(_now_items(nips, 1))  # warm up
    started = time.perf_counter()
    for i in range(count):
        assert client.post(_now_items(nips, 1, i))["accepted"] == 1
    seconds = time.perf_counter() - started
    print(f"  (a') single-event POST: {count / seconds:,.0f} punches/s, {1000 * seconds / count:.1f} ms each "
          f"(one client, keep-alive; status refreshed in the request)", flush=True)


def _latency(port: int, session: str, client: _Client, nips: list[str], samples: int, streams: int,
             poll: bool) -> None:
    """Punch → each of `streams` SSE clients sees punch.recorded. Each stream is its own connection (so with several
    server processes they land on different ones), read in a thread that stamps each event."""
    seen: list[list[float]] = [[] for _ in range(streams)]
    ready = threading.Barrier(streams + 1)

    def listen(stamps: list[float]):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/satu-layar/stream/", headers={"Cookie": f"sessionid={session}",
                                                                   "Accept": "text/event-stream"})
        response = connection.getresponse()
        ready.wait(10)
        while len(stamps) < samples:
            line = response.fp.readline()
            if not line:
                break
            if line.startswith(b"event: punch.recorded"):
                stamps.append(time.perf_counter())
        connection.close()

    for stamps in seen:
        threading.Thread(target=listen, args=(stamps,), daemon=True).start()
    ready.wait(10)
    time.sleep(1)
    latencies, posts, after = [], [], []
    for i in range(samples):
        sent = time.perf_counter()
        client.post(_now_items(nips, 1, 1000 + i))
        posts.append(time.perf_counter() - sent)
        while any(len(stamps) <= i for stamps in seen) and time.perf_counter() - sent < 5:
            time.sleep(0.002)
        latencies += [stamps[i] - sent for stamps in seen if len(stamps) > i]
        after += [stamps[i] - sent - posts[-1] for stamps in seen if len(stamps) > i]
        time.sleep(0.05)
    quantiles = statistics.quantiles(latencies, n=20)
    from django.db import connection

    listening = connection.vendor == "postgresql" and not poll
    how = "LISTEN/NOTIFY" if listening else "the event table polled every 0,3 s"
    goal = f" (goal ≤ 100 ms: {'met' if quantiles[18] <= 0.1 else 'MISSED'})" if connection.vendor == "postgresql" \
        else ""
    print(f"  (c) punch → SSE client: p50 {1000 * statistics.median(latencies):.0f} ms, "
          f"p95 {1000 * quantiles[18]:.0f} ms{goal} over {len(latencies)}/{samples * streams} deliveries "
          f"to {streams} streams ({how}); the POST itself took p50 {1000 * statistics.median(posts):.0f} ms, "
          f"the event came p50 {1000 * statistics.median(after):.0f} ms / p95 "
          f"{1000 * statistics.quantiles(after, n=20)[18]:.0f} ms after its answer", flush=True)


def _big_batches(client: _Client, nips: list[str]) -> None:
    """Work for the worker: batches over the sync limit have their statuses refreshed there."""
    for i in range(4):
        client.post(_now_items(nips, 500, 5000 + 500 * i))


def _load(port: int, viewer: str, sender: str, csrf: str, nips: list[str], args, logs: str) -> None:
    env = {**os.environ, "BENCH_VIEWER_SESSION": viewer, "BENCH_SENDER_SESSION": sender, "BENCH_CSRF": csrf,
           "BENCH_NIPS": ",".join(nips), "BENCH_LISTENERS": str(args.listeners), "BENCH_SENDERS": str(args.senders),
           "BENCH_LISTEN_SECONDS": str(min(20, args.seconds // 2))}
    users = args.listeners + args.senders + 5
    prefix = Path(logs) / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("_locustfile.py")), "--headless",
               "-u", str(users), "-r", "50", "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}",
               "--csv", str(prefix), "--csv-full-history", "--only-summary", "--stop-timeout", "5"]
    subprocess.run(command, env=env, cwd=_scratch.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"  (d) locust {args.seconds} s: {args.listeners} SSE listeners, {args.senders} senders at 1 punch/s each, "
          f"5 overview viewers ({users} users)")
    with open(f"{prefix}_stats.csv") as stats:
        totals = {row["Name"]: row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"}
    for row in totals.values():
        print(f"      {row['Name']:<16} {int(row['Request Count']):>6} requests, "
              f"{float(row['Requests/s']):6.1f}/s, "
              f"{int(row['Failure Count'])} errors, median {row['Median Response Time']} ms, "
              f"p95 {row['95%']} ms")
    _judge(prefix, totals, users, args.senders)
    with open(f"{prefix}_failures.csv") as failures:
        for row in sorted(csv.DictReader(failures), key=lambda row: -int(row["Occurrences"]))[:3]:
            print(f"      {row['Occurrences']:>6} × {row['Name']}: {row['Error'][:110]}")
    errors = Counter(line.strip()[:150] for line in (Path(logs) / "server.log").read_text().splitlines()
                     if "Error:" in line or "error:" in line)
    for line, count in errors.most_common(3):
        print(f"      server log, {count} ×: {line}")
    sys.stdout.flush()


def _judge(prefix: Path, totals: dict[str, dict], users: int, senders: int) -> None:
    """The goals, once every user has started: the senders offer one punch a second each from then on (the ramp
    before offers fewer, so counting it would blame the server for punches nobody sent)."""
    with open(f"{prefix}_stats_history.csv") as history:
        rows = [row for row in csv.DictReader(history) if int(row["User Count"]) >= users]
    posts = [row for row in rows if row["Name"] == "POST one punch"]
    if len(posts) < 2 or "overview" not in totals:
        print("      (d) goals: not judged, the run ended before every user had started")
        return
    seconds = int(posts[-1]["Timestamp"]) - int(posts[0]["Timestamp"])
    rate = (int(posts[-1]["Total Request Count"]) - int(posts[0]["Total Request Count"])) / max(seconds, 1)
    share = rate / senders
    errors = sum(int(row["Failure Count"]) for row in totals.values())
    p95 = float(totals["overview"]["95%"])
    print(f"      (d) goals, over the {seconds} s after every user had started: POST {rate:.1f}/s of the {senders} "
          f"offered = {100 * share:.0f} % (≥ 90 %: {'met' if share >= 0.9 else 'MISSED'}); {errors} errors "
          f"({'met' if errors == 0 else 'MISSED'}); overview p95 {p95:.0f} ms (≤ 1.000 ms: "
          f"{'met' if p95 <= 1000 else 'MISSED'})")


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory, or its largest child's (the worker runs its consumer in one)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    peaks = []
    for found in pids:
        try:
            for line in Path(f"/proc/{found}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except FileNotFoundError:
            continue
    return max(peaks, default=0.0)


if __name__ == "__main__":
    main(sys.argv[1:])
