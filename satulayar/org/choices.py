from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    SEKRETARIAT = "sekretariat", _("Sekretariat")
    INSPEKTORAT = "inspektorat", _("Inspektorat")
    DINAS = "dinas", _("Dinas")
    BADAN = "badan", _("Badan")
    SATUAN = "satuan", _("Satuan")
    RUMAH_SAKIT = "rumah_sakit", _("Rumah sakit")
    KECAMATAN = "kecamatan", _("Kantor kecamatan")
    KELURAHAN = "kelurahan", _("Kantor kelurahan")
    BAGIAN = "bagian", _("Bagian")
    BIDANG = "bidang", _("Bidang")
    UPT = "upt", _("UPT / Puskesmas")


class EmploymentType(models.TextChoices):
    PNS = "pns", _("PNS")
    PPPK = "pppk", _("PPPK")
    NON_ASN = "non_asn", _("Non-ASN")


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


PNS_RANKS = [f"{g}/{s}" for g in ("I", "II", "III") for s in "abcd"] + [f"IV/{s}" for s in "abcde"]
PPPK_RANKS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
              "XVI", "XVII"]
RANK_CHOICES = [(r, r) for r in PNS_RANKS] + [(r, f"PPPK {r}") for r in PPPK_RANKS]


class Role(models.TextChoices):
    EXECUTIVE = "executive", _("Pimpinan daerah")
    COMMAND_CENTRE = "command_centre", _("Operator command center")
    INSPECTOR = "inspector", _("Inspektur")
    HR_ADMIN = "hr_admin", _("Admin kepegawaian (BKPSDM)")
    UNIT_ADMIN = "unit_admin", _("Admin unit kerja")
    KELURAHAN_OFFICER = "kelurahan_officer", _("Petugas kelurahan")
    EMPLOYEE = "employee", _("Pegawai")
    INTEGRATION_ADMIN = "integration_admin", _("Admin integrasi data")


class SiteKind(models.TextChoices):
    OFFICE = "office", _("Kantor")
    KELURAHAN_OFFICE = "kelurahan_office", _("Kantor kelurahan")
    PUBLIC_SPACE = "public_space", _("Ruang publik")
