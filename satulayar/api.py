"""The JSON API at /api/ (OpenAPI docs at /api/docs). Each app adds its router here."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth


class LoginSession(SessionAuth):
    """The browser session. A caller without one gets 401 with a reason; only a logged-in caller's writes are
    checked for the CSRF token (an anonymous write used to answer "CSRF check Failed", 403)."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


api = NinjaAPI(
    title="Satu Layar API",
    version="1",
    description=_("API Satu Layar dalam tujuh bagian: organisasi dan pegawai, log audit, kehadiran, layanan "
                  "kelurahan (kunjungan dan antrean), kamera CCTV, data agregat untuk sistem lain (Satu Data), dan "
                  "sidak. Semua data dibatasi sesuai peran pemanggil."),
    auth=LoginSession(),
    urls_namespace="api",
)


def validation_detail(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"loc": ["body", name], "msg": msg} for name, msgs in exc.message_dict.items() for msg in msgs]
    return [{"loc": ["body"], "msg": msg} for msg in exc.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc: AuthenticationError):
    return api.create_response(request, {"detail": _("Belum masuk: API ini memerlukan sesi login atau kunci API.")},
                               status=401)


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return api.create_response(request, {"detail": _("Data tidak ditemukan atau di luar wewenang Anda.")},
                               status=404)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc: Exception):
    """The last guard for a number or date too large for the database or the calendar (the types refuse most)."""
    return api.create_response(request, {"detail": [{"loc": [], "msg": _("Angka atau tanggal di luar jangkauan.")}]},
                               status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or _("Akses ditolak.")}, status=403)


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request, exc: RequestDataTooBig):
    """Django's request-size refusal as JSON with its reason (a phone's queue splits on it), not an HTML 400."""
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return api.create_response(request, {"detail": _("Kiriman terlalu besar: batasnya %(limit)s per kiriman.")
                                         % {"limit": limit}, "limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
                               status=413)


from satulayar.attendance.api import router as attendance_router  # noqa: E402
from satulayar.audit.api import router as audit_router  # noqa: E402
from satulayar.cctv.api import router as cctv_router  # noqa: E402
from satulayar.inspections.api import router as inspections_router  # noqa: E402
from satulayar.opendata.api import router as aggregates_router  # noqa: E402
from satulayar.org.api import router as org_router  # noqa: E402
from satulayar.visits.api import router as visits_router  # noqa: E402

api.add_router("/org/", org_router)
api.add_router("/audit/", audit_router)
api.add_router("/attendance/", attendance_router)
api.add_router("/visits/", visits_router)
api.add_router("/cctv/", cctv_router)
api.add_router("/aggregates/", aggregates_router)
api.add_router("/inspections/", inspections_router)
