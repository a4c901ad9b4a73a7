"""The soak: the live demo served for a long while under a steady load, its memory read every minute.

`satulayar demo` on a scratch city (its live day pushing fingerprint punches to /iclock/, the simulated cameras
polled, the department apps pulled, the worker beside it) plus, from here, 10 punches a second to the API and 50
screens holding the live stream open (reconnecting when it ends). Every interval it prints the resident memory
(VmRSS) of the server and of the worker; after the warm-up, memory is flat when no later sample exceeds the first
one after the warm-up by more than 10 %.

Usage: python -m bench._soak [--minutes 20] [--interval 60] [--warmup MINUTES] [--employees 240] [--days 2]
(`make soak`; SOAK_ARGS="--minutes 2" for a short check). DATABASE_URL set: a scratch PostgreSQL database
`satulayar_soak` on that server (created and dropped); otherwise SQLite in a temporary folder. The leading
underscore keeps it out of `make bench`: it runs for minutes on end.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_NAME = "satulayar_soak"
STREAM_PATH = "/satu-layar/stream/"
FLAT_WITHIN = 0.10


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._soak")
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--interval", type=float, default=60, help="seconds between memory samples")
    parser.add_argument("--warmup", type=float, help="minutes before memory must stay flat (default: a quarter, "
                                                      "at least one interval)")
    parser.add_argument("--employees", type=int, default=240)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10, help="API punches a second")
    parser.add_argument("--screens", type=int, default=50, help="open live-stream screens")
    args = parser.parse_args(argv)
    server_url = os.environ.get("DATABASE_URL", "")  # the PostgreSQL server's own database, to create ours from
    with tempfile.TemporaryDirectory(prefix="satulayar-soak-") as folder:
        env = _environment(Path(folder), server_url)
        try:
            _soak(args, Path(folder), env)
        finally:
            _drop_scratch(env, server_url)


def _environment(folder: Path, url: str) -> dict[str, str]:
    env = {**os.environ, "SATULAYAR_DATA_DIR": str(folder), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
    if url.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{PG_NAME}"
        _psql(url, f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}")
    else:
        env.pop("DATABASE_URL", None)
    return env


def _psql(url: str, *statements: str) -> None:
    for statement in statements:
        subprocess.run(["psql", url, "-qc", statement], check=True, capture_output=True)


def _drop_scratch(env: dict[str, str], url: str) -> None:
    if "DATABASE_URL" in env:
        _psql(url, f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


def _soak(args, folder: Path, env: dict[str, str]) -> None:
    satulayar = [sys.executable, "-m", "satulayar.cli"]
    started = time.monotonic()
    subprocess.run([*satulayar, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*satulayar, "seed", "--employees", str(args.employees), "--days", str(args.days)], env=env,
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"Soak: city of {args.employees:,} ASN and {args.days} days seeded in {time.monotonic() - started:.0f} s "
          f"({'PostgreSQL' if 'DATABASE_URL' in env else 'SQLite'})", flush=True)
    viewer, sender, csrf, nips = _sessions(env)
    port = _free_port()
    with open(folder / "demo.log", "wb") as log:
        demo = subprocess.Popen([*satulayar, "demo", "--port", str(port), "--employees", str(args.employees),
                                 "--days", str(args.days)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        _wait_for(port, demo)
        _run_load(args, port, demo, viewer=viewer, sender=sender, csrf=csrf, nips=nips)
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
        _log_summary((folder / "demo.log").read_text(errors="replace").splitlines())


def _log_summary(lines: list[str]) -> None:
    """How many tracebacks the demo logged, and the exceptions they ended in."""
    starts = [n for n, line in enumerate(lines) if line.startswith("Traceback")]
    ends = Counter(next((line for line in lines[n + 1:] if line and not line.startswith(" ")), "?")[:160]
                   for n in starts)
    print(f"  demo log: {len(starts)} tracebacks")
    for line, count in ends.most_common(3):
        print(f"    {count} × {line}")


def _sessions(env: dict[str, str]) -> tuple[str, str, str, list[str]]:
    """Sessions of the demo's walikota (the screens) and BKPSDM admin (the API sender), made in the database."""
    os.environ.update({key: env[key] for key in ("SATULAYAR_DATA_DIR", "DATABASE_URL") if key in env})
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satulayar.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from bench._scratch import session_key_for
    from satulayar.org.models import Employee

    keys = [session_key_for(get_user_model().objects.get(username=username))
            for username in ("walikota", "admin_bkpsdm")]
    staff = Employee.objects.filter(active=True, nip__isnull=False).exclude(nip="")
    nips = list(staff.values_list("nip", flat=True)[:500])
    connections.close_all()
    return keys[0], keys[1], secrets.token_hex(16), nips


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, demo: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if demo.poll() is not None:
            raise RuntimeError(f"the demo exited with {demo.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the demo did not start serving")


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {"punches": 0, "punch_errors": 0, "streams": 0, "stream_errors": 0, "events": 0}
        self.refusals: Counter = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.values[name] += amount


def _sender(port: int, session: str, csrf: str, nips: list[str], rate: float, stop: threading.Event,
            counters: Counters) -> None:
    headers = {"Content-Type": "application/json", "X-CSRFToken": csrf,
               "Cookie": f"sessionid={session}; csrftoken={csrf}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n, started = 0, time.monotonic()
    while not stop.is_set():
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        body = json.dumps({"punches": [{"nip": nips[n % len(nips)], "at": at}]})
        try:
            connection.request("POST", "/api/attendance/punches", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            counters.add("punches" if response.status == 200 else "punch_errors")
            if response.status != 200:
                counters.refusals[f"{response.status} {answer[:80]!r}"] += 1
        except (OSError, http.client.HTTPException) as exc:
            counters.add("punch_errors")
            counters.refusals[type(exc).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n += 1
        stop.wait(max(0.0, started + n / rate - time.monotonic()))


def _screen(port: int, session: str, stop: threading.Event, counters: Counters) -> None:
    """One screen on the live stream, reconnecting when the server ends the stream, as a browser does."""
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", STREAM_PATH, headers={"Cookie": f"sessionid={session}",
                                                            "Accept": "text/event-stream"})
            response = connection.getresponse()
            if response.status != 200:
                counters.add("stream_errors")
                stop.wait(2)
                continue
            counters.add("streams")
            while not stop.is_set():
                line = response.fp.readline()
                if not line:
                    break
                if line.startswith(b"data:"):
                    counters.add("events")
        except (OSError, http.client.HTTPException):
            if not stop.is_set():
                counters.add("stream_errors")
                stop.wait(1)
        finally:
            connection.close()


def _process_tree(pid: int) -> dict[int, str]:
    """The demo's processes by pid: the server (the demo process) and its children (the worker)."""
    found = {pid: "server"}
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        found[int(child)] = "worker"
    return found


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def _run_load(args, port: int, demo: subprocess.Popen, *, viewer: str, sender: str, csrf: str,
              nips: list[str]) -> None:
    stop, counters = threading.Event(), Counters()
    # One sender a punch per second each, as phones are: a slow answer delays one sender, not the whole rate.
    senders = max(1, round(args.rate))
    threads = [threading.Thread(target=_sender, args=(port, sender, csrf, nips[n::senders], args.rate / senders, stop,
                                                      counters), daemon=True) for n in range(senders)]
    threads += [threading.Thread(target=_screen, args=(port, viewer, stop, counters), daemon=True)
                for _ in range(args.screens)]
    for thread in threads:
        thread.start()
    print(f"  load: the live demo + {args.rate:g} API punches/s + {args.screens} open screens, "
          f"{args.minutes:g} min, memory every {args.interval:g} s", flush=True)
    samples: list[tuple[float, dict[str, float]]] = []
    started = time.monotonic()
    end = started + args.minutes * 60
    while time.monotonic() < end - 1:
        time.sleep(max(0.0, min(args.interval, end - time.monotonic())))
        if demo.poll() is not None:
            raise RuntimeError(f"the demo exited with {demo.returncode} during the soak")
        memory = {name: _rss_mb(pid) or 0.0 for pid, name in _process_tree(demo.pid).items()}
        samples.append(((time.monotonic() - started) / 60, memory))
        values = dict(counters.values)
        print(f"  {samples[-1][0]:5.1f} min: " + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in memory.items())
              + f"; punches {values['punches']:,} ({values['punches'] / (samples[-1][0] * 60):.1f}/s, "
                f"{values['punch_errors']} errors), streams opened "
                f"{values['streams']:,} ({values['stream_errors']} errors), events read {values['events']:,}",
              flush=True)
    stop.set()
    for refusal, count in counters.refusals.most_common(3):
        print(f"  punch errors: {count} × {refusal}")
    _verdict(samples, args)


def _verdict(samples: list[tuple[float, dict[str, float]]], args) -> None:
    warmup = args.warmup if args.warmup is not None else max(args.minutes / 4, args.interval / 60)
    after = [memory for minute, memory in samples if minute >= warmup - 1e-6]
    if len(after) < 2:
        print(f"  memory flat within {FLAT_WITHIN:.0%} after {warmup:g} min warm-up: too few samples to judge")
        return
    for name in after[0]:
        base, peak = after[0][name], max(memory.get(name, 0.0) for memory in after)
        growth = (peak - base) / base if base else 0.0
        verdict = "met" if growth <= FLAT_WITHIN else "MISSED"
        print(f"  {name}: {base:,.0f} MB after warm-up ({warmup:g} min), peak {peak:,.0f} MB later, "
              f"{growth:+.1%} (goal within {FLAT_WITHIN:.0%}): {verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
