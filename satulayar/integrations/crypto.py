"""Connector secrets at rest (API key, password, token, DSN, webhook signing secret), sealed with core.vault.
A secret that no configured key opens raises SecretUnreadable, shown on the connector's pages and runs."""

from satulayar.core.vault import seal, unseal


def secret_seal(values: dict) -> str:
    clean = {k: v for k, v in values.items() if v}
    return seal(clean, purpose="integrations") if clean else ""


def secret_open(token: str) -> dict:
    """The stored secrets, {} when there are none, or SecretUnreadable."""
    return unseal(token, purpose="integrations") if token else {}
