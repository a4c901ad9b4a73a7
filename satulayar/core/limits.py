"""How big a request may be, decided before any view reads its body.

Django's own refusal of a body over DATA_UPLOAD_MAX_MEMORY_SIZE is an HTML "400 Bad Request", which a phone's
offline queue read as "refused as a whole" and resent forever. Here every oversized request gets a 413 that
names the limit: JSON for the API (and any caller asking for JSON), plain text for devices and pages.

The limits (settings, all from the environment; see .env.example):
- REQUEST_MAX_BYTES (= DATA_UPLOAD_MAX_MEMORY_SIZE): a JSON or form body; one sidak photo as a data URL fits.
- REQUEST_MAX_UPLOAD_BYTES: a multipart body with files (the integration hub's CSV/XLSX uploads).
- ATTENDANCE_ADMS_MAX_BODY_BYTES: a fingerprint machine's upload to /iclock/ (a backlog of punches).
"""

import math

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

ADMS_PREFIX = "/iclock/"
API_PREFIX = "/api/"
# A JSON body carries a photo as a data URL next to a few fields: the request limit keeps this much room.
JSON_MARGIN_BYTES = 64 * 1024


def data_url_bytes(raw_bytes: int) -> int:
    """The length of `raw_bytes` of image sent as base64 in a data URL."""
    return 4 * math.ceil(raw_bytes / 3) + len("data:image/jpeg;base64,")


def limit_for(request: HttpRequest) -> int:
    if request.path.startswith(ADMS_PREFIX):
        return settings.ATTENDANCE_ADMS_MAX_BODY_BYTES
    if request.content_type == "multipart/form-data":
        return settings.REQUEST_MAX_UPLOAD_BYTES
    return settings.REQUEST_MAX_BYTES


def _megabytes(size: int) -> str:
    return number_format(size / 1024 / 1024, decimal_pos=1)


def too_large_response(request: HttpRequest, *, limit: int, size: int | None) -> HttpResponse:
    message = _("Permintaan terlalu besar: batasnya %(limit)s byte (%(mb)s MB). Kirim dalam beberapa bagian, "
                "satu foto per permintaan.") % {"limit": number_format(limit, force_grouping=True),
                                                "mb": _megabytes(limit)}
    if request.path.startswith(API_PREFIX) or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message, "limit_bytes": limit, "size_bytes": size}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Refuses a body over its limit from its Content-Length, and Django's own refusal of one that lied."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size, limit = _content_length(request), limit_for(request)
        if size is not None and size > limit:
            return too_large_response(request, limit=limit, size=size)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):  # a multipart body's fields, beyond its files
            return too_large_response(request, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                                      size=_content_length(request))
        return None


def limits_check(values: dict[str, int]) -> None:
    """Stops start-up when one limit cannot hold what another lets through (names the variables)."""
    photo_request = data_url_bytes(values["INSPECTIONS_PHOTO_MAX_BYTES"]) + JSON_MARGIN_BYTES
    rules = [
        ("REQUEST_MAX_BYTES", photo_request, "INSPECTIONS_PHOTO_MAX_BYTES (as base64, with room for the fields)"),
        ("REQUEST_MAX_BYTES", values["INTEGRATIONS_WEBHOOK_MAX_BYTES"], "INTEGRATIONS_WEBHOOK_MAX_BYTES"),
        ("REQUEST_MAX_UPLOAD_BYTES", values["INTEGRATIONS_MAX_UPLOAD_BYTES"], "INTEGRATIONS_MAX_UPLOAD_BYTES"),
        ("REQUEST_MAX_UPLOAD_BYTES", values["REQUEST_MAX_BYTES"], "REQUEST_MAX_BYTES"),
    ]
    for name, needed, because in rules:
        if values[name] < needed:
            raise ImproperlyConfigured(f"{name}={values[name]} is too small: {because} needs at least {needed}.")

