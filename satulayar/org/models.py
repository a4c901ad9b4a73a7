import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from satulayar.core.time import zone_named
from satulayar.org.choices import RANK_CHOICES, EmploymentType, Role, Sex, SiteKind, UnitKind
from satulayar.org.identity import mask_nik, validate_nik, validate_nip_for

city_code_validator = RegexValidator(r"^\d{2}\.\d{2}$", _("Kode kota harus berbentuk 99.99 (Kemendagri)."))
kecamatan_code_validator = RegexValidator(r"^\d{2}\.\d{2}\.\d{2}$", _("Kode kecamatan harus berbentuk 99.99.99."))
kelurahan_code_validator = RegexValidator(
    r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", _("Kode kelurahan harus berbentuk 99.99.99.9999.")
)
latitude = [MinValueValidator(-90), MaxValueValidator(90)]
longitude = [MinValueValidator(-180), MaxValueValidator(180)]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Zona waktu %(tz)s tidak dikenal."), params={"tz": value})


class City(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("nama"), max_length=100)
    code = models.CharField(_("kode wilayah"), max_length=5, unique=True, validators=[city_code_validator])
    province = models.CharField(_("provinsi"), max_length=100, blank=True)
    timezone = models.CharField(_("zona waktu"), max_length=64, default="Asia/Makassar",
                                validators=[validate_timezone])
    centroid_lat = models.FloatField(null=True, blank=True, validators=latitude)
    centroid_lon = models.FloatField(null=True, blank=True, validators=longitude)

    class Meta:
        verbose_name = _("kota")
        verbose_name_plural = _("kota")

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The city's time zone (core/time.py has its local date and midnights)."""
        return zone_named(self.timezone)


class Kecamatan(models.Model):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="kecamatan")
    code = models.CharField(_("kode wilayah"), max_length=8, unique=True, validators=[kecamatan_code_validator])
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self):
        return self.name

    def clean(self):
        if self.city_id and self.code and not self.code.startswith(self.city.code + "."):
            raise ValidationError({"code": gettext("Kode %(code)s berada di luar %(city)s (%(city_code)s).")
                                   % {"code": self.code, "city": self.city, "city_code": self.city.code}})


class Kelurahan(models.Model):
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan")
    code = models.CharField(_("kode wilayah"), max_length=13, unique=True, validators=[kelurahan_code_validator])
    name = models.CharField(_("nama"), max_length=100)
    centroid_lat = models.FloatField(null=True, blank=True, validators=latitude)
    centroid_lon = models.FloatField(null=True, blank=True, validators=longitude)
    boundary = models.JSONField(_("batas wilayah (GeoJSON)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kecamatan_id and self.code and not self.code.startswith(self.kecamatan.code + "."):
            raise ValidationError({"code": gettext(
                "Kode %(code)s berada di luar Kecamatan %(kecamatan)s (%(kec_code)s) di %(city)s."
            ) % {"code": self.code, "kecamatan": self.kecamatan, "kec_code": self.kecamatan.code,
                 "city": self.kecamatan.city}})


def _roots_paths(roots) -> list[str]:
    if isinstance(roots, (str, Unit)):
        roots = [roots]
    return [root.path if isinstance(root, Unit) else root for root in roots]


def subtree_q(roots, via: str = "", field: str = "path") -> Q:
    """Rows inside the subtrees of `roots` (a unit, a unit path, or several): the units themselves, or with
    `via` ("unit", "employee__unit") the rows of another model whose unit is in them, or with `field` a model
    that keeps a copy of the path (the audit's `unit_path`). None given: nothing."""
    lookup = f"{via}__{field}__startswith" if via else f"{field}__startswith"
    q = Q(pk__in=[])
    for path in _roots_paths(roots):
        q |= Q(**{lookup: path})
    return q


class UnitQuerySet(models.QuerySet):
    def subtree(self, roots) -> "UnitQuerySet":
        """The units inside the subtrees of `roots` (a unit, a path, or several), the roots included."""
        return self.filter(subtree_q(roots))


class Unit(models.Model):
    """An SKPD or a part of one. `path` holds the ids from the root, so a subtree is one prefix query.

    The path's format stays inside org: elsewhere use `Unit.objects.subtree(...)`, `subtree_q(..., via=...)`,
    `unit.ancestor_ids`, `Unit.ids_in_path(path)` and `unit.is_descendant_of(other)`."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("unit induk"))
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=60, blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=UnitKind.choices)
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="offices")
    head = models.ForeignKey("Employee", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("kepala unit"))
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    active = models.BooleanField(_("aktif"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="unit_code_unique_per_city")]

    def __str__(self):
        return self.short_name or self.name

    @property
    def label(self) -> str:
        """A short name that still says which SKPD a "Sekretariat" or "Bidang Umum" belongs to."""
        own = self.short_name or self.name
        if self.parent_id and self.kind in (UnitKind.SEKRETARIAT, UnitKind.BIDANG, UnitKind.BAGIAN):
            return f"{own} · {self.parent.short_name or self.parent.name}"
        return own

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_descendant_of(self, other: "Unit") -> bool:
        """Inside `other`'s subtree (a unit is inside its own)."""
        return other.contains_path(self.path)

    def contains_path(self, path: str) -> bool:
        """Is the unit with this path (as read from `unit__path` in a values() row) inside this subtree?"""
        return bool(self.path) and path.startswith(self.path)

    @staticmethod
    def ids_in_path(path: str) -> list[int]:
        """The unit ids of a path (as read from `unit__path` in a values() row): the root first, the unit last."""
        return [int(part) for part in path.strip("/").split("/") if part]

    @property
    def ancestor_ids(self) -> list[int]:
        """The ids from the root down to this unit, itself included."""
        return self.ids_in_path(self.path) or ([self.pk] if self.pk else [])

    def clean(self):
        errors = {}
        if self.parent_id:
            if self.pk and (self.parent_id == self.pk or self.parent.path.startswith(self.path)):
                errors["parent"] = gettext("%(parent)s berada di bawah %(unit)s; unit tidak dapat menjadi "
                                           "induk atau leluhurnya sendiri.") % {"parent": self.parent,
                                                                                 "unit": self}
            elif self.city_id and self.parent.city_id != self.city_id:
                errors["parent"] = gettext("Unit induk harus berada di kota yang sama.")
        if self.kind == UnitKind.KELURAHAN and not self.kelurahan_id:
            errors["kelurahan"] = gettext("Kantor kelurahan harus menunjuk kelurahannya.")
        if self.kelurahan_id and self.city_id and self.kelurahan.kecamatan.city_id != self.city_id:
            errors["kelurahan"] = gettext("Kelurahan %(kel)s berada di luar kota unit ini.") % {
                "kel": self.kelurahan}
        if errors:
            raise ValidationError(errors)


class Employee(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit kerja"))
    nip = models.CharField(_("NIP"), max_length=18, unique=True, null=True, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    name = models.CharField(_("nama lengkap"), max_length=150)
    employment_type = models.CharField(_("status kepegawaian"), max_length=10, choices=EmploymentType.choices,
                                       default=EmploymentType.PNS)
    rank = models.CharField(_("golongan"), max_length=10, choices=RANK_CHOICES, blank=True)
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    appointed_on = models.DateField(_("TMT pengangkatan"), null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="employee", verbose_name=_("akun"))
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self):
        return self.name

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    def clean_fields(self, exclude=None):
        # Before the length checks, so a NIP pasted with a trailing space gets its real verdict.
        self.nip = (self.nip or "").strip() or None
        self.nik = (self.nik or "").strip()
        super().clean_fields(exclude)

    def clean(self):
        """Checks the identity numbers and fills what the NIP tells (birth date, sex, appointment)."""
        errors = {}
        try:
            info = validate_nip_for(self.nip or "", self.employment_type)
        except ValidationError as exc:
            errors["nip"] = exc.messages
        else:
            if info:
                self.birth_date, self.sex = info.birth_date, info.sex
                self.appointed_on = dt.date(info.appointment_year, info.appointment_month or 1, 1)
        if self.nik:
            try:
                validate_nik(self.nik)
            except ValidationError as exc:
                errors["nik"] = exc.messages
        if self.rank and self.employment_type == EmploymentType.NON_ASN:
            errors["rank"] = [gettext("Pegawai non-ASN tidak memiliki golongan.")]
        if errors:
            raise ValidationError(errors)


class RoleAssignment(models.Model):
    """A role given to a login. City-wide roles carry no unit; unit admins a unit; officers a kelurahan."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("unit kerja"))
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("penugasan peran")
        verbose_name_plural = _("penugasan peran")

    def __str__(self):
        where = self.unit or self.kelurahan or self.city
        return f"{self.get_role_display()} — {where}"

    def clean(self):
        errors = {}
        if self.role == Role.EMPLOYEE:
            errors["role"] = gettext("Peran pegawai melekat pada data pegawai yang terhubung ke akun.")
        if self.role == Role.UNIT_ADMIN and not self.unit_id:
            errors["unit"] = gettext("Admin unit kerja harus ditugaskan pada satu unit.")
        if self.role == Role.KELURAHAN_OFFICER and not self.kelurahan_id:
            errors["kelurahan"] = gettext("Petugas kelurahan harus ditugaskan pada satu kelurahan.")
        if self.role not in (Role.UNIT_ADMIN,) and self.unit_id:
            errors["unit"] = gettext("Peran ini berlaku untuk seluruh kota atau satu kelurahan, bukan unit.")
        if self.role != Role.KELURAHAN_OFFICER and self.kelurahan_id:
            errors["kelurahan"] = gettext("Hanya petugas kelurahan yang ditugaskan pada kelurahan.")
        if self.unit_id and self.city_id and self.unit.city_id != self.city_id:
            errors["unit"] = gettext("Unit berada di luar kota ini.")
        if errors:
            raise ValidationError(errors)


class Site(models.Model):
    """An office or public place with a position and a geofence radius (for check-in and cameras)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=SiteKind.choices, default=SiteKind.OFFICE)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="sites")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True, related_name="sites")
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    lat = models.FloatField(_("lintang"), validators=latitude)
    lon = models.FloatField(_("bujur"), validators=longitude)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=100,
                                           validators=[MinValueValidator(10), MaxValueValidator(5000)])

    class Meta:
        ordering = ["name"]
        verbose_name = _("lokasi")
        verbose_name_plural = _("lokasi")

    def __str__(self):
        return self.name
