"""NIP and NIK: the two national identity numbers, validated and masked.

NIP (BKN): 8 digits birth date YYYYMMDD, 6 digits appointment (TMT CPNS) YYYYMM, 1 digit
sex (1 male, 2 female), 3 digits serial. A PPPK NIP puts the appointment year and the
code 21 where a PNS NIP has year and month.
NIK (Dukcapil): 16 digits; a woman's birth day is stored plus 40.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as ValidationError_
from stdnum.id import nik as stdnum_nik

from satulayar.core.periods import month_bounds
from satulayar.org.choices import EmploymentType, Sex

PPPK_CODE = "21"


@dataclass(frozen=True)
class NipInfo:
    birth_date: dt.date
    appointment_year: int
    appointment_month: int | None
    sex: str
    serial: int

    @property
    def is_pppk(self) -> bool:
        return self.appointment_month is None


def parse_nip(nip: str) -> NipInfo:
    """Return what the NIP says, or raise ValidationError naming the faulty part."""
    value = (nip or "").strip()
    if not re.fullmatch(r"[0-9]{18}", value):
        raise ValidationError(
            _("NIP harus 18 digit angka (diterima %(count)s karakter)."), code="nip_format",
            params={"count": len(value)},
        )
    try:
        birth = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValidationError(
            _("NIP %(nip)s: 8 digit pertama bukan tanggal lahir yang sah (TTTTBBHH)."),
            code="nip_birth_date", params={"nip": value},
        ) from None
    year, month_part = int(value[8:12]), value[12:14]
    month = None if month_part == PPPK_CODE else int(month_part)
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(
            _("NIP %(nip)s: digit 13-14 harus bulan TMT (01-12) atau kode PPPK 21."),
            code="nip_appointment", params={"nip": value},
        )
    if not 1 <= year <= dt.date.today().year + 1:
        raise ValidationError(
            _("NIP %(nip)s: tahun pengangkatan %(year)s tidak cocok dengan tanggal lahir."),
            code="nip_appointment", params={"nip": value, "year": year},
        )
    if _appointment_month_end(year, month) < _eighteenth_birthday(birth):
        raise ValidationError(
            _("NIP %(nip)s: tahun pengangkatan %(year)s tidak cocok dengan tanggal lahir: pengangkatan sebelum "
              "usia 18 tahun."),
            code="nip_appointment", params={"nip": value, "year": year},
        )
    if value[14] not in "12":
        raise ValidationError(
            _("NIP %(nip)s: digit ke-15 (jenis kelamin) harus 1 atau 2."), code="nip_sex",
            params={"nip": value},
        )
    if value[15:] == "000":
        raise ValidationError(_("NIP %(nip)s: nomor urut tidak boleh 000."), code="nip_serial",
                              params={"nip": value})
    return NipInfo(birth, year, month, Sex.MALE if value[14] == "1" else Sex.FEMALE, int(value[15:]))


def _eighteenth_birthday(birth: dt.date) -> dt.date:
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(birth.year + 18, 3, 1)


def _appointment_month_end(year: int, month: int | None) -> dt.date:
    """The last day of the TMT month (of the year for PPPK): someone turning 18 within it may be appointed."""
    return month_bounds(year, month or 12)[1]


def validate_nip_for(nip: str, employment_type: str) -> NipInfo | None:
    if employment_type == EmploymentType.NON_ASN:
        if nip:
            raise ValidationError(_("Pegawai non-ASN tidak memiliki NIP; kosongkan kolom NIP."),
                                  code="nip_non_asn")
        return None
    if not nip:
        raise ValidationError(_("NIP wajib diisi untuk PNS dan PPPK."), code="required")
    info = parse_nip(nip)
    if employment_type == EmploymentType.PPPK and not info.is_pppk:
        raise ValidationError(_("NIP PPPK harus memuat kode 21 pada digit 13-14."), code="nip_pppk")
    if employment_type == EmploymentType.PNS and info.is_pppk:
        raise ValidationError(_("NIP ini milik PPPK (kode 21), bukan PNS."), code="nip_pns")
    return info


def validate_nik(nik: str) -> None:
    """python-stdnum's id.nik: the birth date (a woman's day plus 40) and the province and regency codes."""
    if not re.fullmatch(r"[0-9]{16}", nik or ""):
        raise ValidationError(_("NIK harus 16 digit angka."), code="nik_format")
    try:
        stdnum_nik.get_birth_date(nik)
    except InvalidComponent:
        raise ValidationError(_("NIK: digit 7-12 bukan tanggal lahir yang sah."), code="nik_birth") from None
    try:
        stdnum_nik.validate(nik)
    except ValidationError_ as exc:
        raise ValidationError(_("NIK: digit 1-4 bukan kode provinsi dan kabupaten/kota yang terdaftar."),
                              code="nik_region") from exc


def mask_nik(nik: str) -> str:
    return f"{'•' * 12}{nik[-4:]}" if nik else ""
