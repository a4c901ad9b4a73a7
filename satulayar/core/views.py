from base64 import b32encode
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

from satulayar.core import second_factor as second_factor_svc
from satulayar.core.security import is_api, safe_next
from satulayar.org import selectors


def healthz(request):
    """For load balancers and probes: the app answers and the database is reachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means not ready
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request):
    return render(request, "core/home.html", {"summary": selectors.org_summary(user=request.user)})


@login_required
def second_factor(request):
    if not second_factor_svc.totp_has_device(user=request.user):
        return redirect(f"{reverse('second_factor_enrol')}?{urlencode({'next': safe_next(request)})}")
    error = ""
    if request.method == "POST":
        if second_factor_svc.totp_verify(request=request, token=request.POST.get("token", "").strip()):
            return redirect(safe_next(request))
        error = _("Kode salah atau sudah kedaluwarsa. Masukkan 6 angka terbaru dari aplikasi autentikator.")
    return render(request, "registration/second_factor.html", {"error": error, "next": safe_next(request)})


@login_required
def second_factor_enrol(request):
    if second_factor_svc.totp_has_device(user=request.user) and not request.user.is_verified():
        return redirect(f"{reverse('second_factor')}?{urlencode({'next': safe_next(request)})}")
    device = second_factor_svc.totp_device_pending(user=request.user)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if second_factor_svc.totp_device_confirm(request=request, device=device, token=token):
            return redirect(safe_next(request))
        error = _("Kode salah. Pindai kode QR lalu masukkan 6 angka yang tampil di aplikasi.")
    context = {"error": error, "next": safe_next(request), "qr_svg": second_factor_svc.totp_qr_svg(device),
               "secret": b32encode(device.bin_key).decode()}
    return render(request, "registration/second_factor_enrol.html", context)


def not_found(request, exception=None):
    """A path nobody serves: JSON under /api/ (clients parse it), the HTML page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": _("Alamat API tidak ada: %(path)s") % {"path": request.path}}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": _("Terjadi kesalahan di server; sudah dicatat.")}, status=500)
    return default_server_error(request)
