"""The real server and worker as separate processes, for the crash tests and the soak.

They are started the way an operator starts them (`satulayar serve`, `satulayar worker`) against the database the
caller uses (the test database under pytest), and killed with SIGKILL: no shutdown handler runs.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    auth = f"{quote(config['USER'])}:{quote(config['PASSWORD'] or '')}@" if config.get("USER") else ""
    return f"postgres://{auth}{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "SATULAYAR_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1",
           "LOG_LEVEL": "WARNING", "CCTV_DEMO_POLLER": "0",
           "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32", **extra}  # the tests' department apps run on loopback
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class LiveProcess:
    """One `satulayar …` process, its output in a log file."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> "LiveProcess":
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen([sys.executable, "-m", "satulayar.cli", *self.args], cwd=ROOT, env=self.env,
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill(self) -> None:
        """SIGKILL to the whole process group (uvicorn workers, the consumer's threads): nothing cleans up."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def server(port: int, *, env: dict[str, str], log: Path) -> LiveProcess:
    return LiveProcess(["serve", "--port", str(port)], env=env, log=log)


def worker(*, env: dict[str, str], log: Path) -> LiveProcess:
    return LiveProcess(["worker"], env=env, log=log)


def wait_until_serving(base_url: str, process: LiveProcess, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"server exited {process.popen.returncode}:\n{process.output()}")
        try:
            requests.get(f"{base_url}/masuk/", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"server not serving after {timeout} s:\n{process.output()}")


def wait_for(condition, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
