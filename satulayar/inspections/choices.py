from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Berlangsung")
    CLOSED = "closed", _("Ditutup")

    @property
    def colour(self) -> str:
        return {"open": "orange", "closed": "green"}[self.value]


class Observation(models.TextChoices):
    PRESENT = "present", _("Ada di tempat")
    NOT_FOUND = "not_found", _("Tidak ditemukan")
    LEAVE_CONFIRMED = "leave", _("Cuti/izin terkonfirmasi")

    @property
    def colour(self) -> str:
        return {"present": "green", "not_found": "red", "leave": "blue"}[self.value]


class FindingKind(models.TextChoices):
    PROXY_SUSPECT = "proxy_suspect", _("Tercatat hadir, tidak ditemukan (dugaan titip absen)")
    UNRECORDED_PRESENT = "unrecorded_present", _("Ada di tempat, tidak tercatat hadir (mesin atau kebiasaan)")
    PRESENT_ON_LEAVE = "present_on_leave", _("Tercatat cuti/izin, ada di tempat")
    ABSENT_NO_RECORD = "absent_no_record", _("Tidak ditemukan, tanpa catatan apa pun")
    LEAVE_UNRECORDED = "leave_unrecorded", _("Cuti/izin menurut unit, tidak tercatat di sistem")

    @property
    def colour(self) -> str:
        return {"proxy_suspect": "red", "unrecorded_present": "yellow", "present_on_leave": "purple",
                "absent_no_record": "orange", "leave_unrecorded": "azure"}[self.value]

    @property
    def short(self) -> str:
        return str({"proxy_suspect": _("Dugaan titip absen"), "unrecorded_present": _("Hadir tanpa rekam"),
                    "present_on_leave": _("Cuti tapi hadir"), "absent_no_record": _("Mangkir tanpa catatan"),
                    "leave_unrecorded": _("Cuti tak tercatat")}[self.value])


class FollowUpStatus(models.TextChoices):
    NEW = "new", _("Belum ditugaskan")
    ASSIGNED = "assigned", _("Ditugaskan")
    IN_PROGRESS = "in_progress", _("Sedang ditindaklanjuti")
    DONE = "done", _("Selesai")

    @property
    def colour(self) -> str:
        return {"new": "secondary", "assigned": "orange", "in_progress": "blue", "done": "green"}[self.value]
