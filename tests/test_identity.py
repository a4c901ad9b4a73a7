"""NIP and NIK: what a valid number tells, and the specific reason each bad one is refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from satulayar.org.choices import EmploymentType, Sex
from satulayar.org.identity import mask_nik, parse_nip, validate_nik, validate_nip_for
from satulayar.org.models import Employee

PNS_NIP = "198503142010011001"  # born 14 March 1985, appointed January 2010, male, serial 001
PPPK_NIP = "199002022021212003"  # born 2 February 1990, PPPK 2021 (code 21), female, serial 003
NIK = "6371015403850001"  # Banjarmasin Selatan, a woman (day 14 + 40) born March 1985


def refusal(call, *args) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args)
    return caught.value


def test_pns_nip_tells_birth_date_appointment_and_sex():
    info = validate_nip_for(PNS_NIP, EmploymentType.PNS)
    assert info.birth_date == dt.date(1985, 3, 14)
    assert (info.appointment_year, info.appointment_month) == (2010, 1)
    assert info.sex == Sex.MALE
    assert info.serial == 1
    assert not info.is_pppk


def test_pppk_nip_carries_code_21_instead_of_a_month():
    info = validate_nip_for(PPPK_NIP, EmploymentType.PPPK)
    assert info.birth_date == dt.date(1990, 2, 2)
    assert info.appointment_year == 2021
    assert info.appointment_month is None
    assert info.is_pppk
    assert info.sex == Sex.FEMALE
    assert info.serial == 3


def test_surrounding_spaces_are_ignored():
    assert parse_nip(f"  {PNS_NIP}\n").birth_date == dt.date(1985, 3, 14)


def test_appointment_in_the_month_of_the_18th_birthday_is_accepted():
    assert parse_nip("198503142003031001").appointment_year == 2003
    assert parse_nip("198503142003211001").is_pppk  # PPPK: turning 18 within the appointment year


def test_a_29_february_birth_turns_18_on_1_march():
    assert parse_nip("198402292002031001").appointment_month == 3
    refusal(parse_nip, "198402292002021001")


@pytest.mark.parametrize(("nip", "code", "reason"), [
    ("19850314201001100", "nip_format", "NIP harus 18 digit angka (diterima 17 karakter)."),
    ("1985031420100110011", "nip_format", "NIP harus 18 digit angka (diterima 19 karakter)."),
    ("19850314201001100A", "nip_format", "NIP harus 18 digit angka"),
    ("1985-03-14-2010011", "nip_format", "NIP harus 18 digit angka"),
    # Digits of other scripts are digits to Python's \d, but not to BKN.
    ("１９８５０３１４２０１００１１００１", "nip_format", "NIP harus 18 digit angka"),
    ("١٩٨٥٠٣١٤٢٠١٠٠١١٠٠١", "nip_format", "NIP harus 18 digit angka"),
    ("198513322010011001", "nip_birth_date", "8 digit pertama bukan tanggal lahir yang sah (TTTTBBHH)"),
    ("198502302010011001", "nip_birth_date", "8 digit pertama bukan tanggal lahir yang sah"),
    ("198503142010131001", "nip_appointment", "digit 13-14 harus bulan TMT (01-12) atau kode PPPK 21"),
    ("198503142010001001", "nip_appointment", "digit 13-14 harus bulan TMT (01-12) atau kode PPPK 21"),
    ("198503142001011001", "nip_appointment", "tahun pengangkatan 2001 tidak cocok dengan tanggal lahir"),
    # appointed at 16 years and 10 months: the years alone (2002 - 1985 = 17) used to let it through
    ("198503142002011001", "nip_appointment", "pengangkatan sebelum usia 18 tahun"),
    ("198503142003021001", "nip_appointment", "pengangkatan sebelum usia 18 tahun"),  # a month short of 18
    ("198503142002211001", "nip_appointment", "pengangkatan sebelum usia 18 tahun"),  # PPPK, 17 all that year
    ("198503142999011001", "nip_appointment", "tahun pengangkatan 2999 tidak cocok dengan tanggal lahir"),
    ("198503142010013001", "nip_sex", "digit ke-15 (jenis kelamin) harus 1 atau 2"),
    ("198503142010010001", "nip_sex", "digit ke-15 (jenis kelamin) harus 1 atau 2"),
    ("198503142010011000", "nip_serial", "nomor urut tidak boleh 000"),
])
def test_each_bad_nip_is_refused_with_its_own_reason(nip, code, reason):
    error = refusal(parse_nip, nip)
    assert error.code == code
    assert reason in error.messages[0]


@pytest.mark.parametrize(("nip", "employment_type", "code", "reason"), [
    ("198503142021211001", EmploymentType.PNS, "nip_pns", "NIP ini milik PPPK (kode 21), bukan PNS."),
    (PNS_NIP, EmploymentType.PPPK, "nip_pppk", "NIP PPPK harus memuat kode 21 pada digit 13-14."),
    (PNS_NIP, EmploymentType.NON_ASN, "nip_non_asn", "Pegawai non-ASN tidak memiliki NIP; kosongkan kolom NIP."),
    ("", EmploymentType.PNS, "required", "NIP wajib diisi untuk PNS dan PPPK."),
    ("", EmploymentType.PPPK, "required", "NIP wajib diisi untuk PNS dan PPPK."),
])
def test_nip_must_match_the_employment_type(nip, employment_type, code, reason):
    error = refusal(validate_nip_for, nip, employment_type)
    assert error.code == code
    assert error.messages == [reason]


def test_non_asn_without_nip_is_fine():
    assert validate_nip_for("", EmploymentType.NON_ASN) is None


def test_employee_clean_fills_what_the_nip_tells(org):
    employee = Employee(unit=org.dinkes, name="Siti Aminah", employment_type=EmploymentType.PNS,
                        nip=" 198907252015032001 ")
    employee.full_clean(validate_unique=False)
    assert employee.nip == "198907252015032001"
    assert employee.birth_date == dt.date(1989, 7, 25)
    assert employee.sex == Sex.FEMALE
    assert employee.appointed_on == dt.date(2015, 3, 1)


def test_employee_clean_pppk_appointment_defaults_to_january(org):
    employee = Employee(unit=org.dinkes, name="Budi", employment_type=EmploymentType.PPPK, nip=PPPK_NIP)
    employee.full_clean(validate_unique=False)
    assert employee.appointed_on == dt.date(2021, 1, 1)


def test_employee_clean_reports_nip_nik_and_rank_together(org):
    employee = Employee(unit=org.dinkes, name="Budi", employment_type=EmploymentType.NON_ASN, nip=PNS_NIP,
                        nik="123", rank="III/a")
    with pytest.raises(ValidationError) as caught:
        employee.full_clean(validate_unique=False)
    errors = caught.value.message_dict
    assert errors["nip"] == ["Pegawai non-ASN tidak memiliki NIP; kosongkan kolom NIP."]
    assert errors["nik"] == ["NIK harus 16 digit angka."]
    assert errors["rank"] == ["Pegawai non-ASN tidak memiliki golongan."]


@pytest.mark.parametrize("nik", [NIK, "6371011403850001", "6371012902000001", "6371016902000001"])
def test_valid_nik_passes(nik):
    assert validate_nik(nik) is None


@pytest.mark.parametrize(("nik", "code", "reason"), [
    ("637101540385001", "nik_format", "NIK harus 16 digit angka."),
    ("63710154038500011", "nik_format", "NIK harus 16 digit angka."),
    ("63710154038500A1", "nik_format", "NIK harus 16 digit angka."),
    ("６３７１０１５４０３８５０００１", "nik_format", "NIK harus 16 digit angka."),
    ("", "nik_format", "NIK harus 16 digit angka."),
    ("6371013213850001", "nik_birth", "NIK: digit 7-12 bukan tanggal lahir yang sah."),  # month 13
    ("6371010003850001", "nik_birth", "NIK: digit 7-12 bukan tanggal lahir yang sah."),  # day 0
    ("6371014003850001", "nik_birth", "NIK: digit 7-12 bukan tanggal lahir yang sah."),  # day 40
    ("6371017203850001", "nik_birth", "NIK: digit 7-12 bukan tanggal lahir yang sah."),  # day 32 for a woman
    ("6371013002850001", "nik_birth", "NIK: digit 7-12 bukan tanggal lahir yang sah."),  # 30 February
    ("9971011403850001", "nik_region", "NIK: digit 1-4 bukan kode provinsi dan kabupaten/kota yang terdaftar."),
    ("0071011403850001", "nik_region", "NIK: digit 1-4 bukan kode provinsi dan kabupaten/kota yang terdaftar."),
])
def test_bad_nik_is_refused_with_its_reason(nik, code, reason):
    error = refusal(validate_nik, nik)
    assert error.code == code
    assert error.messages == [reason]


def test_nik_mask_keeps_only_the_last_four_digits():
    masked = mask_nik(NIK)
    assert masked == "••••••••••••0001"
    assert len(masked) == 16
    assert NIK[:12] not in masked
    assert mask_nik("") == ""


def test_employee_masked_nik(org):
    employee = Employee(unit=org.dinkes, name="Budi", nik=NIK)
    assert employee.masked_nik == "••••••••••••0001"
