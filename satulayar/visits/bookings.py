"""Bookings: a citizen books one service in one hour of a later office day, gets a code, and checks in on the day
(at the kiosk or the desk), which issues the queue ticket.

Capacity is per kelurahan, service and local hour: the office's `BookingCapacity` row, else
`VISITS_BOOKING_CAPACITY` (default 4) in every hour the office is open. A booking not checked in by the end of
its hour is a no-show (counted, never written: nothing has to run for it). Bookings of one office are taken one
at a time (the office row is locked), so two citizens never both get the last place.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.events import event_publish, queue_channel
from satulayar.core.time import local_date
from satulayar.org.models import Kelurahan
from satulayar.visits import services
from satulayar.visits.access import can_operate_desk
from satulayar.visits.choices import BookingStatus, TicketChannel
from satulayar.visits.models import Booking, BookingCapacity, KioskDevice, Service
from satulayar.visits.office import hours_on
from satulayar.visits.selectors import is_no_show

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 6
MAX_CAPACITY = 500  # bookings of one service in one hour


def default_capacity() -> int:
    return int(settings.VISITS_BOOKING_CAPACITY)


def days_ahead() -> int:
    return int(settings.VISITS_BOOKING_DAYS_AHEAD)


def slot_hours(*, kelurahan: Kelurahan, date: dt.date) -> list[int]:
    """The local hours a booking may start in: whole hours inside the office's hours that day."""
    hours = hours_on(kelurahan=kelurahan, date=date)
    if hours is None:
        return []
    opens, closes = hours
    closing = closes.hour * 60 + closes.minute
    return [hour for hour in range(24) if opens <= dt.time(hour) and (hour + 1) * 60 <= closing]


def capacity_grid(*, kelurahan: Kelurahan, today: dt.date) -> tuple[list[int], list[tuple[Service, dict[int, int]]]]:
    """The hours the office is open in the coming week and, per service it offers, each hour's capacity."""
    hours = sorted({hour for n in range(1, 8)
                    for hour in slot_hours(kelurahan=kelurahan, date=today + dt.timedelta(days=n))})
    own = {(service_id, hour): value for service_id, hour, value in BookingCapacity.objects.filter(
        kelurahan=kelurahan).values_list("service_id", "hour", "capacity")}
    return hours, [(offered.service, {hour: own.get((offered.service.pk, hour), default_capacity()) for hour in hours})
                   for offered in services.services_offered(kelurahan=kelurahan)]


def capacity(*, kelurahan: Kelurahan, service: Service, hour: int) -> int:
    row = BookingCapacity.objects.filter(kelurahan=kelurahan, service=service, hour=hour).first()
    return row.capacity if row else default_capacity()


@dataclass(frozen=True)
class Slot:
    hour: int
    capacity: int
    booked: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


def slots(*, kelurahan: Kelurahan, service: Service, date: dt.date) -> list[Slot]:
    """Every bookable hour of that day with its capacity and what is taken."""
    own = dict(BookingCapacity.objects.filter(kelurahan=kelurahan, service=service).values_list("hour", "capacity"))
    taken = dict(Booking.objects.filter(kelurahan=kelurahan, service=service, date=date)
                 .exclude(status=BookingStatus.CANCELLED).values("hour").annotate(n=Count("pk"))
                 .values_list("hour", "n"))
    return [Slot(hour, own.get(hour, default_capacity()), taken.get(hour, 0))
            for hour in slot_hours(kelurahan=kelurahan, date=date)]


@transaction.atomic
def booking_capacity_set(*, actor, kelurahan: Kelurahan, service: Service, hour: int, capacity: int
                         ) -> BookingCapacity:
    """The office sets how many bookings a service takes in one hour (0 closes the hour to bookings)."""
    if actor is None or not can_operate_desk(actor, kelurahan):
        raise PermissionDenied(_("Hanya petugas loket Kelurahan %(name)s yang dapat mengatur kuota pemesanan.")
                               % {"name": kelurahan.name})
    services.service_offered(kelurahan=kelurahan, service=service)
    if not 0 <= hour <= 23 or not 0 <= capacity <= MAX_CAPACITY:
        raise ValidationError(_("Jam 0–23 dan kuota 0–%(max)s.") % {"max": MAX_CAPACITY})
    row, _created = BookingCapacity.objects.update_or_create(kelurahan=kelurahan, service=service, hour=hour,
                                                             defaults={"capacity": capacity})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=row, after={"capacity": capacity},
                 note=f"kelurahan {kelurahan.code}")
    event_publish(channel=queue_channel(kelurahan), kind="booking.capacity_set",
                  data={"service": service.pk, "hour": hour, "capacity": capacity})
    return row


def _check_slot(kelurahan: Kelurahan, service: Service, date: dt.date, hour: int, now: dt.datetime) -> None:
    today = local_date(kelurahan.kecamatan.city, now)
    if not today < date <= today + dt.timedelta(days=days_ahead()):
        raise ValidationError({"date": _("Pemesanan untuk hari esok sampai %(days)s hari ke depan.")
                                       % {"days": days_ahead()}}, code="date_out_of_range")
    if hours_on(kelurahan=kelurahan, date=date) is None:
        raise ValidationError({"date": _("Kantor Kelurahan %(name)s tutup pada %(date)s.")
                                       % {"name": kelurahan.name, "date": date_format(date, "l, j F Y")}},
                              code="office_closed")
    if hour not in slot_hours(kelurahan=kelurahan, date=date):
        raise ValidationError({"hour": _("Pukul %(hour)02d.00 di luar jam layanan kantor pada %(date)s.")
                                       % {"hour": hour, "date": date_format(date, "j F Y")}}, code="outside_hours")


def booking_create(*, kelurahan: Kelurahan, service: Service, date: dt.date, hour: int, visitor_name: str = "",
                   browser: str = "", now: dt.datetime | None = None) -> Booking:
    """Book one place; refused outside office hours, on a closed day, or when the hour is full."""
    now = now or timezone.now()
    services.service_offered(kelurahan=kelurahan, service=service)
    _check_slot(kelurahan, service, date, hour, now)
    with transaction.atomic():
        Kelurahan.objects.select_for_update().filter(pk=kelurahan.pk).first()  # one booking at a time per office
        limit = capacity(kelurahan=kelurahan, service=service, hour=hour)
        taken = (Booking.objects.filter(kelurahan=kelurahan, service=service, date=date, hour=hour)
                 .exclude(status=BookingStatus.CANCELLED).count())
        if taken >= limit:
            raise ValidationError({"hour": _("Kuota %(service)s pukul %(hour)02d.00 pada %(date)s sudah penuh "
                                             "(%(limit)s orang). Pilih jam atau hari lain.")
                                           % {"service": service.name, "hour": hour, "limit": limit,
                                              "date": date_format(date, "j F Y")}}, code="full")
        booking = _save_with_code(Booking(kelurahan=kelurahan, service=service, date=date, hour=hour,
                                          visitor_name=" ".join(visitor_name.split())[:120], browser=browser,
                                          created_at=now))
        audit_record(actor=None, action=AuditAction.CREATE, obj=booking,
                     after={"service": service.pk, "date": date.isoformat(), "hour": hour},
                     note=f"kelurahan {kelurahan.code}")
        event_publish(channel=queue_channel(kelurahan), kind="booking.created",
                      data={"booking": booking.pk, "service": service.pk, "date": date.isoformat(), "hour": hour})
    return booking


def _save_with_code(booking: Booking) -> Booking:
    for _attempt in range(5):
        booking.code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                booking.save()
            return booking
        except IntegrityError:
            continue
    raise ValidationError(_("Kode pemesanan tidak dapat dibuat; silakan coba lagi."))


def booking_by_code(*, code: str) -> Booking | None:
    code = "".join(code.split()).upper()
    return Booking.objects.select_related("kelurahan__kecamatan__city", "service", "ticket").filter(code=code).first()


def booking_check_in(*, code: str, kelurahan: Kelurahan, actor=None, kiosk: KioskDevice | None = None,
                     now: dt.datetime | None = None):
    """The citizen arrives on the day: the booking becomes a queue ticket (kiosk or desk channel). Without a kiosk
    it is the desk's officer (`actor`), or the system itself (None: the demo)."""
    now = now or timezone.now()
    if kiosk is None and actor is not None and not can_operate_desk(actor, kelurahan):
        raise PermissionDenied(_("Hanya petugas loket Kelurahan %(name)s (atau anjungannya) yang dapat mencatat "
                                 "kehadiran pemesanan.") % {"name": kelurahan.name})
    booking = booking_by_code(code=code)
    if booking is None or booking.kelurahan_id != kelurahan.pk:
        raise ValidationError({"code": _("Kode pemesanan %(code)s tidak ditemukan di Kelurahan %(name)s.")
                                       % {"code": code.strip().upper(), "name": kelurahan.name}}, code="unknown")
    _check_arrival(booking, now)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != BookingStatus.BOOKED:
            raise ValidationError({"code": _closed_reason(locked)}, code="used")
        ticket = services.ticket_issue(kelurahan=kelurahan, service=booking.service, now=now, actor=actor,
                                       channel=TicketChannel.KIOSK if kiosk else TicketChannel.DESK, kiosk=kiosk,
                                       visitor_name=booking.visitor_name)
        locked.status, locked.ticket = BookingStatus.CHECKED_IN, ticket
        locked.save(update_fields=["status", "ticket"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, after={"ticket": ticket.code},
                     note=f"lapor hadir {'anjungan ' + kiosk.name if kiosk else 'loket'}")
        event_publish(channel=queue_channel(kelurahan), kind="booking.checked_in",
                      data={"booking": locked.pk, "ticket": ticket.pk, "code": ticket.code})
    return ticket


def _closed_reason(booking: Booking) -> str:
    if booking.status == BookingStatus.CHECKED_IN:
        return _("Pemesanan %(code)s sudah lapor hadir.") % {"code": booking.code}
    return _("Pemesanan %(code)s sudah dibatalkan.") % {"code": booking.code}


def _check_arrival(booking: Booking, now: dt.datetime) -> None:
    today = local_date(booking.kelurahan.kecamatan.city, now)
    if booking.date != today:
        raise ValidationError({"code": _("Pemesanan %(code)s untuk %(date)s; lapor hadir pada hari itu.")
                                       % {"code": booking.code, "date": date_format(booking.date, "l, j F Y")}},
                              code="not_today")


def booking_cancel(*, booking: Booking, actor=None, now: dt.datetime | None = None) -> Booking:
    """The citizen (holding the code) or the desk gives the place back before the day."""
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("kelurahan").get(pk=booking.pk)
        if locked.status != BookingStatus.BOOKED:
            raise ValidationError(_closed_reason(locked))
        locked.status = BookingStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, after={"status": locked.status})
        event_publish(channel=queue_channel(locked.kelurahan), kind="booking.cancelled",
                      data={"booking": locked.pk})
    return locked


# --- reads ------------------------------------------------------------------------------------------------------


def bookings_of_day(*, kelurahan: Kelurahan, date: dt.date, now: dt.datetime | None = None) -> list[Booking]:
    """The office's bookings of one day, each with `no_show` set."""
    now = now or timezone.now()
    rows = list(Booking.objects.filter(kelurahan=kelurahan, date=date)
                .select_related("service", "ticket", "kelurahan__kecamatan__city").order_by("hour", "pk"))
    for booking in rows:
        booking.no_show = is_no_show(booking, now)
    return rows
