from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    ATTENDANCE_LOW = "attendance_low", _("Kehadiran unit di bawah ambang")
    QUEUE_LONG = "queue_long", _("Antrean kelurahan terlalu panjang")
    WAIT_LONG = "wait_long", _("Waktu tunggu melewati batas")
    CAMERA_OFFLINE = "camera_offline", _("Kamera mati")
    CONNECTOR_STALE = "connector_stale", _("Konektor data tidak segar")
    CROWD_MISMATCH = "crowd_mismatch", _("Pengunjung di kamera jauh melebihi tiket")
    DWELL_LONG = "dwell_long", _("Orang terlalu lama di area tunggu (kamera)")

    @property
    def threshold_label(self) -> str:
        return str({
            "attendance_low": _("Kehadiran minimum (%)"),
            "queue_long": _("Jumlah menunggu maksimum"),
            "wait_long": _("Tunggu terlama maksimum (menit)"),
            "camera_offline": _("Mati selama (menit)"),
            "connector_stale": _("Tidak dipakai"),
            "crowd_mismatch": _("Tidak dipakai (ditandai oleh modul CCTV)"),
            "dwell_long": _("Median lama di area tunggu, satu jam terakhir (menit)"),
        }[self.value])

    @property
    def icon(self) -> str:
        return {"attendance_low": "users", "queue_long": "building-community", "wait_long": "clock",
                "camera_offline": "video-off", "connector_stale": "database",
                "crowd_mismatch": "alert-triangle", "dwell_long": "history"}[self.value]


DEFAULT_THRESHOLDS = {"attendance_low": 80, "queue_long": 15, "wait_long": 45, "camera_offline": 10,
                      "connector_stale": 0, "crowd_mismatch": 0, "dwell_long": 45}


class AlertState(models.TextChoices):
    OPEN = "open", _("Terbuka")
    ACKNOWLEDGED = "acknowledged", _("Diketahui")
    RESOLVED = "resolved", _("Selesai")

    @property
    def colour(self) -> str:
        return {"open": "red", "acknowledged": "orange", "resolved": "green"}[self.value]


class MapMetric(models.TextChoices):
    VISITS = "visits", _("Kunjungan hari ini")
    WAIT = "wait", _("Median waktu tunggu (menit)")
    IKM = "ikm", _("IKM (30 hari)")
    ATTENDANCE = "attendance", _("Kehadiran kantor kelurahan (%)")
