"""Request size limits: one set in settings, each refusal a 413 that names its limit (JSON on the API)."""

import base64
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from satulayar.core.limits import data_url_bytes, limits_check

MB = 1024 * 1024
DEFAULTS = {"REQUEST_MAX_BYTES": 8 * MB, "REQUEST_MAX_UPLOAD_BYTES": 51 * MB, "INSPECTIONS_PHOTO_MAX_BYTES": 5 * MB,
            "INTEGRATIONS_WEBHOOK_MAX_BYTES": 256 * 1024, "INTEGRATIONS_MAX_UPLOAD_BYTES": 50 * MB}


def test_the_settings_hold_a_full_size_photo_in_one_request(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_MAX_BYTES
    assert data_url_bytes(settings.INSPECTIONS_PHOTO_MAX_BYTES) < settings.REQUEST_MAX_BYTES
    assert settings.REQUEST_MAX_UPLOAD_BYTES > settings.INTEGRATIONS_MAX_UPLOAD_BYTES
    assert data_url_bytes(3) == len("data:image/jpeg;base64,") + len(base64.b64encode(b"abc"))


@pytest.mark.parametrize(("name", "value", "blames"), [
    ("REQUEST_MAX_BYTES", int(2.5 * MB), "INSPECTIONS_PHOTO_MAX_BYTES"),
    ("INSPECTIONS_PHOTO_MAX_BYTES", 8 * MB, "INSPECTIONS_PHOTO_MAX_BYTES"),
    ("INTEGRATIONS_MAX_UPLOAD_BYTES", 60 * MB, "INTEGRATIONS_MAX_UPLOAD_BYTES"),
    ("INTEGRATIONS_WEBHOOK_MAX_BYTES", 9 * MB, "INTEGRATIONS_WEBHOOK_MAX_BYTES"),
])
def test_limits_that_contradict_each_other_stop_start_up(name, value, blames):
    limits_check(DEFAULTS)
    with pytest.raises(ImproperlyConfigured, match=blames):
        limits_check({**DEFAULTS, name: value})


def test_an_oversized_api_batch_gets_json_naming_the_limit(client_for, settings):
    settings.REQUEST_MAX_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client = client_for("admin_bkpsdm")
    body = json.dumps({"punches": [{"nip": "1" * 18, "at": "2026-11-02T07:30:00+08:00"}] * 200})
    response = client.post("/api/attendance/punches", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert payload["limit_bytes"] == 4096
    assert payload["size_bytes"] == len(body.encode())
    assert "batasnya 4.096 byte" in payload["detail"]


def test_multipart_fields_beyond_the_form_limit_are_refused_as_json_too(client_for, settings):
    """A multipart body may carry files up to the upload limit, but its other fields only up to the form limit:
    Django's own check fires while the view reads them."""
    settings.REQUEST_MAX_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client = client_for("admin_bkpsdm")
    response = client.post("/api/attendance/punches", data={"punches": "x" * 8000})
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 4096


def test_a_page_and_a_device_get_plain_text(db, settings):
    settings.REQUEST_MAX_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.ATTENDANCE_ADMS_MAX_BODY_BYTES = 2048
    client = Client()
    page = client.post("/masuk/", data="x=" + "a" * 2000, content_type="application/x-www-form-urlencoded")
    assert (page.status_code, page["Content-Type"]) == (413, "text/plain; charset=utf-8")
    assert "1.024 byte" in page.content.decode()
    device = client.post("/iclock/cdata?SN=X1&table=ATTLOG", data="1\t2026-11-02 07:00:00\t0\n" * 200,
                         content_type="text/plain")
    assert device.status_code == 413
    assert "2.048 byte" in device.content.decode()
    asked_json = client.post("/masuk/", data="x=" + "a" * 2000, content_type="application/x-www-form-urlencoded",
                             HTTP_ACCEPT="application/json")
    assert asked_json.json()["limit_bytes"] == 1024


def test_requests_under_the_limit_pass(client_for):
    client = client_for("admin_bkpsdm")
    response = client.post("/api/attendance/punches", data={"punches": []}, content_type="application/json")
    assert response.status_code == 200
