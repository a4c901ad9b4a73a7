import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from satulayar.attendance.choices import (
    CalendarDayKind,
    CommandStatus,
    DayStatus,
    DeviceMode,
    DeviceStatus,
    LeaveKind,
    PullState,
    PunchSource,
    RequestStatus,
    ScheduleKind,
    TppViolation,
)
from satulayar.org.models import City, Employee, Site, Unit


class Device(models.Model):
    """A fingerprint machine speaking the ZKTeco ADMS push protocol, known by its serial number."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="devices")
    serial_number = models.CharField(_("nomor seri"), max_length=64, unique=True)
    name = models.CharField(_("nama"), max_length=120, blank=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="devices",
                             verbose_name=_("lokasi"))
    status = models.CharField(_("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.PENDING)
    push_version = models.CharField(max_length=20, blank=True)
    info = models.JSONField(_("info perangkat"), default=dict, blank=True)
    attlog_stamp = models.CharField(max_length=32, default="0")
    operlog_stamp = models.CharField(max_length=32, default="0")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    # Device clock minus server clock, from the device's own punch times against their receipt (seconds).
    clock_drift_s = models.IntegerField(null=True, blank=True)
    clock_checked_at = models.DateTimeField(null=True, blank=True)
    # Machines without ADMS push are pulled by the server over their TCP port (attendance.pull).
    mode = models.CharField(_("cara terhubung"), max_length=4, choices=DeviceMode.choices, default=DeviceMode.PUSH)
    host = models.CharField(_("alamat IP/host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), default=4370)
    pull_clear = models.BooleanField(_("hapus log mesin setelah ditarik"), default=False)
    pull_state = models.CharField(max_length=8, choices=PullState.choices, default=PullState.NEVER)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_pull_ok_at = models.DateTimeField(null=True, blank=True)
    next_pull_at = models.DateTimeField(null=True, blank=True)
    pull_failures = models.PositiveIntegerField(default=0)
    pull_error = models.CharField(max_length=500, blank=True)
    pull_users = models.PositiveIntegerField(null=True, blank=True)
    pull_records = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["serial_number"]
        verbose_name = _("mesin absensi")
        verbose_name_plural = _("mesin absensi")

    def __str__(self):
        return self.name or self.serial_number

    def clean(self):
        if self.mode == DeviceMode.PULL and not self.host:
            raise ValidationError({"host": _("Mesin yang ditarik server perlu alamat IP atau nama host.")})


class DeviceCommand(models.Model):
    """A command queued for a device; it fetches it with getrequest and reports back through devicecmd."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="commands")
    command = models.CharField(_("perintah"), max_length=500)
    status = models.CharField(max_length=10, choices=CommandStatus.choices, default=CommandStatus.QUEUED)
    return_code = models.IntegerField(null=True, blank=True)
    result = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # What goes on the wire when it carries a biometric template: sealed (core.vault); `command` then shows the
    # command with the template left out. Empty: `command` itself is sent.
    wire_sealed = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # how many times it was handed to the device

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.device} · {self.command}"


class DeviceUpload(models.Model):
    """One POST of a device table: what came in and what became of each line."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="uploads")
    table = models.CharField(max_length=20)
    stamp = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    lines = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line": n, "text": "...", "reason": "..."}]

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.device} {self.table} {self.received_at:%Y-%m-%d %H:%M}"


class PinMapping(models.Model):
    """A device PIN that is not the employee's NIP (enrolment numbers, old machines with short PINs).

    Scoped to one machine, or to every machine of a site, or (neither) to the whole city; a machine's PIN is
    looked up in that order, so PIN 11 on the Dinkes lobby machine and PIN 11 at the Kominfo office can be
    different people.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True, related_name="pin_mappings",
                               verbose_name=_("mesin"))
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("lokasi"))
    pin = models.CharField(_("PIN mesin"), max_length=24)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="pin_mappings")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "pin"], condition=Q(device__isnull=True, site__isnull=True),
                                    name="pin_unique_per_city"),
            models.UniqueConstraint(fields=["site", "pin"], condition=Q(device__isnull=True, site__isnull=False),
                                    name="pin_unique_per_site"),
            models.UniqueConstraint(fields=["device", "pin"], condition=Q(device__isnull=False),
                                    name="pin_unique_per_device"),
        ]

    def __str__(self):
        return f"PIN {self.pin} → {self.employee}"


class DeviceUser(models.Model):
    """A user record a machine holds (its USERINFO table), as it pushed it or as we told it to hold it."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="users")
    pin = models.CharField(_("PIN mesin"), max_length=24)
    name = models.CharField(_("nama"), max_length=100, blank=True)
    privilege = models.SmallIntegerField(default=0)  # 0 user, 14 machine admin
    card = models.CharField(max_length=32, blank=True)
    employee = models.ForeignKey(Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["device", "pin"]
        constraints = [models.UniqueConstraint(fields=["device", "pin"], name="device_user_unique_pin")]

    def __str__(self):
        return f"{self.device} PIN {self.pin}"


class DeviceTemplate(models.Model):
    """A fingerprint, face or other biometric template a machine pushed (FINGERTMP, FACE, BIODATA).

    The template itself is sealed (core.vault, purpose "device-templates") and shown to no one; it only travels
    on to the employee's other machines. A template whose PIN maps to no employee stays pending.
    """

    KINDS = [("finger", _("Sidik jari")), ("face", _("Wajah")), ("bio", _("Biodata lain"))]

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="templates")
    pin = models.CharField(_("PIN mesin"), max_length=24)
    kind = models.CharField(max_length=10, choices=KINDS)
    bio_type = models.SmallIntegerField(default=0)  # BIODATA Type (1 finger, 2 face, 9 palm…); 0 elsewhere
    index = models.SmallIntegerField(default=0)  # FID / No: which finger
    size = models.PositiveIntegerField(default=0)
    sealed = models.TextField()
    employee = models.ForeignKey(Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pending = models.BooleanField(default=False)  # PIN unknown: kept, not sent on
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["device", "pin", "kind", "index"]
        constraints = [models.UniqueConstraint(fields=["device", "pin", "kind", "bio_type", "index"],
                                               name="device_template_unique")]

    def __str__(self):
        return f"{self.device} PIN {self.pin} {self.kind} {self.index}"


class Kiosk(models.Model):
    """A shared tablet at an office door: employees check in on it with their NIP or PIN and a selfie.

    It opens its page by an unguessable link (only the link's hash is kept), no login; its position is its
    site's. Retired kiosks keep their punches and open nothing.
    """

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("lokasi"))
    name = models.CharField(_("nama"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # NIPs and PINs typed here that named no one, counted per minute: a kiosk is not a way to guess NIPs.
    unknown_count = models.PositiveSmallIntegerField(default=0)
    unknown_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("anjungan presensi")
        verbose_name_plural = _("anjungan presensi")

    def __str__(self):
        return self.name


class Punch(models.Model):
    """One recorded moment of presence. Never edited: corrections add punches or exclude with a reason."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="punches",
                                 db_index=False)  # led by the unique key
    at = models.DateTimeField(_("waktu"))
    source = models.CharField(_("sumber"), max_length=12, choices=PunchSource.choices)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="punches")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    device_state = models.SmallIntegerField(null=True, blank=True)  # ADMS status: 0 in, 1 out, … (unreliable)
    verify_mode = models.SmallIntegerField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    altitude_m = models.FloatField(null=True, blank=True)  # as the phone reported it (check-in guards)
    distance_m = models.FloatField(null=True, blank=True)
    selfie = models.FileField(upload_to="selfies/%Y/%m/", null=True, blank=True)
    future_flag = models.BooleanField(_("waktu di masa depan"), default=False)
    excluded = models.BooleanField(_("dikecualikan"), default=False)
    note = models.CharField(_("keterangan"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    # A phone check-in carries a UUID made on the phone: sent again from its offline queue, it is stored once.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    sent_late = models.BooleanField(_("dikirim terlambat"), default=False, db_default=False)
    # A phone check-in whose position looks made up (accuracy exactly the same for days, a speed no one travels):
    # stored, with the reasons here, for the inspectorate.
    position_flag = models.CharField(_("tanda posisi janggal"), max_length=255, blank=True, default="", db_default="")
    kiosk = models.ForeignKey(Kiosk, on_delete=models.PROTECT, null=True, blank=True, related_name="punches")
    # A phone check-in's browser: the keyed hash (core.keyed_hash) of a random id the check-in page keeps, so one
    # phone checking in for several people shows, without a trackable id stored.
    browser = models.CharField(_("peramban (hash)"), max_length=32, blank=True, default="", db_default="")

    class Meta:
        ordering = ["at"]
        verbose_name = _("rekam kehadiran")
        verbose_name_plural = _("rekam kehadiran")
        constraints = [models.UniqueConstraint(fields=["employee", "at", "source"], name="punch_idempotent")]
        indexes = [models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.employee} {self.at:%Y-%m-%d %H:%M} ({self.get_source_display()})"


class CalendarDay(models.Model):
    """A holiday, collective leave or special work day. Seeded from the `holidays` package, editable."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField(_("tanggal"), db_index=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("nama"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("hari kalender")
        verbose_name_plural = _("kalender kerja")
        constraints = [models.UniqueConstraint(fields=["city", "date", "name"], name="calendar_day_unique")]

    def __str__(self):
        return f"{self.date} {self.name}"


class SpecialHours(models.Model):
    """Shorter hours for a period, such as Ramadan, for the whole city."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nama"), max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    friday_end_time = models.TimeField()

    class Meta:
        ordering = ["start_date"]

    def __str__(self):
        return f"{self.name} {self.start_date}–{self.end_date}"


class WorkSchedule(models.Model):
    """A unit's working hours from a date on; the newest one in force applies to the unit and its sub-units."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=ScheduleKind.choices, default=ScheduleKind.FIXED)
    effective_from = models.DateField(_("berlaku mulai"))
    grace_minutes = models.PositiveSmallIntegerField(_("toleransi (menit)"), default=0)

    class Meta:
        ordering = ["unit", "-effective_from"]

    def __str__(self):
        return f"{self.unit} · {self.name} ({self.effective_from})"


class ScheduleDay(models.Model):
    """The hours of one weekday (0 Monday … 6 Sunday) in a fixed schedule; a missing weekday is a day off."""

    schedule = models.ForeignKey(WorkSchedule, on_delete=models.CASCADE, related_name="days")
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        constraints = [models.UniqueConstraint(fields=["schedule", "weekday"], name="schedule_day_unique")]

    def __str__(self):
        return f"{self.schedule} · {self.weekday}"


class Shift(models.Model):
    """One rostered shift of one employee in a 24-hour unit (fire brigade, hospital); may end the next day."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField()
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="shift_unique_per_day")]

    def __str__(self):
        return f"{self.employee} {self.date}"


class LeaveRequest(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="leave_requests")
    kind = models.CharField(_("jenis"), max_length=20, choices=LeaveKind.choices)
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("sampai"))
    reason = models.TextField(_("alasan"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Two-step approval (leave_rules): fixed when asked, so a later change of the city's rule moves no request.
    needs_bkpsdm = models.BooleanField(_("perlu persetujuan BKPSDM"), default=False, db_default=False)
    superior_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    superior_at = models.DateTimeField(null=True, blank=True)  # the direct superior approved; BKPSDM decides next
    superior_note = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("pengajuan cuti/izin")
        verbose_name_plural = _("pengajuan cuti/izin")

    def __str__(self):
        return f"{self.employee} · {self.get_kind_display()} {self.start_date}–{self.end_date}"


def _leave_paper_path(instance, filename: str) -> str:
    """A random name under a folder nobody serves: the papers are read only through `leave_attachment_file`."""
    suffix = ".pdf" if filename.lower().endswith(".pdf") else ".jpg"
    return f"leave-papers/{dt.date.today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class LeaveAttachment(models.Model):
    """A paper of a leave request (surat dokter, surat tugas…): a checked PDF or JPEG, added while it is pending."""

    request = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_leave_paper_path, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("lampiran cuti/izin")
        verbose_name_plural = _("lampiran cuti/izin")

    def __str__(self):
        return self.original_name


class LeaveRule(models.Model):
    """A city's rule for one leave kind: when papers are required and when BKPSDM approves after the superior.

    Each limit is a length in working days: the rule applies to a request longer than it (0: every request;
    empty: never). Kinds without a row follow `leave_rules.DEFAULT_RULES`.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("jenis"), max_length=20, choices=LeaveKind.choices)
    attachment_over_days = models.PositiveSmallIntegerField(_("lampiran wajib bila lebih dari (hari kerja)"),
                                                            null=True, blank=True)
    bkpsdm_over_days = models.PositiveSmallIntegerField(_("persetujuan BKPSDM bila lebih dari (hari kerja)"),
                                                        null=True, blank=True)
    # Cuti tahunan only: the Keppres on cuti bersama ASN since 2021 say it does not; a city may read it otherwise.
    collective_leave_deducted = models.BooleanField(_("cuti bersama mengurangi hak cuti tahunan"), default=False)

    class Meta:
        ordering = ["city", "kind"]
        constraints = [models.UniqueConstraint(fields=["city", "kind"], name="leave_rule_unique")]

    def __str__(self):
        return f"{self.city_id} {self.kind}"


class DailyStatus(models.Model):
    """Derived: one row per employee per work day, rebuilt from punches, calendar, schedule and leave."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="daily_statuses",
                                 db_index=False)  # led by the unique key
    date = models.DateField()
    status = models.CharField(max_length=15, choices=DayStatus.choices)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    first_in = models.DateTimeField(null=True, blank=True)
    last_out = models.DateTimeField(null=True, blank=True)
    late_minutes = models.PositiveIntegerField(default=0)
    early_minutes = models.PositiveIntegerField(default=0)
    missing_out = models.BooleanField(default=False)
    leave = models.ForeignKey(LeaveRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="daily_status_unique")]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self):
        return f"{self.employee} {self.date} {self.get_status_display()}"


class TppRule(models.Model):
    """A deduction of the monthly TPP (Perwali): a share per violation, by its length in minutes."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="tpp_rules")
    violation = models.CharField(_("pelanggaran"), max_length=12, choices=TppViolation.choices)
    min_minutes = models.PositiveIntegerField(_("dari menit"), default=0)
    max_minutes = models.PositiveIntegerField(_("sampai menit"), null=True, blank=True)
    percent = models.DecimalField(_("potongan (%)"), max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        ordering = ["violation", "min_minutes"]

    def __str__(self):
        return f"{self.get_violation_display()} {self.min_minutes}–{self.max_minutes or '…'}: {self.percent}%"


class TppPolicy(models.Model):
    city = models.OneToOneField(City, on_delete=models.CASCADE, related_name="tpp_policy")
    monthly_cap_percent = models.DecimalField(_("batas potongan per bulan (%)"), max_digits=5, decimal_places=2,
                                              default=100)

    def __str__(self):
        return f"{self.city}: {self.monthly_cap_percent}%"


# UnitDay's counters, summed by every reader of history (`rollups.COUNTS`).
UNIT_DAY_COUNTS = ("expected", "present", "late", "late_minutes", "early", "early_minutes", "missing_out", "on_leave",
                   "field_duty", "absent", "not_yet", "day_off_present")


class UnitDay(models.Model):
    """Derived rollup: one unit's day, summed from its staff's DailyStatus rows by `attendance.rollups`.

    The dashboard's history reads these, so their cost grows with the units on screen, not with the years
    behind them. `arrivals` counts present staff by the local minute of their first punch ({"450": 3} is
    three arrivals at 07:30), so "present by this time of day" can be summed without the per-person rows.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+",
                             db_index=False)  # led by the unique key
    date = models.DateField()
    expected = models.PositiveIntegerField(default=0)  # rows with scheduled hours (a work day for them)
    present = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    late_minutes = models.PositiveIntegerField(default=0)
    early = models.PositiveIntegerField(default=0)
    early_minutes = models.PositiveIntegerField(default=0)
    missing_out = models.PositiveIntegerField(default=0)
    on_leave = models.PositiveIntegerField(default=0)
    field_duty = models.PositiveIntegerField(default=0)  # dinas luar (counted in on_leave too)
    absent = models.PositiveIntegerField(default=0)  # TK
    not_yet = models.PositiveIntegerField(default=0)
    day_off_present = models.PositiveIntegerField(default=0)  # punched on a day off (libur)
    arrivals = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="unit_day_unique")]
        # Covering on PostgreSQL: history sums the counters from the index alone, never reading the rows with
        # their arrivals (nine tenths of a row's bytes). SQLite builds it without INCLUDE.
        indexes = [models.Index(fields=["date", "unit"], name="unit_day_date_counts", include=UNIT_DAY_COUNTS)]

    def __str__(self):
        return f"{self.unit_id} {self.date}: {self.present}/{self.expected}"


class OpenDay(models.Model):
    """A city's day whose statuses and unit rows were opened for every scheduled employee (`status.day_open`):
    from then on punches, leave and corrections add their difference to them, and readers only read them."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "date"], name="open_day_unique")]

    def __str__(self):
        return f"{self.city_id} {self.date}"
