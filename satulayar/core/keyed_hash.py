"""A keyed hash for identifiers we compare but must not keep: a browser's own id, a client's address.

HMAC with the deployment's SECRET_KEY (Django's `salted_hmac`, salted per purpose): equal inputs give equal hashes
within one deployment, so the integrity rules can count them; the value cannot be read back, nor linked to the same
browser or address in another deployment.
"""

from django.utils.crypto import salted_hmac

HASH_LENGTH = 32  # hex characters: 128 bits, plenty to tell browsers and addresses apart


def keyed_hash(*, purpose: str, value: str) -> str:
    """"" for an empty value (nothing known), else the hex hash of `value` for `purpose`."""
    if not value:
        return ""
    return salted_hmac(f"satulayar.{purpose}", value, algorithm="sha256").hexdigest()[:HASH_LENGTH]
