"""Standard Webhooks signatures (https://www.standardwebhooks.com), for pushes we receive and alerts we send.

    webhook-id: <a unique message id>          the replay key: a message id is accepted once
    webhook-timestamp: <Unix seconds>
    webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>   (several, space-separated)

The secret is "whsec_" + base64 of the key, so any Standard Webhooks library signs and verifies with it. Secrets
made before this (whsec_ + URL-safe text) are read as URL-safe base64 here; a library needs a new one.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = "webhook-id", "webhook-timestamp", "webhook-signature"
PREFIX = "whsec_"


def secret_new() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def sign(*, secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers_for(*, secret: str, msg_id: str, body: bytes, timestamp: int | None = None) -> dict:
    """The three headers a sender adds to `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {ID_HEADER: msg_id, TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)}


def verify(*, secret: str, msg_id: str, timestamp: str, body: bytes, signatures: str) -> bool:
    """Whether any v1 signature in the header matches (senders list several while they rotate secrets)."""
    expected = sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in (signatures or "").split()
               if candidate.startswith("v1,"))
