from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Menunggu")
    CALLED = "called", _("Dipanggil")
    SERVING = "serving", _("Dilayani")
    DONE = "done", _("Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")
    NO_SHOW = "no_show", _("Tidak hadir")

    @property
    def colour(self) -> str:
        return {"waiting": "secondary", "called": "yellow", "serving": "blue", "done": "green",
                "cancelled": "red", "no_show": "orange"}[self.value]


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
CLOSED_STATUSES = (TicketStatus.DONE, TicketStatus.CANCELLED, TicketStatus.NO_SHOW)


class TicketChannel(models.TextChoices):
    DESK = "desk", _("Loket")
    KIOSK_QR = "qr", _("Kode QR di kantor")
    ONLINE = "online", _("Daring")
    KIOSK = "kiosk", _("Anjungan cetak tiket")


# Priority groups every city has; a city adds its own (PriorityGroup). Served first within their service.
PRIORITY_DEFAULTS = (
    ("lansia", _("Lansia")),
    ("disabilitas", _("Penyandang disabilitas")),
    ("ibu_hamil", _("Ibu hamil")),
)


class TicketResult(models.TextChoices):
    """What a finished visit produced, or why it produced nothing."""

    PRODUCED = "produced", _("Selesai, dokumen/layanan diberikan")
    MISSING_PAPERS = "missing", _("Persyaratan belum lengkap")
    REFERRED = "referred", _("Dirujuk ke instansi lain")

    @property
    def colour(self) -> str:
        return {"produced": "green", "missing": "orange", "referred": "azure"}[self.value]


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Dipesan")
    CHECKED_IN = "checked_in", _("Sudah hadir")
    CANCELLED = "cancelled", _("Dibatalkan")


# The nine elements of the IKM survey (Permenpan RB No. 14 Tahun 2017), each scored 1–4.
IKM_ELEMENTS = (
    ("u1", _("Persyaratan")),
    ("u2", _("Sistem, mekanisme, dan prosedur")),
    ("u3", _("Waktu penyelesaian")),
    ("u4", _("Biaya/tarif")),
    ("u5", _("Produk spesifikasi jenis pelayanan")),
    ("u6", _("Kompetensi pelaksana")),
    ("u7", _("Perilaku pelaksana")),
    ("u8", _("Penanganan pengaduan, saran, dan masukan")),
    ("u9", _("Sarana dan prasarana")),
)
