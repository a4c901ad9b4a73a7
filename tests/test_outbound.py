"""The outbound guard against real local servers: what it refuses by default (loopback, metadata, redirects to
either), what a setting opens, and the limits on headers, size and time."""

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from satulayar.core.outbound import (
    ALERTS,
    CCTV,
    INTEGRATIONS,
    OutboundRefused,
    ResponseTooLarge,
    address_refusal,
    outbound_fetch,
    url_pin,
)
from satulayar.integrations.sources import SourceError, http_get_json


class Server:
    """A server on a loopback address answering each path with (status, headers, body, seconds between bytes)."""

    def __init__(self, host: str):
        self.routes: dict[str, tuple] = {}
        self.seen: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.seen.append({"path": self.path, "headers": self.headers})
                status, headers, body, drip = outer.routes.get(self.path, (404, {}, b"{}", 0))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                for i in range(0, len(body), 1 if drip else len(body) or 1):
                    self.wfile.write(body[i:i + (1 if drip else len(body))])
                    self.wfile.flush()
                    time.sleep(drip)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://{host}:{self.httpd.server_port}"

    def redirect(self, path: str, location: str):
        self.routes[path] = (302, {"Location": location, "Content-Length": "0"}, b"", 0)

    def json(self, path: str, body: bytes = b'{"ok": true}', drip: float = 0):
        self.routes[path] = (200, {"Content-Type": "application/json", "Content-Length": str(len(body))}, body, drip)


@pytest.fixture
def servers():
    made = {host: Server(host) for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3")}
    yield made
    for server in made.values():
        server.httpd.shutdown()
        server.httpd.server_close()


def fetch(url, purpose=INTEGRATIONS, **options):
    return outbound_fetch(url, purpose=purpose, timeout=2, max_bytes=options.pop("max_bytes", 10_000), **options)


def test_with_the_default_settings_a_local_server_is_refused_before_any_request(servers):
    home = servers["127.0.0.1"]
    home.json("/api")
    for purpose in (CCTV, INTEGRATIONS, ALERTS):
        with pytest.raises(OutboundRefused, match="loopback"):
            fetch(home.url + "/api", purpose=purpose)
    with pytest.raises(OutboundRefused, match="loopback"):
        fetch(f"http://localhost:{home.httpd.server_port}/api")
    with pytest.raises(OutboundRefused, match="loopback"):  # the TLS connection is checked the same way
        fetch(f"https://localhost:{home.httpd.server_port}/api")
    assert home.seen == []


def test_a_redirect_to_the_metadata_address_or_to_loopback_is_refused(servers, settings):
    """Regression: a connector pull followed redirects anywhere. Only 127.0.0.2 (the 'department') is opened."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    department, home = servers["127.0.0.2"], servers["127.0.0.1"]
    home.json("/admin")
    department.redirect("/metadata", "http://169.254.169.254/computeMetadata/v1/")
    department.redirect("/home", f"{home.url}/admin")
    department.redirect("/mapped", "http://[::ffff:169.254.169.254]/latest/")
    with pytest.raises(OutboundRefused, match="link-local/metadata"):
        fetch(department.url + "/metadata")
    with pytest.raises(OutboundRefused, match="loopback"):
        fetch(department.url + "/home")
    with pytest.raises(OutboundRefused, match="link-local/metadata"):
        fetch(department.url + "/mapped")
    assert home.seen == []
    with pytest.raises(SourceError, match="Alamat ditolak"):
        http_get_json(department.url + "/metadata", {})


def test_an_allowed_redirect_is_followed_and_credentials_stay_with_their_origin(servers, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32", "127.0.0.3/32"]
    first, second = servers["127.0.0.2"], servers["127.0.0.3"]
    first.redirect("/old", f"{second.url}/new")
    second.json("/new", b'{"pindah": true}')
    assert http_get_json(first.url + "/old", {"X-API-Key": "rahasia", "Authorization": "Bearer t"}) == {
        "pindah": True}
    assert first.seen[0]["headers"].get("X-API-Key") == "rahasia"
    assert second.seen[0]["headers"].get("X-API-Key") is None
    assert second.seen[0]["headers"].get("Authorization") is None
    first.redirect("/loop", f"{first.url}/loop")
    with pytest.raises(OutboundRefused, match="paling banyak 3"):
        fetch(first.url + "/loop")


def test_cameras_follow_no_redirect_at_all(servers, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    servers["127.0.0.2"].redirect("/snapshot.jpg", "http://127.0.0.2/lain.jpg")
    with pytest.raises(OutboundRefused, match="tidak diikuti"):
        fetch(servers["127.0.0.2"].url + "/snapshot.jpg", purpose=CCTV, max_redirects=0)


@pytest.mark.parametrize("header", ["Metadata-Flavor", "Host", "X-aws-ec2-metadata-token", "metadata",
                                    "X-Forwarded-For", "Proxy-Authorization", "X-Google-Metadata-Request"])
def test_configuration_cannot_set_headers_that_steer_metadata_services_or_proxies(servers, settings, header):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    servers["127.0.0.1"].json("/api")
    with pytest.raises(OutboundRefused, match="tidak boleh diatur"):
        fetch(servers["127.0.0.1"].url + "/api", headers={header: "Google"})
    assert servers["127.0.0.1"].seen == []


def test_the_connector_form_refuses_a_metadata_header_name_and_address(org):
    from satulayar.integrations.forms import ConnectorForm

    form = ConnectorForm(data={"api_key_header": "Metadata-Flavor", "url": "http://169.254.169.254/latest/"},
                         city=org.city, kind="rest")
    assert not form.is_valid() and "tidak boleh diatur" in " ".join(form.errors["api_key_header"])
    assert "link-local/metadata" in " ".join(form.errors["url"])


def test_bodies_and_waits_are_bounded(servers, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    home = servers["127.0.0.1"]
    home.json("/big", b"x" * 20_000)
    home.json("/slow", b"[" + b" " * 200 + b"]", drip=0.05)
    with pytest.raises(ResponseTooLarge):
        fetch(home.url + "/big")
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        outbound_fetch(home.url + "/slow", purpose=INTEGRATIONS, timeout=1, max_bytes=10_000)
    assert time.monotonic() - started < 1.5  # the trickle never resets the clock
    assert fetch(home.url + "/big", max_bytes=30_000).body == b"x" * 20_000


def test_the_name_is_resolved_once_and_the_connection_goes_to_the_checked_address(servers, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]  # localhost may also answer ::1
    home = servers["127.0.0.1"]
    home.json("/api")
    assert fetch(f"http://localhost:{home.httpd.server_port}/api").body == b'{"ok": true}'
    assert home.seen[0]["headers"].get("Host") == f"localhost:{home.httpd.server_port}"  # the name, not the address
    assert url_pin("rtsp://localhost:8554/Streaming/101", purpose=CCTV, default_port=554) == \
        "rtsp://127.0.0.1:8554/Streaming/101"
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(OutboundRefused, match="loopback"):
        url_pin("rtsp://localhost/Streaming/101", purpose=CCTV, default_port=554)


@pytest.mark.parametrize(("address", "purpose", "refused"), [
    ("169.254.169.254", CCTV, "link-local/metadata"),
    ("fd00:ec2::254", CCTV, "link-local/metadata"),  # inside the private range cameras may use: still refused
    ("100.100.100.200", CCTV, "link-local/metadata"),
    ("::ffff:169.254.169.254", INTEGRATIONS, "link-local/metadata"),
    ("64:ff9b::a9fe:a9fe", INTEGRATIONS, "link-local/metadata"),
    ("fe80::1", CCTV, "link-local/metadata"),
    ("0.0.0.0", CCTV, "tidak dapat dipakai"),
    ("0.1.2.3", CCTV, "tidak dapat dipakai"),
    ("224.0.0.1", CCTV, "tidak dapat dipakai"),
    ("127.0.0.1", CCTV, "loopback"),
    ("::1", INTEGRATIONS, "loopback"),
    ("10.0.0.5", INTEGRATIONS, "jaringan privat"),
    ("192.168.1.64", ALERTS, "jaringan privat"),
    ("192.168.1.64", CCTV, ""),  # cameras on the office LAN: OUTBOUND_PRIVATE_FOR=cctv by default
    ("203.0.114.10", INTEGRATIONS, ""),
])
def test_address_policy(address, purpose, refused):
    reason = address_refusal(ipaddress.ip_address(address), purpose=purpose)
    assert (refused in reason) if refused else reason == ""


def test_allowed_networks_open_loopback_and_private_ranges_but_never_metadata(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.20.0.0/16", "169.254.0.0/16"]
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), purpose=INTEGRATIONS) == ""
    assert address_refusal(ipaddress.ip_address("10.20.3.4"), purpose=INTEGRATIONS) == ""
    assert "privat" in address_refusal(ipaddress.ip_address("10.21.3.4"), purpose=INTEGRATIONS)
    assert "metadata" in address_refusal(ipaddress.ip_address("169.254.169.254"), purpose=INTEGRATIONS)
