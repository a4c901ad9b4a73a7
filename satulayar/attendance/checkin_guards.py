"""Guards on phone check-ins: a repeat within minutes, leaving before the scheduled end, a made-up position.

- A second check-in by the same person within ATTENDANCE_REPEAT_WINDOW_S of the previous one is not stored: it is
  answered "sudah tercatat" with the time of the first.
- A departure before the scheduled end asks for confirmation, saying how many minutes early.
- A position whose accuracy (or reported altitude) is exactly the same as on each of the last
  ATTENDANCE_CONSTANT_ACCURACY_DAYS days, or
  that is further from the person's previous check-in than ATTENDANCE_MAX_SPEED_KMH allows, is stored flagged
  (Punch.position_flag) for the inspectorate, not refused.
"""

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.org.models import Employee

EARTH_RADIUS_M = 6_371_008.8
SAME_MOMENT_DISTANCE_M = 200  # two check-ins in the same second this far apart are already impossible


def repeat_window() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.ATTENDANCE_REPEAT_WINDOW_S))


def repeat_of(*, employee: Employee, at: dt.datetime, source: str = PunchSource.MOBILE) -> Punch | None:
    """The first of the person's recent check-ins from `source` (the phone, a kiosk) when `at` falls within the
    window after it."""
    recent = Punch.objects.filter(employee=employee, source=source, excluded=False,
                                  at__gte=at - repeat_window(), at__lte=at).select_related("site").order_by("at")
    return recent.first()


def early_leave_check(*, employee: Employee, at: dt.datetime, day_start: dt.datetime, confirmed: bool) -> None:
    """Refuses (asking for confirmation) a departure before the scheduled end of the day."""
    from satulayar.attendance.plan import expected_hours

    zone = employee.unit.city.zone
    hours = expected_hours(employee=employee, date=at.astimezone(zone).date())
    if confirmed or hours is None or not hours[0] <= at < hours[1]:
        return
    if not Punch.objects.filter(employee=employee, excluded=False, at__gte=day_start, at__lt=at).exists():
        return  # the day's first punch is an arrival
    minutes = math.ceil((hours[1] - at).total_seconds() / 60)
    raise ValidationError(
        _("Jadwal pulang pukul %(end)s; Anda pulang %(minutes)s menit lebih awal. Tekan sekali lagi untuk "
          "mengonfirmasi pulang sekarang."),
        code="early_leave", params={"end": f"{hours[1].astimezone(zone):%H.%M}",
                                    "minutes": number_format(minutes, decimal_pos=0, force_grouping=True),
                                    "minutes_early": minutes})


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def position_flags(*, employee: Employee, at: dt.datetime, lat: float, lon: float, accuracy_m: float,
                   altitude_m: float | None = None) -> str:
    """Why this position looks made up ("" when it does not)."""
    reasons = []
    earlier = Punch.objects.filter(employee=employee, source=PunchSource.MOBILE, at__lt=at,
                                   lat__isnull=False).order_by("-at")
    last = earlier.values("at", "lat", "lon").first()
    if last is not None:
        metres = _distance_m(last["lat"], last["lon"], lat, lon)
        seconds = (at - last["at"]).total_seconds()
        speed_kmh = metres / seconds * 3.6 if seconds > 0 else math.inf
        too_fast = metres > SAME_MOMENT_DISTANCE_M if seconds <= 0 else speed_kmh > settings.ATTENDANCE_MAX_SPEED_KMH
        if too_fast:
            reasons.append(_("%(km)s km dari presensi sebelumnya dalam %(minutes)s menit (kecepatan mustahil)") % {
                "km": number_format(metres / 1000, decimal_pos=1),
                "minutes": number_format(max(seconds, 0) / 60, decimal_pos=0)})
    days_needed = int(settings.ATTENDANCE_CONSTANT_ACCURACY_DAYS)
    zone = employee.unit.city.zone
    by_day: dict[dt.date, list[tuple]] = {}
    today = at.astimezone(zone).date()
    rows = earlier.filter(at__gte=at - dt.timedelta(days=days_needed * 3)).values("at", "accuracy_m", "altitude_m")
    for row in rows[:200]:
        day = row["at"].astimezone(zone).date()
        if day != today:
            by_day.setdefault(day, []).append((row["accuracy_m"], row["altitude_m"]))
    recent_days = sorted(by_day, reverse=True)[:days_needed]
    if days_needed and len(recent_days) == days_needed:
        if all({a for a, _alt in by_day[day]} == {accuracy_m} for day in recent_days):
            reasons.append(_("akurasi persis %(accuracy)s m setiap hari selama %(days)d hari") % {
                "accuracy": number_format(accuracy_m, decimal_pos=1), "days": days_needed + 1})
        if altitude_m is not None and all({alt for _a, alt in by_day[day]} == {altitude_m} for day in recent_days):
            reasons.append(_("ketinggian persis %(altitude)s m tanpa berubah selama %(days)d hari") % {
                "altitude": number_format(altitude_m, decimal_pos=1), "days": days_needed + 1})
    return "; ".join(reasons)[:255]
