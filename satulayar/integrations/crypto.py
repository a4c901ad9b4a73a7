"""Connector secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from SECRET_KEY.

Set INTEGRATIONS_SECRET_KEY to keep secrets readable across a SECRET_KEY rotation. A secret that no longer
decrypts (the key changed) reads as empty, and the connector's runs then fail saying so.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = getattr(settings, "INTEGRATIONS_SECRET_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(f"satulayar.integrations:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_seal(values: dict) -> str:
    clean = {k: v for k, v in values.items() if v}
    return _fernet().encrypt(json.dumps(clean).encode()).decode() if clean else ""


def secret_open(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
