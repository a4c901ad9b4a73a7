from django.db import models
from django.utils.translation import gettext_lazy as _

from satulayar.org.choices import Role


class SourceKind(models.TextChoices):
    SNAPSHOT = "snapshot", _("Snapshot HTTP (JPEG)")
    MJPEG = "mjpeg", _("Aliran MJPEG")
    RTSP = "rtsp", _("Aliran RTSP")


class Placement(models.TextChoices):
    SERVICE_AREA = "service_area", _("Ruang layanan kelurahan")
    ENTRANCE = "entrance", _("Pintu masuk kantor")
    PUBLIC_SPACE = "public_space", _("Ruang publik")


class Health(models.TextChoices):
    UNKNOWN = "unknown", _("Belum diperiksa")
    ONLINE = "online", _("Daring")
    OFFLINE = "offline", _("Luring")

    @property
    def colour(self) -> str:
        return {"unknown": "secondary", "online": "green", "offline": "red"}[self.value]


VIEWER_ROLE_CHOICES = [(role.value, role.label) for role in Role if role != Role.EMPLOYEE]
DEFAULT_VIEWER_ROLES = (Role.EXECUTIVE, Role.COMMAND_CENTRE, Role.KELURAHAN_OFFICER, Role.UNIT_ADMIN)
# These see frames as they are; every other viewer sees the camera's privacy regions blurred.
UNBLURRED_ROLES = frozenset({Role.EXECUTIVE, Role.COMMAND_CENTRE})
