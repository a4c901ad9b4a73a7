"""The service worker, served from the site's root so that its scope covers every page it keeps offline."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The pages that open without a connection (their paths, as regular expressions for the worker).
OFFLINE_PAGES = (r"^/sidak/\d+/$", r"^/kehadiran/presensi/$", r"^/kehadiran/anjungan/[A-Za-z0-9_-]+/$")


@require_GET
def service_worker(request):
    response = render(request, "core/sw.js", {"offline_pages": OFFLINE_PAGES, "static_url": settings.STATIC_URL,
                                              "login_url": reverse("login")},
                      content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # browsers check for a new worker on every visit
    return response


@require_GET
def favicon(request):
    """/favicon.ico: browsers ask for it on every page whatever the HTML says."""
    icon = Path(finders.find("satulayar/icons/favicon.ico"))
    response = HttpResponse(icon.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@require_GET
def manifest(request):
    """The web app manifest: a phone adds Satu Layar to its home screen with the city's name and the icon."""
    city = getattr(request, "city", None)
    name = f"Satu Layar {city.name}" if city else "Satu Layar"
    return JsonResponse({
        "name": name, "short_name": "Satu Layar", "lang": "id", "dir": "ltr",
        "description": _("Satu layar untuk kehadiran, layanan, sidak dan kamera kota"),
        "start_url": reverse("home"), "scope": "/", "display": "standalone",
        "background_color": "#f6f8fb", "theme_color": "#0f6e5a",
        "icons": [
            {"src": static("satulayar/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("satulayar/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("satulayar/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ]}, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
