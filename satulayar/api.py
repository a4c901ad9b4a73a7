"""The JSON API at /api/ (OpenAPI docs at /api/docs). Each app adds its router here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Satu Layar API",
    version="1",
    description=_("API Satu Layar: organisasi, pegawai, dan audit. Semua data dibatasi sesuai peran pemanggil."),
    auth=django_auth,
    urls_namespace="api",
)


def validation_detail(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"loc": ["body", name], "msg": msg} for name, msgs in exc.message_dict.items() for msg in msgs]
    return [{"loc": ["body"], "msg": msg} for msg in exc.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or _("Akses ditolak.")}, status=403)


from satulayar.attendance.api import router as attendance_router  # noqa: E402
from satulayar.audit.api import router as audit_router  # noqa: E402
from satulayar.cctv.api import router as cctv_router  # noqa: E402
from satulayar.inspections.api import router as inspections_router  # noqa: E402
from satulayar.integrations.api import router as aggregates_router  # noqa: E402
from satulayar.org.api import router as org_router  # noqa: E402
from satulayar.visits.api import router as visits_router  # noqa: E402

api.add_router("/org/", org_router)
api.add_router("/audit/", audit_router)
api.add_router("/attendance/", attendance_router)
api.add_router("/visits/", visits_router)
api.add_router("/cctv/", cctv_router)
api.add_router("/aggregates/", aggregates_router)
api.add_router("/inspections/", inspections_router)
