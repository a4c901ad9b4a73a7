"""Webhook push through the real endpoint: signed pushes are ingested; mis-signed, replayed, stale, oversized
and garbage pushes are refused with the reason and touch no data."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from satulayar.core import webhooks as standard
from satulayar.integrations import services
from satulayar.integrations.choices import ConnectorKind, Health, RunStatus
from satulayar.integrations.models import IndicatorValue, Run
from satulayar.integrations.runs import connector_health
from satulayar.integrations.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_headers

MAPPING = {"records": "bacaan", "timestamp": "jam", "dimension": "pos",
           "values": [{"indicator": "tinggi-muka-air", "field": "tinggi_cm"}]}


@pytest.fixture
def webhook(hub):
    connector, secret = services.connector_save(
        actor=hub.admin, city=hub.city, fields={"name": "Sensor BPBD", "kind": ConnectorKind.WEBHOOK,
                                                "department": hub.bpbd}, config={}, secret={}, mapping=MAPPING)
    assert secret.startswith("whsec_")
    return connector, secret, reverse("integrations:webhook", args=[connector.webhook_key])


def body_of(level=182, hour="2026-11-30T10:00:00+08:00"):
    return json.dumps({"bacaan": [{"pos": "Sungai Martapura", "jam": hour, "tinggi_cm": level},
                                  {"pos": "Sungai Kuin", "jam": hour, "tinggi_cm": level - 30}]}).encode()


def post(url, body, headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(url, data=body, content_type="application/json", **extra)


def test_a_signed_push_is_ingested_and_its_replay_refused(webhook):
    connector, secret, url = webhook
    body = body_of()
    headers = webhook_headers(secret=secret, body=body)
    response = post(url, body, headers)
    assert response.status_code == 200, response.json()
    assert response.json()["accepted"] == 2
    assert IndicatorValue.objects.count() == 2
    connector.refresh_from_db()
    assert connector_health(connector) == Health.FRESH

    replay = post(url, body, headers)
    assert replay.status_code == 409 and "replay" in replay.json()["detail"]
    assert IndicatorValue.objects.count() == 2
    assert Run.objects.filter(status=RunStatus.REFUSED).count() == 1
    connector.refresh_from_db()
    assert connector_health(connector) == Health.FRESH  # a refused push does not mark the source failing

    newer = body_of(level=190)
    assert post(url, newer, webhook_headers(secret=secret, body=newer)).status_code == 200
    assert IndicatorValue.objects.count() == 2  # the same hour and stations: updated, not added
    assert IndicatorValue.objects.get(dimension="text:sungai martapura").value == 190


@pytest.mark.parametrize("tamper", ["wrong_secret", "changed_body", "no_signature", "old_timestamp",
                                    "future_timestamp", "bad_timestamp"])
def test_mis_signed_or_stale_pushes_are_refused(webhook, tamper):
    _connector, secret, url = webhook
    body = body_of()
    now = int(time.time())
    headers = webhook_headers(secret=secret, body=body, timestamp=now)
    if tamper == "wrong_secret":
        headers = webhook_headers(secret="whsec_tebakan", body=body, timestamp=now)
    elif tamper == "changed_body":
        body = body_of(level=999)
    elif tamper == "no_signature":
        headers.pop(SIGNATURE_HEADER)
    elif tamper == "old_timestamp":
        headers = webhook_headers(secret=secret, body=body, timestamp=now - 3600)
    elif tamper == "future_timestamp":
        headers = webhook_headers(secret=secret, body=body, timestamp=now + 3600)
    else:
        headers[TIMESTAMP_HEADER] = "kemarin"
    response = post(url, body, headers)
    assert response.status_code == 401
    reason = response.json()["detail"]
    assert ("Tanda tangan" in reason) if "timestamp" not in tamper else ("Timestamp" in reason or "waktu" in reason)
    assert not IndicatorValue.objects.exists()
    assert Run.objects.get().status == RunStatus.REFUSED and Run.objects.get().error == reason


def test_oversized_garbage_and_unknown_pushes(webhook, settings):
    connector, secret, url = webhook
    settings.INTEGRATIONS_WEBHOOK_MAX_BYTES = 200
    big = body_of() * 3
    response = post(url, big, webhook_headers(secret=secret, body=big))
    assert response.status_code == 413 and "batas 200 bita" in response.json()["detail"]

    garbage = b"<html>not json</html>"
    response = post(url, garbage, webhook_headers(secret=secret, body=garbage))
    assert response.status_code == 422 and "bukan JSON" in response.json()["detail"]
    connector.refresh_from_db()
    assert connector_health(connector) == Health.FAILING

    bad_rows = json.dumps({"bacaan": [{"pos": "X", "jam": "2026-11-30T10:00", "tinggi_cm": "tinggi"}]}).encode()
    response = post(url, bad_rows, webhook_headers(secret=secret, body=bad_rows))
    assert response.status_code == 422
    assert response.json()["rejections"][0] == {"row": 1, "field": "tinggi_cm", "reason": "'tinggi' bukan angka"}
    assert not IndicatorValue.objects.exists()

    assert Client().post("/integrasi/webhook/tidak-ada/", data=b"{}", content_type="application/json"
                         ).status_code == 404
    assert Client().get(url).status_code == 405


def test_rotating_the_secret_invalidates_the_old_one(webhook, hub):
    connector, old_secret, url = webhook
    new_secret = services.connector_webhook_secret_rotate(actor=hub.admin, connector=connector)
    body = body_of()
    assert post(url, body, webhook_headers(secret=old_secret, body=body)).status_code == 401
    assert post(url, body, webhook_headers(secret=new_secret, body=body)).status_code == 200


def standard_headers(secret: str, msg_id: str, body: bytes, timestamp: int | None = None) -> dict:
    """Signed by hand, as the Standard Webhooks specification says, not with our own helper."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": "v1," + base64.b64encode(digest).decode()}


def test_the_signer_matches_the_standard_webhooks_example():
    assert standard.sign(secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
                         timestamp=1614265330, body=b'{"test": 2432232314}') == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_standard_webhooks_push_is_accepted_its_replay_refused_and_a_resend_with_a_new_id_accepted(webhook):
    """Regression: replay was keyed on the signature, so an identical reading re-sent in the same second was
    refused; now the key is the signed message id."""
    connector, secret, url = webhook
    base64.b64decode(secret.removeprefix("whsec_"), validate=True)  # a secret any Standard Webhooks library reads
    body, now = body_of(), int(time.time())
    first = standard_headers(secret, "msg_2026113010001", body, now)
    assert post(url, body, first).status_code == 200
    replay = post(url, body, first)
    assert replay.status_code == 409 and "replay" in replay.json()["detail"]
    assert post(url, body, standard_headers(secret, "msg_2026113010002", body, now)).status_code == 200
    assert Run.objects.filter(connector=connector, status=RunStatus.SUCCESS).count() == 2


@pytest.mark.parametrize("tamper", ["no_id", "id_changed", "wrong_secret", "old_timestamp", "v2_only"])
def test_mis_signed_standard_webhooks_pushes_are_refused(webhook, tamper):
    _connector, secret, url = webhook
    body = body_of()
    other = "whsec_" + base64.b64encode(b"k" * 32).decode()
    headers = standard_headers(other if tamper == "wrong_secret" else secret, "msg_1", body,
                               int(time.time()) - (3600 if tamper == "old_timestamp" else 0))
    if tamper == "no_id":
        headers.pop("webhook-id")
    elif tamper == "id_changed":
        headers["webhook-id"] = "msg_2"  # the id is signed: changing it to dodge the replay check breaks it
    elif tamper == "v2_only":
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    response = post(url, body, headers)
    assert response.status_code == 401, response.json()
    assert not IndicatorValue.objects.exists()


def test_several_signatures_one_matching_is_accepted(webhook):
    _connector, secret, url = webhook
    body = body_of()
    headers = standard_headers(secret, "msg_rotasi", body)
    headers["webhook-signature"] = "v1,c2FsYWg= " + headers["webhook-signature"]
    assert post(url, body, headers).status_code == 200


def test_an_unreadable_secret_refuses_the_push_saying_why(webhook, settings):
    connector, secret, url = webhook
    body = body_of()
    settings.SECRET_KEY = "kunci-baru-tanpa-cadangan"
    response = post(url, body, standard_headers(secret, "msg_1", body))
    assert response.status_code == 503 and "SECRET_KEY_FALLBACKS" in response.json()["detail"]
    assert Run.objects.get(connector=connector).status == RunStatus.REFUSED
