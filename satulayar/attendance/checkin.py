"""Phone and web check-in: the browser's position is checked against the office geofence, then stored as a punch.

Check-in and check-out are both plain punches; the first of the day counts as arrival, the last as departure.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from satulayar.attendance import checkin_guards
from satulayar.attendance.choices import DayStatus, PunchSource
from satulayar.attendance.ingest import PunchRow, future_tolerance, punches_ingest
from satulayar.attendance.models import DailyStatus, Punch
from satulayar.core.keyed_hash import keyed_hash
from satulayar.org.models import Employee, Site, Unit

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
SELFIE_MAX_BYTES = 2 * 1024 * 1024
SELFIE_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
QUEUED_MAX_AGE = dt.timedelta(days=3)
BROWSER_PURPOSE = "punch.browser"
BROWSER_ID_MAX = 64  # the page makes a UUID (36 characters)


def max_accuracy_m() -> float:
    return float(settings.ATTENDANCE_MAX_ACCURACY_M)


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
    ancestor_ids = unit.ancestor_ids[::-1]
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


def _check_browser_id(browser_id: str) -> None:
    if len(browser_id) > BROWSER_ID_MAX or not browser_id.isprintable():
        raise ValidationError(_("Kode peramban tidak sah (paling banyak %(max)s karakter). Muat ulang halaman lalu "
                                "coba lagi."), code="bad_browser", params={"max": BROWSER_ID_MAX})


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


def late_after() -> dt.timedelta:
    """A queued check-in that arrives later than this after it was made is flagged as sent late."""
    return dt.timedelta(seconds=settings.ATTENDANCE_LATE_AFTER_S)


def _check_device_time(device_at: dt.datetime, now: dt.datetime) -> None:
    if device_at.tzinfo is None:
        raise ValidationError(_("Waktu presensi dari ponsel harus menyertakan zona waktu."), code="bad_time")
    if device_at > now + future_tolerance():
        raise ValidationError(_("Waktu presensi di masa depan: periksa jam ponsel Anda."), code="future_time")
    if device_at < now - QUEUED_MAX_AGE:
        raise ValidationError(_("Presensi luring yang lebih dari %(days)s hari tidak diterima lagi; ajukan koreksi "
                                "kehadiran."), code="too_old", params={"days": QUEUED_MAX_AGE.days})


def _punch_by_uuid(employee: Employee, client_uuid) -> Punch | None:
    punch = Punch.objects.select_related("site").filter(client_uuid=client_uuid).first() if client_uuid else None
    if punch is not None and punch.employee_id != employee.pk:
        raise ValidationError(_("Kode presensi (UUID) ini sudah dipakai."), code="uuid_taken")
    return punch


@transaction.atomic
def checkin_record(*, user, lat: float | None, lon: float | None, accuracy_m: float | None, selfie=None,
                   now: dt.datetime | None = None, client_uuid=None, device_at: dt.datetime | None = None,
                   confirm_early: bool = False, altitude_m: float | None = None, browser_id: str = "") -> Punch:
    """Records a check-in (or check-out) from the browser, or refuses it with a message the ASN can act on.

    A check-in queued on a phone without a connection comes with the phone's time (`device_at`): it is stored
    at that time, flagged as sent late when it arrives late. The `client_uuid` made on the phone makes sending
    it again harmless: the punch already stored under it is returned.

    Guards (checkin_guards): a repeat within the window returns the first punch with `already_recorded` set and
    stores nothing; a departure before the scheduled end is refused with code "early_leave" unless
    `confirm_early`; a position that looks made up is stored with `position_flag`.

    `browser_id` is the random id the check-in page keeps in the browser; only its keyed hash is stored."""
    employee = active_employee_for(user)
    existing = _punch_by_uuid(employee, client_uuid)
    if existing is not None:
        return existing
    _check_location(lat, lon, accuracy_m)
    _check_browser_id(browser_id)
    selfie_extension = _check_selfie(selfie) if selfie else None
    now = now or timezone.now()
    if device_at is not None:
        _check_device_time(device_at, now)
    at = (device_at or now).astimezone(dt.UTC).replace(microsecond=0)
    local = at.astimezone(employee.unit.city.zone)
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
    first = checkin_guards.repeat_of(employee=employee, at=at)
    if first is not None:
        first.already_recorded = True
        return first
    if device_at is None:  # a check-in queued offline cannot be asked again
        day_start = dt.datetime.combine(local.date(), dt.time.min, employee.unit.city.zone)
        checkin_guards.early_leave_check(employee=employee, at=at, day_start=day_start, confirmed=confirm_early)
    if altitude_m is not None and not math.isfinite(altitude_m):
        altitude_m = None
    position_flag = checkin_guards.position_flags(employee=employee, at=at, lat=lat, lon=lon, accuracy_m=accuracy_m,
                                                  altitude_m=altitude_m)
    punch = _punch_store(employee=employee, at=at, now=now, check=check, lat=lat, lon=lon, accuracy_m=accuracy_m,
                         note=note, user=user, browser=keyed_hash(purpose=BROWSER_PURPOSE, value=browser_id))
    if position_flag or altitude_m is not None:
        punch.position_flag, punch.altitude_m = position_flag, altitude_m
        Punch.objects.filter(pk=punch.pk).update(position_flag=position_flag, altitude_m=altitude_m)
    if client_uuid or device_at:
        punch.client_uuid, punch.sent_late = client_uuid, bool(device_at and now - device_at > late_after())
        Punch.objects.filter(pk=punch.pk).update(client_uuid=punch.client_uuid, sent_late=punch.sent_late)
    if selfie_extension:
        punch.selfie.save(f"{employee.pk}-{local:%Y%m%d-%H%M%S}.{selfie_extension}", selfie, save=False)
        Punch.objects.filter(pk=punch.pk).update(selfie=punch.selfie.name)
    return punch


def _punch_store(*, employee, at, now, check: FenceCheck | None, lat, lon, accuracy_m, note, user,
                 browser: str) -> Punch:
    row = PunchRow(employee_id=employee.pk, at=at, site_id=check.site.pk if check else None, lat=lat, lon=lon,
                   accuracy_m=accuracy_m, distance_m=round(check.distance_m, 1) if check else None, note=note,
                   created_by_id=user.pk, browser=browser)
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
    zone = employee.unit.city.zone
    date = timezone.localtime(now or timezone.now(), zone).date()
    start = dt.datetime.combine(date, dt.time.min, zone)
    punches = list(Punch.objects.filter(employee=employee, excluded=False, at__gte=start,
                                        at__lt=start + dt.timedelta(days=1)).select_related("site").order_by("at"))
    status = DailyStatus.objects.filter(employee=employee, date=date).first()
    return CheckinDay(employee=employee, date=date, punches=punches, status=status,
                      sites=fence_sites_for(unit=employee.unit))
