"""Schema fuzzing of the JSON API (schemathesis, from django-ninja's OpenAPI) as an executive and anonymously:
no input answers 5xx. Examples per operation are bounded (API_FUZZ_EXAMPLES, default 5) so CI stays near a minute."""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import HealthCheck, settings

from satulayar.api import api
from tests.factories import login_as

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
CSRF = "satulayarfuzzsatulayarfuzzsatula"  # a 32-character secret, sent as cookie and header alike

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
APP = WSGIHandler()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes the database connection after each request; in a test that is the test's own transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def executive_cookies(personas):
    from django.test import Client

    client = login_as(Client(), personas.walikota)
    assert client.session.get(DEVICE_ID_SESSION_KEY)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


def assert_no_server_error(case, **kwargs):
    response = case.call(app=APP, **kwargs)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    content_type = response.headers.get("content-type", [""])[0]
    assert response.status_code == 204 or content_type.startswith("application/json"), case.formatted_path


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_as_an_executive_never_answers_5xx(case, executive_cookies):
    assert_no_server_error(case, cookies=executive_cookies, headers={"X-CSRFToken": CSRF})


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_anonymously_never_answers_5xx(case):
    assert_no_server_error(case)
