"""What every page asks of the site besides itself: the favicon, the web app manifest, the language list."""

import json

import pytest


@pytest.mark.django_db
def test_favicon_is_served_not_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header


@pytest.mark.django_db
def test_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


@pytest.mark.django_db
def test_login_page_links_icons_and_names_each_language_in_its_own_name(client):
    page = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'href="/favicon.ico"' in page
    assert ">English</button>" in page
    assert ">Bahasa Indonesia</button>" in page
    assert "Inggris" not in page


@pytest.mark.django_db
def test_api_docs_speak_indonesian_and_name_every_part(client):
    schema = client.get("/api/openapi.json").json()
    description = schema["info"]["description"]
    for part in ("organisasi", "audit", "kehadiran", "layanan kelurahan", "CCTV", "agregat", "sidak"):
        assert part in description, part
    english = [(path, method, op["summary"]) for path, ops in schema["paths"].items() for method, op in ops.items()
               if op["summary"].split()[0] in ("Get", "List", "Create", "Update", "Delete")]
    assert english == []
