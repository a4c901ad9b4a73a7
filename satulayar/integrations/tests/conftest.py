"""Fixtures for the integration hub: an integration admin, indicators, and real department servers on 127.0.0.1."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from satulayar.demo import department_apps
from satulayar.integrations import services
from satulayar.integrations.choices import Aggregation, DimensionKind, Granularity
from satulayar.org.choices import Role
from tests.factories import make_unit, make_user


@pytest.fixture
def hub(org, personas):
    admin = make_user("admin_integrasi", Role.INTEGRATION_ADMIN, org.city)
    dlh = make_unit(org.city, "Dinas Lingkungan Hidup", "DLH", short_name="DLH")
    bpbd = make_unit(org.city, "Badan Penanggulangan Bencana Daerah", "BPBD", short_name="BPBD")

    def indicator(code, name, owner, **extra):
        fields = {"code": code, "name": name, "owner": owner, "unit_of_measure": extra.pop("uom", ""), **extra}
        return services.indicator_save(actor=admin, city=org.city, fields=fields)

    return SimpleNamespace(
        city=org.city, admin=admin, org=org, personas=personas, dlh=dlh, bpbd=bpbd,
        visits=indicator("kunjungan-puskesmas", "Kunjungan puskesmas", org.dinkes, uom="kunjungan",
                         dimension_kind=DimensionKind.KELURAHAN, public=True),
        waste=indicator("sampah-terangkut", "Sampah terangkut", dlh, uom="ton", public=True),
        trips=indicator("ritase-sampah", "Ritase truk sampah", dlh, uom="rit"),
        water=indicator("tinggi-muka-air", "Tinggi muka air sungai", bpbd, uom="cm", granularity=Granularity.HOUR,
                        dimension_kind=DimensionKind.TEXT, aggregation=Aggregation.MAX, public=True),
    )


class Department:
    """A department app on an ephemeral port whose answers a test sets per path: (status, content type, body)."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                outer.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers)})
                route = outer.routes.get(parts.path)
                status, content_type, body = route(query, self.headers) if callable(route) else (
                    route or (404, "application/json", b'{"error": "tidak ada"}'))
                if not isinstance(body, bytes):
                    body = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def json(self, path: str, body, status: int = 200):
        self.routes[path] = (status, "application/json", body)


@pytest.fixture
def loopback_allowed(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # these department apps listen on this server's loopback


@pytest.fixture
def department(loopback_allowed):
    server = Department()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def demo_servers(org, loopback_allowed):
    """The demo's three department apps on ephemeral ports."""
    names = ["Kuin Cerucuk", "Pelambuan", "Belitung Selatan"]
    servers = SimpleNamespace(dinkes=department_apps.serve(department_apps.DinkesApp(seed=7, kelurahan=names)),
                              dlh=department_apps.serve(department_apps.DlhApp(seed=7)),
                              bpbd=department_apps.serve(department_apps.BpbdApp(seed=7)), kelurahan=names)
    yield servers
    for server in (servers.dinkes, servers.dlh, servers.bpbd):
        server.shutdown()
        server.server_close()


def url_of(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_port}{path}"
