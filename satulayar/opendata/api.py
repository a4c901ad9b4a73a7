"""/api/aggregates/: our aggregates for other systems, each with its own token (Authorization: Bearer sl_…).

A token is made by an integration admin on the "Klien API" page and shown once; only its SHA-256 is kept. Each
client has scopes (attendance, visits, indicators): an endpoint outside them answers 403, a wrong, unknown or
deactivated token 401. Numbers are of the client's own city only.
"""

import datetime as dt
import hmac

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import HttpBearer

from satulayar.core.time import local_date
from satulayar.integrations.choices import ApiScope
from satulayar.integrations.models import ApiClient
from satulayar.integrations.services import token_hash
from satulayar.opendata import publish

LAST_USED_EVERY = dt.timedelta(minutes=1)
DEFAULT_DAYS = 30


class ApiClientAuth(HttpBearer):
    """Bearer token of an active ApiClient; the client is then `request.auth`."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token: str) -> ApiClient | None:
        parts = (token or "").split("_", 2)
        if len(parts) != 3 or parts[0] != "sl":
            return None
        client = ApiClient.objects.select_related("city").filter(token_prefix=parts[1], active=True).first()
        if client is None or not hmac.compare_digest(client.token_hash, token_hash(token)):
            return None
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_EVERY:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client


router = Router(tags=["agregat untuk sistem lain"], auth=ApiClientAuth())


def _require_scope(request, scope: str) -> ApiClient:
    client: ApiClient = request.auth
    if scope not in client.scopes:
        raise PermissionDenied(_("Token ini tidak mencakup '%(scope)s'.") % {"scope": scope})
    return client


class RangeIn(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


def _range(query: RangeIn, city) -> tuple[dt.date, dt.date]:
    end = query.end or local_date(city)
    return query.start or end - dt.timedelta(days=DEFAULT_DAYS - 1), end


class AttendanceDayOut(Schema):
    date: dt.date
    unit_code: str
    unit_name: str
    expected: int
    present: int
    late: int
    on_leave: int
    field_duty: int
    absent: int
    not_yet: int
    attendance_rate: float | None


class VisitsDayOut(Schema):
    date: dt.date
    kelurahan_code: str
    kelurahan_name: str
    visits: int
    served: int


class IndicatorValueOut(Schema):
    code: str
    name: str
    unit: str
    period: str
    dimension: str
    dimension_label: str
    value: float


@router.get("/attendance/daily", response=list[AttendanceDayOut],
            summary="Kehadiran harian per unit kerja (tanpa data pribadi)")
def attendance_daily(request, query: Query[RangeIn]):
    client = _require_scope(request, ApiScope.ATTENDANCE)
    start, end = _range(query, client.city)
    return publish.attendance_daily_by_unit(city=client.city, start=start, end=end)


@router.get("/visits/daily", response=list[VisitsDayOut], summary="Kunjungan per kelurahan per hari")
def visits_daily(request, query: Query[RangeIn]):
    client = _require_scope(request, ApiScope.VISITS)
    start, end = _range(query, client.city)
    return publish.visits_daily_by_kelurahan(city=client.city, start=start, end=end)


@router.get("/indicators", response=list[IndicatorValueOut], summary="Nilai indikator (Satu Data)")
def indicators(request, query: Query[RangeIn], code: str = ""):
    client = _require_scope(request, ApiScope.INDICATORS)
    start, end = _range(query, client.city)
    return publish.indicator_values_for_client(city=client.city, start=start, end=end, code=code)
