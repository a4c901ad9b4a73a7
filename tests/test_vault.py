"""The secrets helper: values sealed under SECRET_KEY open under a rotated key while the old one is a fallback."""

import pytest

from satulayar.core.vault import SecretUnreadable, seal, unseal


def test_a_rotated_key_opens_through_the_fallbacks_and_not_without_them(settings):
    token = seal({"api_key": "k"}, purpose="integrations")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "kunci-baru"
    assert unseal(token, purpose="integrations") == {"api_key": "k"}
    with pytest.raises(SecretUnreadable, match="SECRET_KEY_FALLBACKS"):
        unseal(token, purpose="cctv")  # each purpose has its own key
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadable):
        unseal(token, purpose="integrations")
