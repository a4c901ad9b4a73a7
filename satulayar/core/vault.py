"""Secrets at rest (camera credentials, connector secrets, alert webhook keys): Fernet, with key rotation.

A value is sealed under a key derived from SECRET_KEY and its purpose; keys derived from SECRET_KEY_FALLBACKS still
open it (MultiFernet). To rotate SECRET_KEY, move the old one into SECRET_KEY_FALLBACKS, run
`satulayar secrets_rotate` to re-seal every stored value under the new key, then drop the old one. A value that no
key opens raises SecretUnreadable, which the camera and connector pages show to the admin: it never reads as an
empty password.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys opens (SECRET_KEY changed without a fallback)."""

    def __init__(self):
        super().__init__(_("Rahasia tersimpan tidak dapat dibuka: SECRET_KEY telah diganti tanpa menaruh kunci lama "
                           "di SECRET_KEY_FALLBACKS. Isi ulang kredensial atau pulihkan kunci lama."))


def _fernet(material: str, purpose: str) -> Fernet:
    digest = hashlib.sha256(f"satulayar.{purpose}:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys(purpose: str) -> MultiFernet:
    materials = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if purpose == "integrations" and settings.INTEGRATIONS_SECRET_KEY:
        materials.append(settings.INTEGRATIONS_SECRET_KEY)  # the former separate key still opens what it sealed
    return MultiFernet([_fernet(material, purpose) for material in materials])


def seal(value, *, purpose: str) -> str:
    """`value` (anything JSON holds) encrypted under the current SECRET_KEY."""
    return _keys(purpose).encrypt(json.dumps(value).encode()).decode()


def unseal(token: str, *, purpose: str):
    """The value sealed in `token`, or SecretUnreadable."""
    try:
        return json.loads(_keys(purpose).decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise SecretUnreadable() from None


def reseal(token: str, *, purpose: str) -> str:
    """`token` sealed again under the current SECRET_KEY (after a rotation), or SecretUnreadable."""
    try:
        return _keys(purpose).rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable() from None
