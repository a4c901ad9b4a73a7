"""A local RTSP server that serves one JPEG image, looped, as an MJPEG stream (RTP/JPEG, no GPL x264).

For the tests and a demo without a real camera. It runs under the SYSTEM Python (/usr/bin/python3) because it
needs GStreamer's introspection bindings from Debian (python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-base and -good), which the project's virtualenv does not have; it imports nothing of
the project. `rtsp_serve` in rtsp/process.py starts it as a subprocess.

    /usr/bin/python3 satulayar/cctv/rtsp/server.py IMAGE.jpg PORT [PATH] [FPS]

Prints "READY rtsp://127.0.0.1:PORT/PATH" on stdout once it listens; stops on SIGTERM or SIGINT.
"""

import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def pipeline(image: str, fps: int) -> str:
    location = image.replace("\\", "\\\\").replace('"', '\\"')
    return (f'( filesrc location="{location}" ! jpegdec ! imagefreeze ! videoconvert ! videorate ! '
            f"video/x-raw,framerate={fps}/1 ! jpegenc quality=85 ! rtpjpegpay name=pay0 pt=26 )")


def main() -> None:
    image, port = sys.argv[1], sys.argv[2]
    path = sys.argv[3] if len(sys.argv) > 3 else "kamera"
    fps = int(sys.argv[4]) if len(sys.argv) > 4 else 25  # FFmpeg probes a few frames before its first: 25 opens in ~1 s
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline(image, fps))
    factory.set_shared(True)
    server.get_mount_points().add_factory(f"/{path}", factory)
    if server.attach(None) == 0:
        sys.exit(f"RTSP server cannot listen on 127.0.0.1:{port}")
    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    print(f"READY rtsp://127.0.0.1:{port}/{path}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
