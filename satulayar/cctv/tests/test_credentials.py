"""Camera credentials across a SECRET_KEY rotation: with the old key in SECRET_KEY_FALLBACKS they still open;
without it the camera's manager sees why, and the camera is never tried with an empty password."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from satulayar.cctv import services
from satulayar.cctv.crypto import credentials_decrypt, credentials_encrypt
from satulayar.cctv.models import Camera
from satulayar.cctv.poller import job_for, job_run


def _locked_camera(sites, simulator):
    simulator.auth["rahasia"] = ("operator", "kata-sandi-kamera")
    return services.camera_create(actor=None, site=sites.kuin, name="Kamera terkunci", url=simulator.url("rahasia"),
                                  username="operator", password="kata-sandi-kamera")


def test_rotated_secret_key_with_the_old_one_in_fallbacks_still_opens_the_credentials(sites, simulator, settings):
    camera = _locked_camera(sites, simulator)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "kunci-baru-setelah-rotasi"
    assert credentials_decrypt(camera.credentials_encrypted) == ("operator", "kata-sandi-kamera")
    assert services.camera_credentials_problem(camera) == ""


def test_rotated_secret_key_without_fallback_is_an_error_shown_to_the_admin(sites, simulator, settings, operator_cc):
    """Regression: a token that failed to decrypt became an empty password, and the camera looked misconfigured."""
    camera = _locked_camera(sites, simulator)
    settings.SECRET_KEY = "kunci-baru-tanpa-cadangan"
    asked = simulator.requests
    outcome = job_run(job_for(camera), detector=None, timeout=1)
    assert "SECRET_KEY" in outcome.error and outcome.image is None
    assert simulator.requests == asked  # the camera was not tried with an empty password
    manager = Client()
    manager.force_login(operator_cc)
    page = manager.get(f"/cctv/kamera/{camera.pk}/").content.decode()
    assert 'data-testid="credentials-problem"' in page and "SECRET_KEY_FALLBACKS" in page
    edit = manager.get(f"/cctv/kamera/{camera.pk}/ubah/")
    assert 'data-testid="credentials-problem"' in edit.content.decode()

    with pytest.raises(ValidationError, match="kata sandi bersama-sama"):
        services.camera_update(actor=operator_cc, camera=camera, username="operator2")
    services.camera_update(actor=operator_cc, camera=camera, username="operator", password="kata-sandi-baru")
    assert credentials_decrypt(Camera.objects.get(pk=camera.pk).credentials_encrypted) == ("operator",
                                                                                           "kata-sandi-baru")


def test_secrets_rotate_reseals_stored_secrets_so_the_old_key_can_go(settings, sites, simulator):
    camera = services.camera_create(actor=None, site=sites.kuin, name="Kamera", url=simulator.url("a"),
                                    username="operator", password="sandi")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "kunci-baru"
    out = io.StringIO()
    call_command("secrets_rotate", stdout=out, stderr=io.StringIO())
    assert "1 secrets sealed" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []
    camera.refresh_from_db()
    assert credentials_decrypt(camera.credentials_encrypted) == ("operator", "sandi")
    assert credentials_encrypt("", "") == ""
