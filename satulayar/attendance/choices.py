from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    BLOCKED = "blocked", _("Diblokir")


class DeviceMode(models.TextChoices):
    PUSH = "push", _("Kirim sendiri (ADMS)")
    PULL = "pull", _("Ditarik server (TCP 4370)")


class PullState(models.TextChoices):
    NEVER = "never", _("Belum pernah ditarik")
    ONLINE = "online", _("Terhubung")
    OFFLINE = "offline", _("Tidak terjangkau")


class CommandStatus(models.TextChoices):
    QUEUED = "queued", _("Antre")
    SENT = "sent", _("Terkirim")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class PunchSource(models.TextChoices):
    DEVICE = "device", _("Mesin sidik jari")
    MOBILE = "mobile", _("Presensi ponsel/web")
    API = "api", _("Sistem lain (API)")
    CORRECTION = "correction", _("Koreksi admin")
    KIOSK = "kiosk", _("Anjungan presensi")


class DayStatus(models.TextChoices):
    PRESENT = "hadir", _("Hadir")
    NOT_YET = "belum_hadir", _("Belum hadir")
    ABSENT = "tk", _("Tanpa keterangan (TK)")
    ANNUAL_LEAVE = "cuti", _("Cuti")
    SICK = "sakit", _("Sakit")
    PERMIT = "izin", _("Izin")
    FIELD_DUTY = "dinas_luar", _("Dinas luar")
    STUDY = "tugas_belajar", _("Tugas belajar")
    HOLIDAY = "libur", _("Libur")

    @property
    def colour(self) -> str:
        return {"hadir": "green", "belum_hadir": "secondary", "tk": "red", "libur": "secondary"}.get(
            self.value, "blue")


class LeaveKind(models.TextChoices):
    ANNUAL = "cuti", _("Cuti tahunan")
    SICK = "sakit", _("Sakit")
    PERMIT = "izin", _("Izin")
    FIELD_DUTY = "dinas_luar", _("Dinas luar")
    STUDY = "tugas_belajar", _("Tugas belajar")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    CANCELLED = "cancelled", _("Dibatalkan")

    @property
    def colour(self) -> str:
        return {"pending": "yellow", "approved": "green", "rejected": "red"}.get(self.value, "secondary")


class CalendarDayKind(models.TextChoices):
    NATIONAL_HOLIDAY = "libur_nasional", _("Libur nasional")
    COLLECTIVE_LEAVE = "cuti_bersama", _("Cuti bersama")
    CITY_HOLIDAY = "libur_daerah", _("Libur daerah")
    WORK_DAY = "hari_kerja", _("Hari kerja khusus")


class ScheduleKind(models.TextChoices):
    FIXED = "fixed", _("Jam kerja tetap")
    SHIFT = "shift", _("Jadwal sif")


class TppViolation(models.TextChoices):
    LATE = "late", _("Terlambat")
    EARLY = "early", _("Pulang cepat")
    ABSENT = "absent", _("Tanpa keterangan")
    MISSING_OUT = "missing_out", _("Tidak absen pulang")

    @property
    def colour(self) -> str:
        return {"late": "orange", "early": "yellow", "absent": "red", "missing_out": "purple"}[self.value]
