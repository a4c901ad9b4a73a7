"""Start and stop the local RTSP server (rtsp/server.py) as a subprocess of the system Python."""

import select
import socket
import subprocess
import sys
from pathlib import Path

SERVER = Path(__file__).with_name("server.py")


def _system_python() -> str:
    """The Python with Debian's GStreamer bindings (SATULAYAR_GST_PYTHON)."""
    from django.conf import settings

    return settings.SATULAYAR_GST_PYTHON


PROBE = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"


def rtsp_server_available() -> bool:
    """Whether the system Python has GStreamer's RTSP server bindings (the Debian packages in .ci/run)."""
    try:
        return subprocess.run([_system_python(), "-c", PROBE], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RtspServer:
    """`RtspServer(image).start()` serves `image` at `.url` until `.stop()`."""

    def __init__(self, image: Path | str, *, port: int | None = None, path: str = "kamera"):
        self.image, self.port, self.path = str(image), port or free_port(), path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/{self.path}"

    def start(self, timeout: float = 20) -> "RtspServer":
        self.process = subprocess.Popen([_system_python(), str(SERVER), self.image, str(self.port), self.path],
                                        stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        ready, _w, _x = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""  # READY once it listens, or nothing as it exits
        if not line.startswith("READY"):
            self.stop()
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()
