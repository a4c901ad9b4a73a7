"""When a kelurahan office is open, and its registered kiosks.

Opening hours: the office's own `OfficeHours` rows, else the default (Monday to Friday, 08:00–16:00). Closed
days come from the city's work calendar (national holidays, cuti bersama, city days:
`attendance.calendar.is_work_day`). The kiosk prints tickets only while the office is open.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.calendar import calendar_days, is_work_day
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.events import event_publish, queue_channel
from satulayar.core.time import local_date
from satulayar.org.models import Kelurahan
from satulayar.visits.access import can_operate_desk
from satulayar.visits.models import KioskDevice, OfficeHours

WEEKDAYS = (gettext_lazy("Senin"), gettext_lazy("Selasa"), gettext_lazy("Rabu"), gettext_lazy("Kamis"),
            gettext_lazy("Jumat"), gettext_lazy("Sabtu"), gettext_lazy("Minggu"))
CLOSED_DAYS_AHEAD = 31


DEFAULT_HOURS = (dt.time(8), dt.time(16))


def office_hours(*, kelurahan: Kelurahan) -> dict[int, tuple[dt.time, dt.time]]:
    """{weekday (0 Monday): (opens, closes)} of the days the office opens in an ordinary week."""
    own = {row.weekday: (row.opens, row.closes) for row in OfficeHours.objects.filter(kelurahan=kelurahan)}
    return own or dict.fromkeys(range(5), DEFAULT_HOURS)


@dataclass(frozen=True)
class ClosedDay:
    date: dt.date
    name: str


def closed_days(*, kelurahan: Kelurahan, start: dt.date, days: int = CLOSED_DAYS_AHEAD) -> list[ClosedDay]:
    """The calendar's holidays and collective leave from `start` on, on days the office would otherwise open."""
    weekly = office_hours(kelurahan=kelurahan)
    city = kelurahan.kecamatan.city
    found = {}
    for day in calendar_days(city=city, start=start, end=start + dt.timedelta(days=days - 1)):
        if day.date.weekday() in weekly and not is_work_day(city=city, date=day.date):
            found.setdefault(day.date, day.name)
    return [ClosedDay(date, name) for date, name in sorted(found.items())]


def hours_on(*, kelurahan: Kelurahan, date: dt.date) -> tuple[dt.time, dt.time] | None:
    """The office's hours on that date, None when it is closed (weekend, holiday, collective leave)."""
    hours = office_hours(kelurahan=kelurahan).get(date.weekday())
    if hours is None or not is_work_day(city=kelurahan.kecamatan.city, date=date):
        return None
    return hours


def office_closed_reason(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> str:
    """Why the office is closed at `now` (empty while it is open)."""
    now = now or timezone.now()
    date = local_date(kelurahan.kecamatan.city, now)
    hours = hours_on(kelurahan=kelurahan, date=date)
    if hours is None:
        return _("Kantor Kelurahan %(name)s tutup pada %(date)s; tiket tidak dapat dicetak.") % {
            "name": kelurahan.name, "date": date_format(date, "l, j F Y")}
    clock = timezone.localtime(now, kelurahan.kecamatan.city.zone).time()
    if not hours[0] <= clock < hours[1]:
        return _("Kantor Kelurahan %(name)s buka pukul %(opens)s–%(closes)s; tiket tidak dapat dicetak sekarang.") % {
            "name": kelurahan.name, "opens": hours[0].strftime("%H.%M"), "closes": hours[1].strftime("%H.%M")}
    return ""


# --- kiosks ---------------------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def kiosk_register(*, actor, kelurahan: Kelurahan, name: str, roll_mm: int = 58) -> tuple[KioskDevice, str]:
    """Register an office kiosk; returns it and its secret link token (shown once, only its hash is kept)."""
    if actor is None or not can_operate_desk(actor, kelurahan):
        raise PermissionDenied(_("Hanya petugas loket Kelurahan %(name)s yang dapat mendaftarkan anjungan.")
                               % {"name": kelurahan.name})
    token = secrets.token_urlsafe(24)
    kiosk = KioskDevice(kelurahan=kelurahan, name=" ".join(name.split()) or _("Anjungan"), token_hash=_hash(token),
                        roll_mm=roll_mm)
    kiosk.full_clean()
    kiosk.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=kiosk, after={"name": kiosk.name, "roll_mm": roll_mm},
                 note=f"kelurahan {kelurahan.code}")
    event_publish(channel=queue_channel(kelurahan), kind="kiosk.registered", data={"kiosk": kiosk.pk})
    return kiosk, token


def kiosk_by_token(token: str) -> KioskDevice:
    """The active kiosk of that link; 404 for an unknown or retired one."""
    kiosk = (KioskDevice.objects.select_related("kelurahan__kecamatan__city")
             .filter(token_hash=_hash(token), active=True).first())
    if kiosk is None:
        raise Http404("kiosk")
    return kiosk

