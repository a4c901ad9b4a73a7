"""Camera credentials at rest, sealed with core.vault (one helper for every secret; SECRET_KEY rotates through
SECRET_KEY_FALLBACKS). Credentials that no key opens raise SecretUnreadable, shown on the camera's pages."""

from satulayar.core.vault import seal, unseal


def credentials_encrypt(username: str, password: str) -> str:
    return seal([username, password], purpose="cctv") if username or password else ""


def credentials_decrypt(token: str) -> tuple[str, str]:
    """The username and password, ("", "") when none are stored, or SecretUnreadable."""
    if not token:
        return "", ""
    username, password = unseal(token, purpose="cctv")
    return username, password
