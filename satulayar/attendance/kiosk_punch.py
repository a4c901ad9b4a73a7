"""Checking in at a kiosk: an NIP or PIN and a selfie, on the kiosk's own site, within the person's working window.

The phone check-in's rules hold here too (checkin, checkin_guards): a selfie checked by its bytes, a check-in
queued offline stored at the kiosk's time and flagged when it arrives late, once per client UUID, a repeat within
minutes answered "sudah tercatat", an early departure asked to confirm. What differs: the position is the site's,
no login says who is there (the NIP or PIN does, resolved as the site's fingerprint machines resolve it), a check-in
is refused outside the person's working window, and unknown NIPs and PINs are counted per kiosk so that the door
tablet cannot be used to guess them.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance import checkin, checkin_guards
from satulayar.attendance.choices import PunchSource
from satulayar.attendance.devices import employees_by_pin
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.kiosks import kiosk_seen
from satulayar.attendance.models import Kiosk, Punch
from satulayar.attendance.plan import expected_hours
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.org.models import Employee

WINDOW_BEFORE = dt.timedelta(hours=2)  # a check-in opens this long before the scheduled start
WINDOW_AFTER = dt.timedelta(hours=4)  # and closes this long after the scheduled end
UNKNOWN_PER_MINUTE = 10
MINUTE = dt.timedelta(minutes=1)


class KioskThrottled(ValidationError):
    """Too many unknown NIPs or PINs at this kiosk within a minute; the caller waits `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(_("Terlalu banyak NIP/PIN yang tidak dikenal di anjungan ini. Tunggu %(seconds)s detik "
                           "lalu coba lagi.") % {"seconds": seconds}, code="throttled")
        self.seconds = seconds


@dataclass
class KioskPunch:
    """What the kiosk shows after a check-in: who (their name), arrival or departure, how late or early."""

    punch: Punch
    employee: Employee
    arrival: bool
    late_minutes: int = 0
    early_minutes: int = 0
    already_recorded: bool = False


def masked_name(name: str) -> str:
    """The name as a passer-by may read it on the door screen: titles and the first name, then initials
    ("dr. Siti Rahmah" → "dr. Siti R.", "Rahmadi, S.K.M." → "Rahmadi")."""
    words = name.split(",")[0].split()
    shown = []
    for index, word in enumerate(words):
        shown.append(word)
        if not word.endswith("."):
            shown += [f"{rest[0]}." for rest in words[index + 1:]]
            break
    return " ".join(shown)


def employee_at_kiosk(*, kiosk: Kiosk, identity: str) -> Employee | None:
    """The active employee of the kiosk's city with that NIP or PIN, a PIN resolved as the site's fingerprint
    machines resolve it (the site's mapping before the city's)."""
    identity = identity.strip()
    if not identity:
        return None
    employee_id = employees_by_pin(city=kiosk.site.city, pins={identity}, site=kiosk.site).get(identity)
    return Employee.objects.select_related("unit__city").filter(pk=employee_id).first() if employee_id else None


def _unknown_counted(kiosk: Kiosk, now: dt.datetime) -> None:
    """Counts an unknown NIP/PIN in the kiosk's current minute (a fresh minute starts the count again)."""
    fresh = kiosk.unknown_since is None or now - kiosk.unknown_since >= MINUTE
    changes = {"unknown_count": 1, "unknown_since": now} if fresh else {"unknown_count": F("unknown_count") + 1}
    Kiosk.objects.filter(pk=kiosk.pk).update(**changes)


def _check_not_throttled(kiosk: Kiosk, now: dt.datetime) -> None:
    if kiosk.unknown_since is None or kiosk.unknown_count < UNKNOWN_PER_MINUTE:
        return
    wait = kiosk.unknown_since + MINUTE - now
    if wait > dt.timedelta(0):
        raise KioskThrottled(max(1, math.ceil(wait.total_seconds())))


def _unknown_refusal(identity: str) -> ValidationError:
    if not identity.strip():
        return ValidationError(_("Masukkan NIP atau PIN Anda."), code="no_identity")
    return ValidationError(_("NIP/PIN %(identity)s tidak dikenal atau pegawai tidak aktif. Periksa angkanya lalu "
                             "coba lagi.") % {"identity": identity.strip()[:24]}, code="unknown_identity")


def _hours_around(employee: Employee, at: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The scheduled (start, end) whose window holds `at`: today's, or yesterday's for a night shift."""
    date = at.astimezone(employee.unit.city.zone).date()
    for day in (date, date - dt.timedelta(days=1)):
        hours = expected_hours(employee=employee, date=day)
        if hours is not None and hours[0] - WINDOW_BEFORE <= at <= hours[1] + WINDOW_AFTER:
            return hours
    return None


def _check_window(employee: Employee, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    hours = _hours_around(employee, at)
    if hours is not None:
        return hours
    zone = employee.unit.city.zone
    today = expected_hours(employee=employee, date=at.astimezone(zone).date())
    if today is None:
        raise ValidationError(_("Hari ini bukan hari kerja Anda menurut jadwal; presensi di anjungan tidak "
                                "dicatat."), code="no_schedule")
    opens, closes = (moment.astimezone(zone) for moment in (today[0] - WINDOW_BEFORE, today[1] + WINDOW_AFTER))
    raise ValidationError(_("Di luar jam presensi (%(opens)s–%(closes)s)."), code="outside_window",
                          params={"opens": f"{opens:%H.%M}", "closes": f"{closes:%H.%M}"})


def _minutes(delta: dt.timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


def _outcome(punch: Punch, employee: Employee, hours: tuple[dt.datetime, dt.datetime] | None) -> KioskPunch:
    """Arrival when nothing was punched earlier in the window; late and early by the schedule."""
    since = hours[0] - WINDOW_BEFORE if hours else punch.at - dt.timedelta(hours=12)
    arrival = not Punch.objects.filter(employee=employee, excluded=False, at__gte=since, at__lt=punch.at).exists()
    outcome = KioskPunch(punch=punch, employee=employee, arrival=arrival)
    if hours and arrival:
        outcome.late_minutes = _minutes(punch.at - hours[0])
    elif hours:
        outcome.early_minutes = _minutes(hours[1] - punch.at)
    return outcome


def kiosk_punch_record(*, kiosk: Kiosk, identity: str, selfie, now: dt.datetime | None = None,
                       client_uuid=None, device_at: dt.datetime | None = None,
                       confirm_early: bool = False) -> KioskPunch:
    """Records a check-in (or check-out) at the kiosk, or refuses it with a message the employee can act on.

    Sent again under the same `client_uuid` (the kiosk's offline queue), the punch stored the first time is
    answered. An unknown NIP/PIN is counted against the kiosk before it is refused; past UNKNOWN_PER_MINUTE in a
    minute every check-in there waits (KioskThrottled)."""
    now = now or timezone.now()
    _check_not_throttled(kiosk, now)
    employee = employee_at_kiosk(kiosk=kiosk, identity=identity)
    if employee is None:
        if identity.strip():
            _unknown_counted(kiosk, now)
        raise _unknown_refusal(identity)
    kiosk_seen(kiosk=kiosk, now=now)
    return _punch_record(kiosk=kiosk, employee=employee, selfie=selfie, now=now, client_uuid=client_uuid,
                         device_at=device_at, confirm_early=confirm_early)


@transaction.atomic
def _punch_record(*, kiosk: Kiosk, employee: Employee, selfie, now: dt.datetime, client_uuid,
                  device_at: dt.datetime | None, confirm_early: bool) -> KioskPunch:
    existing = checkin._punch_by_uuid(employee, client_uuid)
    if existing is not None:
        return _outcome(existing, employee, _hours_around(employee, existing.at))
    if not selfie:
        raise ValidationError(_("Swafoto wajib: hadapkan wajah ke kamera lalu ambil foto."), code="no_selfie")
    selfie_extension = checkin._check_selfie(selfie)
    if device_at is not None:
        checkin._check_device_time(device_at, now)
    at = (device_at or now).astimezone(dt.UTC).replace(microsecond=0)
    hours = _check_window(employee, at)
    first = checkin_guards.repeat_of(employee=employee, at=at, source=PunchSource.KIOSK)
    if first is not None:
        outcome = _outcome(first, employee, hours)
        outcome.already_recorded = True
        return outcome
    if device_at is None:  # a check-in queued offline cannot be asked again
        zone = employee.unit.city.zone
        day_start = dt.datetime.combine(at.astimezone(zone).date(), dt.time.min, zone)
        checkin_guards.early_leave_check(employee=employee, at=at, day_start=day_start, confirmed=confirm_early)
    punch = _punch_store(kiosk=kiosk, employee=employee, at=at, now=now)
    punch.client_uuid = client_uuid
    punch.sent_late = bool(device_at and now - device_at > checkin.late_after())
    punch.selfie.save(f"{employee.pk}-{at.astimezone(employee.unit.city.zone):%Y%m%d-%H%M%S}.{selfie_extension}",
                      selfie, save=False)
    Punch.objects.filter(pk=punch.pk).update(client_uuid=punch.client_uuid, sent_late=punch.sent_late,
                                             selfie=punch.selfie.name)
    outcome = _outcome(punch, employee, hours)
    audit_record(actor=None, action=AuditAction.CREATE, obj=punch, after={
        "kiosk": kiosk.name, "site": kiosk.site.name, "at": at.isoformat(), "sent_late": punch.sent_late,
        "arrival": outcome.arrival}, note=_("Presensi di anjungan %(name)s") % {"name": kiosk.name})
    return outcome


def _punch_store(*, kiosk: Kiosk, employee: Employee, at: dt.datetime, now: dt.datetime) -> Punch:
    site = kiosk.site
    row = PunchRow(employee_id=employee.pk, at=at, site_id=site.pk, lat=site.lat, lon=site.lon, distance_m=0,
                   note=_("Anjungan %(name)s") % {"name": kiosk.name})
    punches_ingest(city=kiosk.site.city, rows=[row], source=PunchSource.KIOSK, kiosk=kiosk, now=now)
    return Punch.objects.select_related("site").get(employee=employee, at=at, source=PunchSource.KIOSK)

