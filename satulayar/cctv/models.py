from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from satulayar.cctv.choices import Health, Placement, SourceKind
from satulayar.org.models import City, Kelurahan, Site


class Camera(models.Model):
    """A camera at a site. Credentials are kept encrypted (see crypto.py); the URL carries none."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="cameras")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="cameras", verbose_name=_("lokasi"))
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="cameras")  # copied from the site, for scoped queries
    name = models.CharField(_("nama kamera"), max_length=120)
    placement = models.CharField(_("penempatan"), max_length=20, choices=Placement.choices,
                                 default=Placement.SERVICE_AREA)
    source_kind = models.CharField(_("jenis sumber"), max_length=10, choices=SourceKind.choices,
                                   default=SourceKind.SNAPSHOT)
    url = models.CharField(_("alamat sumber (URL)"), max_length=500)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    location = models.CharField(_("posisi kamera"), max_length=200, blank=True)
    viewer_roles = models.CharField(_("peran yang boleh melihat"), max_length=200, editable=False)  # ",a,b,"
    interval_s = models.PositiveIntegerField(_("selang pengambilan (detik)"), default=15,
                                             validators=[MinValueValidator(2), MaxValueValidator(3600)])
    zone = models.JSONField(_("area tunggu"), default=list, blank=True)  # [[x, y], ...] as fractions of the image
    blur_regions = models.JSONField(_("area disamarkan"), default=list, blank=True)  # [[x, y, w, h], ...] fractions
    active = models.BooleanField(_("aktif"), default=True)

    health = models.CharField(_("kondisi"), max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_frame_at = models.DateTimeField(_("gambar terakhir"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=255, blank=True)
    failures = models.PositiveIntegerField(default=0)  # consecutive failed grabs
    people_now = models.PositiveIntegerField(_("orang menunggu"), null=True, blank=True)  # the debounced count
    people_pending = models.PositiveIntegerField(null=True, blank=True)
    people_pending_frames = models.PositiveIntegerField(default=0)
    poll_owner = models.CharField(max_length=120, blank=True, editable=False)  # "host:pid" of the poller grabbing it
    poll_lease_until = models.DateTimeField(null=True, blank=True, editable=False)  # until then no other poller may
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kamera")
        verbose_name_plural = _("kamera")
        indexes = [models.Index(fields=["city", "active"]), models.Index(fields=["kelurahan"])]

    def __str__(self):
        return self.name

    @property
    def viewer_role_list(self) -> list[str]:
        return [role for role in self.viewer_roles.split(",") if role]

    @property
    def health_colour(self) -> str:
        return Health(self.health).colour


class Frame(models.Model):
    """A stored snapshot and its thumbnail (paths under MEDIA_ROOT); pruned by age and total size."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="frames")
    taken_at = models.DateTimeField(_("waktu"), db_index=True)
    path = models.CharField(max_length=255)
    thumbnail_path = models.CharField(max_length=255)
    size_bytes = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    people_raw = models.PositiveIntegerField(null=True, blank=True)  # detections in the zone in this frame

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["camera", "-taken_at"])]

    def __str__(self):
        return f"{self.camera} {self.taken_at:%Y-%m-%d %H:%M:%S}"


class PeopleCount(models.Model):
    """One counted frame: what the detector saw in the zone (raw) and the debounced count then."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="counts")
    at = models.DateTimeField()
    raw = models.PositiveIntegerField()
    people = models.PositiveIntegerField()

    class Meta:
        ordering = ["at"]
        indexes = [models.Index(fields=["camera", "at"])]

    def __str__(self):
        return f"{self.camera_id} {self.at:%Y-%m-%d %H:%M:%S}: {self.people}"


class PeopleHourly(models.Model):
    """The counts rolled up per camera and clock hour (UTC start), kept after the per-frame rows are pruned."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="hourly")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    hour = models.DateTimeField()
    samples = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    peak = models.PositiveIntegerField(default=0)
    dwell_count = models.PositiveIntegerField(default=0)  # people who left the zone in this hour
    dwell_median_s = models.FloatField(null=True, blank=True)
    dwell_p90_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["hour"]
        constraints = [models.UniqueConstraint(fields=["camera", "hour"], name="people_hourly_unique")]
        indexes = [models.Index(fields=["kelurahan", "hour"])]

    def __str__(self):
        return f"{self.camera_id} {self.hour:%Y-%m-%d %H}: {self.average:.1f}"

    @property
    def average(self) -> float:
        return self.total / self.samples if self.samples else 0.0


class DwellSample(models.Model):
    """How long one tracked person stayed in a camera's zone (tracking.py), kept to compute the hour's median
    and p90 and pruned with the per-frame counts."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="dwells")
    left_at = models.DateTimeField()
    seconds = models.FloatField(validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["left_at"]
        indexes = [models.Index(fields=["camera", "left_at"])]

    def __str__(self):
        return f"{self.camera_id} {self.left_at:%Y-%m-%d %H:%M:%S}: {self.seconds:.0f} s"


class PollerSeen(models.Model):
    """A running camera poller ("host:pid") and when it last said so; the pollers alive share the cameras."""

    owner = models.CharField(max_length=120, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return self.owner
