"""Login boundaries: the second factor for city-wide roles, the idle timeout, lockout answers, security headers.

docs/security.md lists each boundary with the test that proves it.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from satulayar.org.access import scope_for

LAST_SEEN_KEY = "satulayar_last_seen"
LAST_SEEN_RESOLUTION_S = 60  # the session is written at most once a minute to keep its timestamp
SECOND_FACTOR_OPEN_PATHS = ("/masuk/", "/keluar/", "/i18n/", "/static/", "/healthz", "/favicon.ico",
                            "/manifest.webmanifest")


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def needs_second_factor(user) -> bool:
    if not settings.SATULAYAR_OTP_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or bool(scope_for(user).roles & set(settings.SATULAYAR_OTP_ROLES))


def api_refusal(reason: str, status: int = 401) -> JsonResponse:
    return JsonResponse({"detail": reason}, status=status)


class SecondFactorMiddleware:
    """A user whose role needs a second factor sees nothing but the verify/enrol pages until they pass it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (needs_second_factor(user) and not user.is_verified()
                and not request.path.startswith(SECOND_FACTOR_OPEN_PATHS)):
            if is_api(request):
                return api_refusal(_("Peran Anda memerlukan verifikasi dua langkah (TOTP) sebelum memakai API."))
            return redirect_to_login(request.get_full_path(), reverse("second_factor"))
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """A session unused for SESSION_IDLE_MINUTES ends; the next request starts from the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if is_api(request):
                    return api_refusal(_("Sesi berakhir karena tidak aktif; silakan masuk lagi."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_RESOLUTION_S or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.SECURITY_PERMISSIONS_POLICY)
        return response


def axes_locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer once a username and address pair is locked: the login page with the reason, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    reason = _("Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah %(minutes)s menit.") % {
        "minutes": minutes}
    if is_api(request):
        return api_refusal(reason, status=429)
    return render(request, "registration/locked_out.html", {"reason": reason}, status=429)


def safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _api_error_reason(request, status: int) -> str:
    reasons = {
        400: _("Permintaan tidak sah: periksa bentuk data yang dikirim."),
        403: _("Akses ditolak."),
        404: _("Alamat API tidak ada: %(path)s") % {"path": request.path},
        405: _("Metode %(method)s tidak didukung untuk alamat ini.") % {"method": request.method},
        413: _("Permintaan terlalu besar."),
    }
    return reasons.get(status, _("Permintaan gagal (HTTP %(status)s).") % {"status": status})


class ApiErrorJsonMiddleware:
    """Every API error is JSON with a reason, also those Django answers before the API runs (a method the
    endpoint lacks, a malformed request, a CSRF refusal)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (is_api(request) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            replacement = api_refusal(_api_error_reason(request, response.status_code), response.status_code)
            if "Allow" in response:
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
