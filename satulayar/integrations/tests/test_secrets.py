"""Connector secrets across a SECRET_KEY rotation, and the former INTEGRATIONS_SECRET_KEY still opening what it
sealed: a secret no key opens is an error on the connector's pages and runs, never an empty API key."""

import base64
import hashlib
import json

from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from satulayar.core.vault import seal
from satulayar.demo import department_apps
from satulayar.integrations.choices import AuthKind, RunStatus
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.runs import connector_pull
from satulayar.integrations.tests.conftest import url_of
from satulayar.integrations.tests.test_rest import rest_connector
from tests.factories import login_as


def _admin(hub) -> Client:
    return login_as(Client(), hub.admin)


def test_rotated_secret_key_with_the_old_one_in_fallbacks_still_pulls(hub, demo_servers, settings):
    connector = rest_connector(hub, url_of(demo_servers.dinkes, "/api/v1/kunjungan"), auth=AuthKind.API_KEY,
                               secret={"api_key": department_apps.DINKES_KEY})
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "kunci-baru-setelah-rotasi"
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.SUCCESS, run.error


def test_rotated_secret_key_without_fallback_fails_the_run_and_shows_on_the_page(hub, department, settings):
    """Regression: a secret that failed to decrypt became empty, and the pull went out without its API key."""
    department.json("/api", {"data": []})
    connector = rest_connector(hub, department.url + "/api", auth=AuthKind.API_KEY, secret={"api_key": "kunci"})
    settings.SECRET_KEY = "kunci-baru-tanpa-cadangan"
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.FAILED and "SECRET_KEY_FALLBACKS" in run.error
    assert department.requests == []
    page = _admin(hub).get(reverse("integrations:connector_detail", args=[connector.pk])).content.decode()
    assert 'data-testid="secret-problem"' in page and "SECRET_KEY_FALLBACKS" in page
    form = _admin(hub).get(reverse("integrations:connector_edit", args=[connector.pk])).content.decode()
    assert 'data-testid="secret-problem"' in form


def test_the_former_integrations_key_still_opens_what_it_sealed(settings):
    digest = hashlib.sha256(b"satulayar.integrations:kunci-integrasi-lama").digest()
    legacy = Fernet(base64.urlsafe_b64encode(digest)).encrypt(json.dumps({"api_key": "lama"}).encode()).decode()
    settings.INTEGRATIONS_SECRET_KEY = "kunci-integrasi-lama"
    assert secret_open(legacy) == {"api_key": "lama"}
    assert secret_open(seal({"api_key": "baru"}, purpose="integrations")) == {"api_key": "baru"}
