"""Phone and web check-in: the browser's position is checked against the office geofence, then stored as a punch.

Check-in and check-out are both plain punches; the first of the day counts as arrival, the last as departure.
"""

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from satulayar.attendance.choices import DayStatus, PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.models import DailyStatus, Punch
from satulayar.org.models import Employee, Site, Unit

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
SELFIE_MAX_BYTES = 2 * 1024 * 1024
SELFIE_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def max_accuracy_m() -> float:
    return float(getattr(settings, "ATTENDANCE_MAX_ACCURACY_M", 100))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def meters(value: float) -> str:
    """A whole number of metres the way the active language writes it: 1.234 in Indonesian."""
    return number_format(round(value), decimal_pos=0, force_grouping=True)


def fence_sites_for(*, unit: Unit) -> list[Site]:
    """The sites of the unit, or of its nearest ancestor that has any (a bidang checks in at its dinas)."""
    ancestor_ids = [int(pk) for pk in reversed(unit.path.strip("/").split("/")) if pk] or [unit.pk]
    sites_by_unit: dict[int, list[Site]] = {}
    for site in Site.objects.filter(unit_id__in=ancestor_ids).order_by("name", "pk"):
        sites_by_unit.setdefault(site.unit_id, []).append(site)
    for unit_id in ancestor_ids:
        if unit_id in sites_by_unit:
            return sites_by_unit[unit_id]
    return []


@dataclass(frozen=True)
class FenceCheck:
    site: Site
    distance_m: float

    @property
    def inside(self) -> bool:
        return self.distance_m <= self.site.radius_m


def fence_check(*, sites: list[Site], lat: float, lon: float) -> FenceCheck | None:
    """The site whose fence is nearest: inside one if any contains the point, else the closest edge."""
    checks = [FenceCheck(site, haversine_m(lat, lon, site.lat, site.lon)) for site in sites]
    return min(checks, key=lambda c: (not c.inside, c.distance_m - c.site.radius_m), default=None)


def city_zone(employee: Employee) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(employee.unit.city.timezone)


def active_employee_for(user) -> Employee:
    employee = None
    if user is not None and user.is_authenticated:
        employee = Employee.objects.filter(user=user, active=True).select_related("unit__city").first()
    if employee is None:
        raise ValidationError(_("Akun Anda tidak terhubung ke data pegawai aktif. Hubungi admin kepegawaian."),
                              code="no_employee")
    return employee


def _check_location(lat, lon, accuracy_m) -> None:
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)) \
            or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("Lokasi tidak terbaca. Izinkan akses lokasi di peramban Anda lalu coba lagi."),
                              code="no_location")
    limit = max_accuracy_m()
    if accuracy_m is None or not math.isfinite(accuracy_m) or accuracy_m < 0:
        raise ValidationError(_("Akurasi lokasi tidak terbaca. Aktifkan GPS lalu coba lagi."), code="low_accuracy")
    if accuracy_m > limit:
        raise ValidationError(
            _("Akurasi lokasi %(accuracy)s m terlalu rendah (batas %(limit)s m). Aktifkan GPS, pindah ke tempat "
              "terbuka, lalu coba lagi."),
            code="low_accuracy", params={"accuracy": meters(accuracy_m), "limit": meters(limit)})


def _check_selfie(selfie) -> str:
    """Returns the file extension of a valid selfie (JPEG or PNG up to 2 MB, judged by its bytes)."""
    if selfie.size > SELFIE_MAX_BYTES:
        raise ValidationError(_("Swafoto %(size)s MB terlalu besar (batas 2 MB)."), code="bad_selfie",
                              params={"size": number_format(selfie.size / 1024 / 1024, decimal_pos=1)})
    selfie.seek(0)
    head = selfie.read(8)
    selfie.seek(0)
    for signature, extension in SELFIE_SIGNATURES.items():
        if head.startswith(signature):
            return extension
    raise ValidationError(_("Swafoto harus berupa gambar JPEG atau PNG."), code="bad_selfie")


def _has_approved_field_duty(employee: Employee, date: dt.date) -> bool:
    from satulayar.attendance.leave import has_approved_field_duty  # written alongside; imported when needed

    return has_approved_field_duty(employee=employee, date=date)


@transaction.atomic
def checkin_record(*, user, lat: float | None, lon: float | None, accuracy_m: float | None, selfie=None,
                   now: dt.datetime | None = None) -> Punch:
    """Records a check-in (or check-out) from the browser, or refuses it with a message the ASN can act on."""
    employee = active_employee_for(user)
    _check_location(lat, lon, accuracy_m)
    selfie_extension = _check_selfie(selfie) if selfie else None
    now = now or timezone.now()
    at = now.astimezone(dt.UTC).replace(microsecond=0)
    local = at.astimezone(city_zone(employee))

    check = fence_check(sites=fence_sites_for(unit=employee.unit), lat=lat, lon=lon)
    note = ""
    if check is None or not check.inside:
        if not _has_approved_field_duty(employee, local.date()):
            if check is None:
                raise ValidationError(_("Unit kerja Anda belum memiliki titik lokasi kantor. Hubungi admin unit "
                                        "kerja Anda."), code="no_site")
            raise ValidationError(
                _("Anda berada %(distance)s m dari %(site)s (radius %(radius)s m)."), code="outside_fence",
                params={"distance": meters(check.distance_m), "site": check.site.name,
                        "radius": meters(check.site.radius_m), "distance_m": round(check.distance_m)})
        note = _("Dinas luar")
    punch = _punch_store(employee=employee, at=at, now=now, check=check, lat=lat, lon=lon, accuracy_m=accuracy_m,
                         note=note, user=user)
    if selfie_extension:
        punch.selfie.save(f"{employee.pk}-{local:%Y%m%d-%H%M%S}.{selfie_extension}", selfie, save=False)
        Punch.objects.filter(pk=punch.pk).update(selfie=punch.selfie.name)
    return punch


def _punch_store(*, employee, at, now, check: FenceCheck | None, lat, lon, accuracy_m, note, user) -> Punch:
    row = PunchRow(employee_id=employee.pk, at=at, site_id=check.site.pk if check else None, lat=lat, lon=lon,
                   accuracy_m=accuracy_m, distance_m=round(check.distance_m, 1) if check else None, note=note,
                   created_by_id=user.pk)
    punches_ingest(city=employee.unit.city, rows=[row], source=PunchSource.MOBILE, actor=user, now=now)
    return Punch.objects.select_related("site").get(employee=employee, at=at, source=PunchSource.MOBILE)


@dataclass(frozen=True)
class CheckinDay:
    """What the check-in page shows: today's punches and status and where the fence is."""

    employee: Employee
    date: dt.date
    punches: list[Punch]
    status: DailyStatus | None
    sites: list[Site]

    @property
    def checked_in(self) -> bool:
        return bool(self.punches)

    @property
    def status_colour(self) -> str:
        return DayStatus(self.status.status).colour if self.status else "secondary"


def checkin_day_for(*, employee: Employee, now: dt.datetime | None = None) -> CheckinDay:
    zone = city_zone(employee)
    date = timezone.localtime(now or timezone.now(), zone).date()
    start = dt.datetime.combine(date, dt.time.min, zone)
    punches = list(Punch.objects.filter(employee=employee, excluded=False, at__gte=start,
                                        at__lt=start + dt.timedelta(days=1)).select_related("site").order_by("at"))
    status = DailyStatus.objects.filter(employee=employee, date=date).first()
    return CheckinDay(employee=employee, date=date, punches=punches, status=status,
                      sites=fence_sites_for(unit=employee.unit))
