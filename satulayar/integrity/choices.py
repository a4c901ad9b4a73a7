from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingStatus(models.TextChoices):
    NEW = "baru", _("Baru")
    REVIEWED = "ditinjau", _("Ditinjau")
    CONFIRMED = "benar", _("Benar")
    REJECTED = "keliru", _("Keliru")

    @property
    def colour(self) -> str:
        return {"baru": "blue", "ditinjau": "yellow", "benar": "red", "keliru": "secondary"}[self.value]


class Domain(models.TextChoices):
    ATTENDANCE = "kehadiran", _("Kehadiran")
    SIDAK = "sidak", _("Sidak")
    DESKS = "loket", _("Loket layanan")
    CAMERAS = "kamera", _("Kamera")
