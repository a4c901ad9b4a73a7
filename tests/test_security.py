"""The login, session and header boundaries of docs/security.md, each with its refusal."""

import time

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.translation import override
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from satulayar.audit.choices import AuditAction
from satulayar.audit.models import AuditEntry
from satulayar.core.security import LAST_SEEN_KEY
from satulayar.org.models import Site
from tests.factories import make_user

PASSWORD = "rahasia-uji-123"


def password_login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/masuk/", {"username": username, "password": password}, **extra)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


# --- throttling and lockout (django-axes) ---

def test_twenty_failed_logins_lock_the_account_even_for_the_right_password(personas):
    client = Client()
    statuses = [password_login(client, "pegawai_dinkes", "salah").status_code for _ in range(20)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[5:]) == {429}
    locked = password_login(client, "pegawai_dinkes")
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr="pegawai_dinkes").count() >= 5


def test_the_lock_is_per_username_and_address(personas):
    for _ in range(6):
        password_login(Client(), "pegawai_dinkes", "salah")
    assert password_login(Client(), "pegawai_dinkes", REMOTE_ADDR="10.0.0.9").status_code == 302
    assert password_login(Client(), "outsider").status_code == 302


def test_session_id_changes_at_login(personas):
    client = Client()
    client.get("/masuk/")
    client.cookies["sessionid"] = "sesi-dari-penyerang"
    response = password_login(client, "pegawai_dinkes")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != "sesi-dari-penyerang"


@pytest.mark.parametrize("password", ["12345678901234", "satulayar", "password1234", "pegawai_dinkes1"])
def test_weak_passwords_are_refused(personas, password):
    with override("id"), pytest.raises(ValidationError):
        validate_password(password, user=personas.pegawai_dinkes)


def test_a_long_unusual_password_passes(personas):
    assert validate_password("sungai-martapura-2026!", user=personas.pegawai_dinkes) is None


# --- second factor (django-otp TOTP) ---

@pytest.mark.parametrize("persona", ["walikota", "inspektur", "admin_bkpsdm"])
def test_city_wide_roles_must_pass_the_second_factor(persona, personas):
    client = Client()
    assert password_login(client, persona)["Location"] == "/"
    page = client.get("/organisasi/pegawai/")
    assert page.status_code == 302 and page["Location"].startswith("/masuk/faktor-kedua/?next=")
    api = client.get("/api/org/employees")
    assert api.status_code == 401 and "verifikasi dua langkah" in api.json()["detail"]
    # without a device yet: the enrol page with a QR code
    enrol = client.get("/masuk/faktor-kedua/", follow=True)
    assert enrol.redirect_chain[-1][0].startswith("/masuk/faktor-kedua/daftar/")
    assert "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=getattr(personas, persona), confirmed=False)
    refused = client.post("/masuk/faktor-kedua/daftar/", {"token": "000000"})
    assert "Kode salah" in refused.content.decode()
    time.sleep(1.1)  # django-otp throttles a device for 2^(n-1) seconds after n wrong codes
    session_before = client.session.session_key
    done = client.post("/masuk/faktor-kedua/daftar/", {"token": code_for(device), "next": "/organisasi/pegawai/"})
    assert done.status_code == 302 and done["Location"] == "/organisasi/pegawai/"
    assert client.session.session_key != session_before
    assert client.get("/organisasi/pegawai/").status_code == 200
    assert client.get("/api/org/employees").status_code == 200
    assert AuditEntry.objects.filter(object_type="otp_totp.totpdevice", action=AuditAction.CREATE).exists()


def test_integration_admin_needs_the_second_factor_and_verifies_with_a_device(city):
    from satulayar.org.choices import Role

    user = make_user("admin_integrasi", Role.INTEGRATION_ADMIN, city)
    device = TOTPDevice.objects.create(user=user, name="Ponsel", confirmed=True)
    client = Client()
    password_login(client, "admin_integrasi")
    assert client.get("/integrasi/")["Location"].startswith("/masuk/faktor-kedua/")
    wrong = client.post("/masuk/faktor-kedua/", {"token": "123456"})
    assert wrong.status_code == 200 and "Kode salah" in wrong.content.decode()
    assert client.post("/masuk/faktor-kedua/", {"token": code_for(device)}).status_code == 200  # throttled
    time.sleep(1.1)
    assert client.post("/masuk/faktor-kedua/", {"token": code_for(device)})["Location"] == "/"
    assert client.get("/integrasi/").status_code == 200


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "lurah_kuin_cerucuk", "admin_dinas_kesehatan"])
def test_other_roles_log_in_with_the_password_alone(persona, personas):
    client = Client()
    password_login(client, persona)
    assert client.get("/").status_code == 200


def test_the_second_factor_page_does_not_redirect_off_site(personas):
    client = Client()
    password_login(client, "walikota")
    device = TOTPDevice.objects.create(user=personas.walikota, name="Ponsel", confirmed=True)
    response = client.post("/masuk/faktor-kedua/", {"token": code_for(device), "next": "https://jahat.example/"})
    assert response["Location"] == "/"


def test_otp_requirement_can_be_switched_off_for_a_closed_demo(personas, settings):
    settings.SATULAYAR_OTP_REQUIRED = False
    client = Client()
    password_login(client, "walikota")
    assert client.get("/organisasi/pegawai/").status_code == 200


# --- idle timeout ---

def test_an_idle_session_ends(client_for, settings):
    client = client_for("pegawai_dinkes")
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert client.get("/api/org/me").status_code == 401


def test_an_active_session_stays(client_for, settings):
    client = client_for("pegawai_dinkes")
    client.get("/")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 + 60
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


# --- headers ---

def test_every_page_carries_csp_and_security_headers(client, db):
    response = client.get("/masuk/")
    csp = response["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src and "unsafe" not in script_src
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "microphone=()" in response["Permissions-Policy"]


def test_a_page_with_an_inline_script_gets_its_nonce(client_for, org):
    from satulayar.cctv import services
    from satulayar.org import services as org_services
    from satulayar.org.choices import SiteKind

    site = org_services.site_create(actor=None, city=org.city, name="Kantor", unit=org.kel_office,
                                    kind=SiteKind.KELURAHAN_OFFICE, kelurahan=org.kuin, lat=-3.3, lon=114.6)
    camera = services.camera_create(actor=None, site=site, name="Loket", url="http://127.0.0.1:9/x.jpg")
    response = client_for("walikota").get(f"/cctv/kamera/{camera.pk}/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_hsts_behind_https(client, settings, db):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/masuk/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_secure_cookies_switch_on_hsts_and_the_https_redirect(monkeypatch):
    import importlib

    import satulayar.settings as project_settings

    monkeypatch.setenv("SECURE_COOKIES", "1")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.SECURE_HSTS_SECONDS == 31_536_000 and reloaded.SECURE_SSL_REDIRECT
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
    finally:
        monkeypatch.delenv("SECURE_COOKIES")
        importlib.reload(project_settings)


# --- admin search ---

def test_every_admin_search_field_exists(client_for, org):
    client = client_for("admin_bkpsdm")
    for model, model_admin in admin_site._registry.items():
        if model_admin.search_fields:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/?q=kuin"
            assert client.get(url).status_code in (200, 403), url
    assert Site in admin_site._registry


def test_device_site_autocomplete_answers(client_for, org):
    response = client_for("admin_bkpsdm").get(
        "/admin/autocomplete/", {"app_label": "attendance", "model_name": "device", "field_name": "site", "term": "k"})
    assert response.status_code in (200, 403)
