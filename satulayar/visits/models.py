import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from satulayar.org.models import City, Kelurahan
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel, TicketStatus


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

    class Meta:
        ordering = ["date", "prefix", "number"]
        verbose_name = _("tiket antrean")
        verbose_name_plural = _("tiket antrean")
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "date", "prefix", "number"], name="ticket_number_unique"),
        ]
        indexes = [models.Index(fields=["kelurahan", "date", "status"]), models.Index(fields=["date"])]

    def __str__(self):
        return self.code

    @property
    def code(self) -> str:
        return f"{self.prefix}-{self.number:03d}"


class Rating(models.Model):
    """The citizen's IKM survey for one ticket: nine elements scored 1 (tidak baik) to 4 (sangat baik)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    comment = models.TextField(_("saran dan masukan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
