"""Camera credentials at rest: Fernet (AES-128-CBC + HMAC) with a key derived from SECRET_KEY.

Changing SECRET_KEY makes stored credentials unreadable; `credentials_decrypt` then answers empty ones
and the camera reports an authentication error until its credentials are entered again.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"satulayar.cctv:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def credentials_encrypt(username: str, password: str) -> str:
    if not username and not password:
        return ""
    return _fernet().encrypt(json.dumps([username, password]).encode()).decode()


def credentials_decrypt(token: str) -> tuple[str, str]:
    if not token:
        return "", ""
    try:
        username, password = json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return "", ""
    return username, password
