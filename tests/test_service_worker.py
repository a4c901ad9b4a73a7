"""The service worker is served from the root, to anyone, so its scope covers the pages it keeps offline."""

from django.test import Client


def test_the_service_worker_is_served_from_the_root_without_signing_in(db):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'const STATIC_URL = "/static/";' in body and 'const LOGIN_URL = "/masuk/";' in body
    assert 'new RegExp("^/sidak/\\u005Cd+/$")' in body and 'new RegExp("^/kehadiran/presensi/$")' in body


def test_the_offline_pages_register_it(client_for, personas, org):
    page = client_for("pegawai_dinkes").get("/kehadiran/presensi/").content.decode()
    assert 'data-service-worker="/sw.js"' in page and "satulayar/offline.js" in page
    assert 'data-api-url="/api/attendance/checkins"' in page
