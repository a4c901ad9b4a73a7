"""The role × page × API matrix, NetBox-style: every URL pattern is requested (GET) as every persona and the
status compared with tests/role_matrix.json, which a reviewer reads as the access specification. A new URL
pattern fails the coverage test until it is in the file. Regenerate after a deliberate change with
`UPDATE_ROLE_MATRIX=1 python -m pytest tests/test_role_matrix.py` and review the diff.

Beside the file, rules that hold whatever it says: no 5xx; the anonymous public sees only the public pages; a
role without employee names in its scope (command centre, outsider) never gets one; list pages and list APIs
hold no employee outside the persona's scope.
"""

import json
import os
import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from satulayar.org.choices import Role, SiteKind
from tests.factories import login_as, make_user

MATRIX_FILE = Path(__file__).with_name("role_matrix.json")
PERSONAS = ["anonim", "walikota", "operator_cc", "inspektur", "admin_bkpsdm", "admin_dinas_kesehatan",
            "admin_integrasi", "lurah_kuin_cerucuk", "pegawai_dinkes", "outsider"]
# Streams never end by themselves; their access is tested in their apps (dashboard, visits, cctv).
STREAMS = {"dashboard:stream", "visits_public:display_stream", "cctv:stream"}
PUBLIC = re.compile(r"^(healthz|sw\.js|favicon\.ico|manifest\.webmanifest|masuk/|keluar/|i18n/|antrean/"
                    r"|data-terbuka/|iclock/|integrasi/webhook/"
                    r"|integrasi/katalog/|api/docs|api/openapi.json)")


def url_patterns(resolver=None, prefix="", namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) == "admin/":
                continue  # the admin's own permission tests: tests/test_org_admin.py
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def route_key(name: str, route: str) -> str:
    return f"{route} ({name})"


def concrete(route: str, objects: dict) -> str:
    path = route.replace("^", "").replace("$", "").replace("(?:\\.aspx)?", "")
    path = re.sub(r"\(\?P<employee_id>[^)]*\)", str(objects["employee"]), path)
    path = re.sub(r"\(\?P<month>.*\)/", "2026-01/", path)
    for param, value in (("kelurahan:code", objects["kelurahan_code"]), ("str:token", "tidak-ada"),
                         ("str:key", "tidak-ada"), ("slug:name", "attendance"), ("slug:action", "panggil"),
                         ("slug:dataset", "kunjungan"), ("str:fmt", "csv"), ("uuid:uuid", str(uuid.UUID(int=1))),
                         ("int:counter", "1"), ("employee_id", objects["employee"]),
                         ("slug:slug", "pegawai"), ("str:name", "walikota-peta.png")):
        path = path.replace(f"<{param}>", str(value))
    for prefix, key in (("organisasi/unit/", "unit"), ("satu-layar/unit/", "unit"), ("organisasi/pegawai/", "employee"),
                        ("satu-layar/pegawai/", "employee"), ("satu-layar/kelurahan/", "kelurahan"),
                        ("satu-layar/kecamatan/", "kecamatan"), ("cctv/kamera/", "camera"),
                        ("api/cctv/cameras/", "camera"), ("api/org/units/", "unit"), ("api/org/employees/", "employee"),
                        ("api/visits/kelurahan/", "kelurahan")):
        if path.startswith(prefix):
            path = re.sub(r"<(int:)?\w+>", str(objects[key]), path, count=1)
    return "/" + re.sub(r"<(int:)?\w+>", "999999", path)


@pytest.fixture
def world(org, personas, tmp_path, settings):
    from satulayar.cctv import services as cctv_services
    from satulayar.org import services as org_services

    settings.MEDIA_ROOT = tmp_path
    personas.operator_cc = make_user("operator_cc", Role.COMMAND_CENTRE, org.city)
    personas.admin_integrasi = make_user("admin_integrasi", Role.INTEGRATION_ADMIN, org.city)
    site = org_services.site_create(actor=None, city=org.city, name="Kantor Kelurahan Kuin Cerucuk",
                                    unit=org.kel_office, kind=SiteKind.KELURAHAN_OFFICE, kelurahan=org.kuin,
                                    lat=-3.3, lon=114.6)
    camera = cctv_services.camera_create(actor=None, site=site, name="Loket", url="http://127.0.0.1:9/x.jpg")
    org.dinkes.head = org.staff.dinkes
    org.dinkes.save()
    objects = {"unit": org.dinkes.pk, "employee": org.staff.p2p.pk, "kelurahan": org.kuin.pk,
               "kecamatan": org.kuin.kecamatan_id, "camera": camera.pk, "kelurahan_code": org.kuin.code}
    clients = {"anonim": Client()}
    for name in PERSONAS[1:]:
        clients[name] = login_as(Client(), getattr(personas, name))
    return clients, objects


def matrix(world) -> dict[str, dict[str, int]]:
    clients, objects = world
    result = {}
    for name, route in url_patterns():
        if name in STREAMS:
            continue
        path = concrete(route, objects)
        result[route_key(name, route)] = {persona: clients[persona].get(path).status_code for persona in PERSONAS}
    return result


def test_every_route_as_every_persona_answers_as_specified(world):
    seen = matrix(world)
    if os.environ.get("UPDATE_ROLE_MATRIX"):
        MATRIX_FILE.write_text(json.dumps(seen, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(MATRIX_FILE.read_text())
    assert set(seen) == set(expected), "URL patterns changed: regenerate tests/role_matrix.json and review"
    differences = {route: {p: (expected[route].get(p), s) for p, s in statuses.items() if expected[route].get(p) != s}
                   for route, statuses in seen.items()}
    assert {route: d for route, d in differences.items() if d} == {}
    for route, statuses in seen.items():
        assert max(statuses.values()) < 500, route
        if not PUBLIC.match(route):
            assert statuses["anonim"] in (302, 401, 404, 405), route


LISTS = ["/organisasi/pegawai/", "/organisasi/unit/", "/api/org/employees", "/kehadiran/", "/kehadiran/rekap/",
         "/audit/", "/api/audit/entries", "/satu-layar/", "/satu-layar/unit/", "/cctv/", "/sidak/",
         "/api/cctv/cameras"]
# persona -> whose names it may see (staff of the org fixture)
NAMES_IN_SCOPE = {
    "walikota": {"dinkes", "p2p", "kominfo", "pemerintahan", "kelurahan"},
    "inspektur": {"dinkes", "p2p", "kominfo", "pemerintahan", "kelurahan"},
    "admin_bkpsdm": {"dinkes", "p2p", "kominfo", "pemerintahan", "kelurahan"},
    "admin_dinas_kesehatan": {"dinkes", "p2p"},
    "lurah_kuin_cerucuk": {"kelurahan"},
    "pegawai_dinkes": {"p2p"},
    "operator_cc": set(),
    "admin_integrasi": set(),
    "outsider": set(),
    "anonim": set(),
}


def test_list_pages_hold_no_row_outside_the_scope(world, org):
    clients, _objects = world
    for persona, in_scope in NAMES_IN_SCOPE.items():
        for path in LISTS:
            content = clients[persona].get(path).content.decode()
            for key in set(vars(org.staff)) - in_scope:
                assert getattr(org.staff, key).name not in content, (persona, path, key)
