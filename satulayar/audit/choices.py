from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tambah")
    UPDATE = "update", _("Ubah")
    DELETE = "delete", _("Hapus")
    CORRECT = "correct", _("Koreksi")
    VIEW = "view", _("Lihat")
    LOGIN = "login", _("Masuk")
    LOGIN_FAILED = "login_failed", _("Gagal masuk")
    LOGOUT = "logout", _("Keluar")

    @property
    def colour(self) -> str:
        return {"create": "green", "update": "blue", "delete": "red", "correct": "orange",
                "view": "secondary", "login_failed": "red"}.get(self.value, "secondary")
