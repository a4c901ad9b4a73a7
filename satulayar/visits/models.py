import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from satulayar.org.models import City, Kelurahan
from satulayar.visits.choices import IKM_ELEMENTS, BookingStatus, TicketChannel, TicketResult, TicketStatus


def public_token() -> str:
    return secrets.token_urlsafe(12)


class Service(models.Model):
    """A service the kelurahan front office gives, from the city catalogue."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(_("kode"), max_length=30)
    prefix = models.CharField(_("awalan nomor antrean"), max_length=2,
                              validators=[RegexValidator(r"^[A-Z]{1,2}$", _("Awalan berupa 1–2 huruf kapital."))])
    name = models.CharField(_("nama layanan"), max_length=150)
    requirements = models.TextField(_("persyaratan"), blank=True)
    sla_minutes = models.PositiveIntegerField(_("target waktu layanan (menit)"), default=15,
                                              validators=[MinValueValidator(1)])
    active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("layanan")
        verbose_name_plural = _("katalog layanan")
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="service_code_unique_per_city")]

    def __str__(self):
        return self.name


class ServiceOverride(models.Model):
    """A kelurahan's own variant of a catalogue service: switched off, other requirements or target time."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="service_overrides")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="overrides")
    active = models.BooleanField(_("aktif"), default=True)
    requirements = models.TextField(_("persyaratan"), blank=True)
    sla_minutes = models.PositiveIntegerField(_("target waktu layanan (menit)"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kelurahan", "service"], name="service_override_unique")]

    def __str__(self):
        return f"{self.service} @ {self.kelurahan}"


class ServiceOutcome(models.Model):
    """One thing the desk produces for a service (a KTP-el recording, a KK change, a cover letter, …)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="outcomes")
    name = models.CharField(_("hasil layanan"), max_length=120)
    active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "order", "name"]
        verbose_name = _("hasil layanan")
        verbose_name_plural = _("hasil layanan")
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="service_outcome_unique")]

    def __str__(self):
        return self.name


class PriorityGroup(models.Model):
    """A priority group a city adds to the standard ones (lansia, disabilitas, ibu hamil)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=80)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("kelompok prioritas")
        verbose_name_plural = _("kelompok prioritas")
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="priority_group_unique")]

    def __str__(self):
        return self.name


class OfficeHours(models.Model):
    """A kelurahan's own opening hours on one weekday (0 Monday); without rows the city's default hours hold."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(_("hari"), validators=[MaxValueValidator(6)])
    opens = models.TimeField(_("buka"))
    closes = models.TimeField(_("tutup"))

    class Meta:
        ordering = ["kelurahan", "weekday"]
        verbose_name = _("jam layanan")
        verbose_name_plural = _("jam layanan")
        constraints = [models.UniqueConstraint(fields=["kelurahan", "weekday"], name="office_hours_unique"),
                       models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="office_hours_forward")]

    def __str__(self):
        return f"{self.kelurahan} {self.weekday} {self.opens:%H:%M}–{self.closes:%H:%M}"


class BookingCapacity(models.Model):
    """How many bookings one service takes in one local hour of a kelurahan's day."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    hour = models.PositiveSmallIntegerField(_("jam"), validators=[MaxValueValidator(23)])
    capacity = models.PositiveSmallIntegerField(_("kuota"))

    class Meta:
        verbose_name = _("kuota pemesanan")
        verbose_name_plural = _("kuota pemesanan")
        constraints = [models.UniqueConstraint(fields=["kelurahan", "service", "hour"], name="booking_capacity_unique")]

    def __str__(self):
        return f"{self.service} {self.hour}:00 × {self.capacity}"


class KioskDevice(models.Model):
    """A registered office kiosk: opens its page by an unguessable link (only its hash is kept), no login."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="kiosks")
    name = models.CharField(_("nama"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("aktif"), default=True)
    roll_mm = models.PositiveSmallIntegerField(_("lebar kertas (mm)"), default=58,
                                               choices=[(58, "58 mm"), (80, "80 mm")])
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("anjungan tiket")
        verbose_name_plural = _("anjungan tiket")

    def __str__(self):
        return self.name


class Counter(models.Model):
    """A service desk (loket) in a kelurahan office."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("nomor loket"))
    name = models.CharField(_("nama"), max_length=60, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["kelurahan", "number"]
        constraints = [models.UniqueConstraint(fields=["kelurahan", "number"], name="counter_unique")]

    def __str__(self):
        return self.name or f"Loket {self.number}"


class TicketSequence(models.Model):
    """The last number given per kelurahan, day and prefix; locked while a ticket is issued."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    prefix = models.CharField(max_length=2)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kelurahan", "date", "prefix"], name="ticket_sequence_unique")]

    def __str__(self):
        return f"{self.kelurahan} {self.date} {self.prefix}: {self.last_number}"


# issued <= queued <= called <= serving <= finished: a later step never carries an earlier time.
TIMES_FORWARD = (Q(queued_at__gte=F("issued_at"))
                 & (Q(called_at__isnull=True) | Q(called_at__gte=F("queued_at")))
                 & (Q(serving_at__isnull=True) | Q(called_at__isnull=False, serving_at__gte=F("called_at")))
                 & (Q(finished_at__isnull=True)
                    | Q(finished_at__gte=Coalesce(F("serving_at"), F("called_at"), F("queued_at")))))


class Ticket(models.Model):
    """One visit: a queue ticket from issue to finish. Visitor details are optional (privacy by default)."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="tickets",
                                  db_index=False)  # led by the unique keys
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
    date = models.DateField(_("tanggal"))  # the office's local date
    prefix = models.CharField(max_length=2)
    number = models.PositiveIntegerField(_("nomor"))
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    channel = models.CharField(_("saluran"), max_length=10, choices=TicketChannel.choices, default=TicketChannel.DESK)
    visitor_name = models.CharField(_("nama pengunjung"), max_length=120, blank=True)
    visitor_nik = models.CharField(_("NIK pengunjung"), max_length=16, blank=True)
    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    issued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    serving_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=32, unique=True, default=public_token, editable=False)
    issued_by_ip = models.GenericIPAddressField(null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    queued_at = models.DateTimeField()  # when it joined its present service's queue: issue, or its last transfer
    priority = models.CharField(_("prioritas"), max_length=30, blank=True)
    transfers = models.PositiveSmallIntegerField(_("dipindahkan"), default=0)
    result = models.CharField(_("hasil"), max_length=10, choices=TicketResult.choices, blank=True)
    outcome = models.ForeignKey(ServiceOutcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kiosk = models.ForeignKey(KioskDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    browser = models.CharField(max_length=64, blank=True)  # hash of the public page's browser token
    prints = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["date", "prefix", "number"]
        verbose_name = _("tiket antrean")
        verbose_name_plural = _("tiket antrean")
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "date", "prefix", "number"], name="ticket_number_unique"),
            models.CheckConstraint(condition=TIMES_FORWARD, name="ticket_times_forward"),
        ]
        indexes = [models.Index(fields=["kelurahan", "date", "status"]), models.Index(fields=["date"])]

    def __str__(self):
        return self.code

    @property
    def code(self) -> str:
        return f"{self.prefix}-{self.number:03d}"


class TicketStep(models.Model):
    """A step of a ticket before it was transferred: the service and counter, and the time in each state."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="steps")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    queued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    serving_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["ticket", "queued_at", "pk"]

    def __str__(self):
        return f"{self.ticket} {self.service}"


class Booking(models.Model):
    """A slot booked for a later day: one service in one local hour, checked in for a ticket on the day."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    date = models.DateField(_("tanggal"))
    hour = models.PositiveSmallIntegerField(_("jam"), validators=[MaxValueValidator(23)])
    code = models.CharField(_("kode pemesanan"), max_length=8, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    visitor_name = models.CharField(_("nama"), max_length=120, blank=True)
    ticket = models.OneToOneField(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="booking")
    browser = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "hour", "pk"]
        verbose_name = _("pemesanan")
        verbose_name_plural = _("pemesanan")
        indexes = [models.Index(fields=["kelurahan", "date", "service", "hour"])]

    def __str__(self):
        return self.code


RATING_ADDRESS_PURPOSE = "rating.address"  # the keyed hash's purpose (core.keyed_hash) for Rating.address


class Rating(models.Model):
    """The citizen's IKM survey for one ticket: nine elements scored 1 (tidak baik) to 4 (sangat baik)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    comment = models.TextField(_("saran dan masukan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The keyed hash (core.keyed_hash) of the address the survey came from: many perfect surveys from one address
    # show, without the address stored.
    address = models.CharField(_("alamat pengirim (hash)"), max_length=32, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("penilaian IKM")
        verbose_name_plural = _("penilaian IKM")

    def __str__(self):
        return f"IKM {self.ticket}"

    @property
    def scores(self) -> list[int]:
        return [getattr(self, code) for code, _label in IKM_ELEMENTS]


for _code, _label in IKM_ELEMENTS:
    Rating.add_to_class(_code, models.PositiveSmallIntegerField(
        _label, validators=[MinValueValidator(1), MaxValueValidator(4)]))


class KelurahanHour(models.Model):
    """Derived rollup: one kelurahan's tickets of one service issued in one local hour of one day.

    Written by `visits.rollups` whenever a ticket of that day changes; the dashboard's and open data's counts over
    date ranges read these (units × days × hours, not tickets). Durations are kept as sums and counts of whole
    milliseconds (means add up); medians and p90 are not additive and are read from the range's tickets.
    """

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)  # led by the unique key
    date = models.DateField()  # the office's local date
    hour = models.PositiveSmallIntegerField()  # local hour of issue, 0–23
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    issued = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)  # still waiting, called or being served
    sla_breaches = models.PositiveIntegerField(default=0)
    wait_count = models.PositiveIntegerField(default=0)
    wait_ms = models.BigIntegerField(default=0)
    service_count = models.PositiveIntegerField(default=0)
    service_ms = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kelurahan", "date", "hour", "service"],
                                               name="kelurahan_hour_unique")]
        indexes = [models.Index(fields=["date", "kelurahan"])]

    def __str__(self):
        return f"{self.kelurahan_id} {self.date} {self.hour}:00 {self.service_id}: {self.issued}"
