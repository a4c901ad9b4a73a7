from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectorKind(models.TextChoices):
    REST = "rest", _("Tarik REST/JSON terjadwal")
    WEBHOOK = "webhook", _("Kiriman webhook bertanda tangan")
    UPLOAD = "upload", _("Unggah CSV/XLSX")
    SQL = "sql", _("Kueri SQL baca-saja terjadwal")

    @property
    def icon(self) -> str:
        return {"rest": "download", "webhook": "bell", "upload": "edit", "sql": "database"}[self.value]

    @property
    def scheduled(self) -> bool:
        return self.value in ("rest", "sql")


class AuthKind(models.TextChoices):
    NONE = "none", _("Tanpa autentikasi")
    API_KEY = "api_key", _("Kunci API di header")
    BASIC = "basic", _("HTTP Basic (nama pengguna dan kata sandi)")
    BEARER = "bearer", _("Token Bearer")


class Pagination(models.TextChoices):
    NONE = "none", _("Tanpa halaman")
    PAGE = "page", _("Nomor halaman (?page=1, 2, …) sampai halaman kosong")
    NEXT = "next", _("Tautan halaman berikutnya di jawaban")


class DimensionKind(models.TextChoices):
    NONE = "none", _("Tanpa rincian (total kota)")
    KELURAHAN = "kelurahan", _("Per kelurahan")
    UNIT = "unit", _("Per unit kerja")
    TEXT = "text", _("Per kategori bebas (mis. pos pantau)")


class Granularity(models.TextChoices):
    HOUR = "hour", _("Per jam")
    DAY = "day", _("Per hari")
    MONTH = "month", _("Per bulan")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Jumlah")
    AVG = "avg", _("Rata-rata")
    MAX = "max", _("Maksimum")
    MIN = "min", _("Minimum")
    LAST = "last", _("Nilai terakhir")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("Waktu nyata")
    HOURLY = "hourly", _("Setiap jam")
    DAILY = "daily", _("Harian")
    WEEKLY = "weekly", _("Mingguan")
    MONTHLY = "monthly", _("Bulanan")
    YEARLY = "yearly", _("Tahunan")

    @property
    def stale_after_minutes(self) -> int:
        """How long without a successful update before a source counts as stale: the period plus slack."""
        return {"realtime": 30, "hourly": 3 * 60, "daily": 36 * 60, "weekly": 9 * 24 * 60,
                "monthly": 35 * 24 * 60, "yearly": 400 * 24 * 60}[self.value]


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("Creative Commons Atribusi 4.0")
    CC0 = "CC0-1.0", _("Domain publik (CC0 1.0)")
    ODBL = "ODbL-1.0", _("Open Database License 1.0")
    INTERNAL = "internal", _("Internal pemerintah kota (tidak terbuka)")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Antre")
    RUNNING = "running", _("Berjalan")
    SUCCESS = "success", _("Berhasil")
    PARTIAL = "partial", _("Sebagian ditolak")
    FAILED = "failed", _("Gagal")
    REFUSED = "refused", _("Kiriman ditolak")

    @property
    def colour(self) -> str:
        return {"queued": "secondary", "running": "blue", "success": "green", "partial": "yellow",
                "failed": "red", "refused": "orange"}[self.value]


FINISHED_STATUSES = (RunStatus.SUCCESS, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.REFUSED)


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Jadwal")
    MANUAL = "manual", _("Dijalankan admin")
    RETRY = "retry", _("Ulangan otomatis")
    WEBHOOK = "webhook", _("Webhook")
    UPLOAD = "upload", _("Unggahan")
    BACKFILL = "backfill", _("Isi riwayat")


class Health(models.TextChoices):
    FRESH = "fresh", _("Segar")
    STALE = "stale", _("Basi")
    FAILING = "failing", _("Gagal")

    @property
    def colour(self) -> str:
        return {"fresh": "green", "stale": "yellow", "failing": "red"}[self.value]


class ApiScope(models.TextChoices):
    ATTENDANCE = "attendance", _("Rekap kehadiran harian per unit")
    VISITS = "visits", _("Kunjungan kelurahan per hari")
    INDICATORS = "indicators", _("Nilai indikator")
