"""Synthetic people: Banjar names with their titles, birth and appointment dates, NIP, NIK, rank and position.

Everything is drawn from the `random.Random` handed in, so the same seed gives the same people.
"""

import datetime as dt
import random
from dataclasses import dataclass

from satulayar.demo.organisation import UnitPlan, unit_sizes
from satulayar.org.choices import PNS_RANKS, EmploymentType, Sex
from satulayar.org.identity import PPPK_CODE

MALE_GIVEN = (
    "Muhammad", "Ahmad", "Akhmad", "Rahmadi", "Fahmi", "Rizky", "Hairul", "Khairul", "Syahrul", "Taufik", "Zainal",
    "Fauzan", "Arbani", "Mahyudin", "Salman", "Yusran", "Hamdani", "Jumberi", "Mursyid", "Aulia", "Ridho",
    "Firdaus", "Anang", "Hasanuddin", "Iberahim", "Husin", "Irwan", "Hendra", "Budi", "Wahyu", "Bayu", "Darmawan",
    "Khairullah", "Mukhlis", "Norhadi", "Arsyad", "Jailani", "Fathurrahman", "Abdul", "Saberi", "Gazali", "Rusli",
    "Syamsul", "Ikhsan", "Rifani", "Mawardi", "Fajar", "Agus", "Yudi", "Noor",
)
MALE_SINGLE = (
    "Rusdiansyah", "Syahrani", "Fahriannor", "Muhriansyah", "Norhadiansyah", "Akhmadi", "Rahmadiansyah", "Junaidi",
    "Saifullah", "Hairiansyah", "Samsuri", "Sarbani", "Mardani", "Masrani", "Fahruraji", "Zainuddin", "Suriansyah",
    "Arifin", "Mahlianor", "Jumadi",
)
MALE_FAMILY = (
    "Rahman", "Hidayat", "Fauzi", "Ramadhan", "Saputra", "Hakim", "Noor", "Wahyudi", "Setiawan", "Pratama",
    "Maulana", "Anshari", "Hasan", "Arsyad", "Effendi", "Rasyid", "Syarif", "Rizani", "Fitriadi", "Husaini",
    "Hamidi", "Anwar", "Kurniawan", "Firmansyah", "Gunawan", "Akbar", "Ansyari", "Yusuf", "Baihaqi", "Mahfuzh",
    "Zulkifli", "Rifqi", "Nugraha",
)
FEMALE_GIVEN = (
    "Siti", "Noor", "Nurul", "Rahmah", "Aisyah", "Fatimah", "Nur", "Fitri", "Rina", "Dewi", "Sri", "Yuli", "Annisa",
    "Khairunnisa", "Nadia", "Syarifah", "Rizka", "Fauziah", "Herlina", "Lailatul", "Wardah", "Halimah", "Muthia",
    "Rabiatul", "Mahrita", "Norliana", "Norjanah", "Mariani", "Jamilah", "Aminah", "Salmah", "Raudah", "Masitah",
    "Erna", "Ratna", "Maya", "Dina", "Eka", "Indah", "Laila",
)
FEMALE_SINGLE = (
    "Rusmiati", "Nurhayati", "Norliani", "Hairiah", "Mulyani", "Nurhasanah", "Milawati", "Rahmawati", "Fitriani",
    "Masyitah", "Rabiah", "Norhalimah", "Jumiati", "Salamah", "Hamidah", "Zubaidah", "Rusdiana", "Mahmudah",
    "Khadijah", "Normillah",
)
FEMALE_FAMILY = (
    "Rahmawati", "Hidayati", "Safitri", "Lestari", "Wulandari", "Puspita", "Maulida", "Aprilia", "Amalia",
    "Ramadhani", "Fitriani", "Noor", "Hayati", "Sari", "Yuliana", "Rahmah", "Kartika", "Ningsih", "Anggraini",
    "Mardiana", "Handayani", "Fadhilah", "Aulia", "Zahra", "Adawiyah",
)

DEGREES: dict[str, dict[str, tuple[str, ...]]] = {
    "umum": {"D3": ("A.Md.",), "S1": ("S.Sos.", "S.IP.", "S.AP.", "S.E.", "S.H."), "S2": ("M.Si.", "M.AP.", "M.M.")},
    "ekonomi": {"D3": ("A.Md.Ak.",), "S1": ("S.E.", "S.Ak."), "S2": ("M.M.", "M.Ak.", "M.Si.")},
    "hukum": {"S1": ("S.H.",), "S2": ("M.H.",)},
    "pendidikan": {"S1": ("S.Pd.",), "S2": ("M.Pd.",)},
    "kesehatan": {"D3": ("A.Md.Kes.",), "S1": ("S.K.M.",), "S2": ("M.Kes.",)},
    "perawat": {"D3": ("A.Md.Kep.",), "S1": ("S.Kep., Ners",), "S2": ("M.Kep.",)},
    "bidan": {"D3": ("A.Md.Keb.",), "S1": ("S.Tr.Keb.",), "S2": ("M.Keb.",)},
    "gizi": {"D3": ("A.Md.Gz.",), "S1": ("S.Gz.",)},
    "farmasi": {"D3": ("A.Md.Farm.",), "S1": ("S.Farm.",)},
    "laboratorium": {"D3": ("A.Md.AK.",), "S1": ("S.Tr.Kes.",)},
    "radiologi": {"D3": ("A.Md.Rad.",)},
    "fisioterapi": {"D3": ("A.Md.Ftr.",), "S1": ("S.Ft.",)},
    "teknik": {"D3": ("A.Md.T.",), "S1": ("S.T.",), "S2": ("M.T.",)},
    "komputer": {"D3": ("A.Md.Kom.",), "S1": ("S.Kom.",), "S2": ("M.Kom.",)},
    "komunikasi": {"S1": ("S.I.Kom.",), "S2": ("M.I.Kom.",)},
    "statistik": {"S1": ("S.Si.", "S.Stat."), "S2": ("M.Si.",)},
    "pertanian": {"D3": ("A.Md.P.",), "S1": ("S.P.", "S.Pi.", "S.Pt."), "S2": ("M.P.", "M.Si.")},
    "veteriner": {"S2": ("M.Si.",)},
    "sosial": {"S1": ("S.Sos.", "S.Tr.Sos."), "S2": ("M.Si.",)},
    "psikologi": {"S1": ("S.Psi.",), "S2": ("M.Psi., Psikolog",)},
    "perpustakaan": {"D3": ("A.Md.",), "S1": ("S.IP.", "S.Hum."), "S2": ("M.Hum.",)},
    "lingkungan": {"D3": ("A.Md.T.",), "S1": ("S.T.", "S.Si."), "S2": ("M.Si.", "M.T.")},
    "dokter": {"S2": ("M.Kes.",)},
    "dokter_gigi": {"S2": ("M.Kes.",)},
}
PROFESSION_PREFIX = {"dokter": "dr.", "spesialis": "dr.", "dokter_gigi": "drg.", "veteriner": "drh.",
                     "apoteker": "apt."}
SPECIALIST_TITLES = {
    "Dokter Spesialis Penyakit Dalam": "Sp.PD.", "Dokter Spesialis Anak": "Sp.A.",
    "Dokter Spesialis Obstetri dan Ginekologi": "Sp.OG.", "Dokter Spesialis Bedah": "Sp.B.",
    "Dokter Spesialis Anestesiologi": "Sp.An.", "Dokter Spesialis Radiologi": "Sp.Rad.",
}
NAME_PREFIXES = ("H.", "Hj.", "Ir.", "Drs.", "Dra.", *PROFESSION_PREFIX.values())

S1_MOSTLY = (("S1", 8), ("D3", 1), ("S2", 1))
JOBS: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {
    # position: (field of study, (education, weight)...)
    "Guru": ("pendidikan", (("S1", 9), ("S2", 1))),
    "Pengawas Sekolah": ("pendidikan", (("S2", 1),)),
    "Penilik": ("pendidikan", (("S1", 1),)),
    "Dokter": ("dokter", (("S1", 8), ("S2", 2))),
    "Dokter Gigi": ("dokter_gigi", (("S1", 1),)),
    "Perawat": ("perawat", (("D3", 6), ("S1", 4))),
    "Bidan": ("bidan", (("D3", 7), ("S1", 3))),
    "Apoteker": ("apoteker", (("S1", 1),)),
    "Tenaga Teknis Kefarmasian": ("farmasi", (("D3", 1),)),
    "Pranata Laboratorium Kesehatan": ("laboratorium", (("D3", 3), ("S1", 1))),
    "Tenaga Sanitasi Lingkungan": ("kesehatan", (("D3", 1), ("S1", 1))),
    "Nutrisionis": ("gizi", (("D3", 1), ("S1", 1))),
    "Perekam Medis": ("kesehatan", (("D3", 1),)),
    "Radiografer": ("radiologi", (("D3", 1),)),
    "Fisioterapis": ("fisioterapi", (("D3", 2), ("S1", 1))),
    "Terapis Gigi dan Mulut": ("kesehatan", (("D3", 1),)),
    "Penyuluh Kesehatan Masyarakat": ("kesehatan", (("S1", 1),)),
    "Epidemiolog Kesehatan": ("kesehatan", (("S1", 2), ("S2", 1))),
    "Administrator Kesehatan": ("kesehatan", (("S1", 2), ("S2", 1))),
    "Pranata Komputer": ("komputer", (("D3", 1), ("S1", 2))),
    "Sandiman": ("komputer", (("D3", 1), ("S1", 1))),
    "Statistisi": ("statistik", (("S1", 1),)),
    "Pranata Humas": ("komunikasi", (("S1", 1),)),
    "Auditor": ("ekonomi", (("S1", 3), ("S2", 1))),
    "Analis Keuangan Pusat dan Daerah": ("ekonomi", (("S1", 1),)),
    "Penilai Pajak Daerah": ("ekonomi", (("S1", 1),)),
    "Bendahara": ("ekonomi", (("D3", 1), ("S1", 2))),
    "Pengelola Pengadaan Barang/Jasa": ("ekonomi", (("S1", 1),)),
    "Perancang Peraturan Perundang-undangan": ("hukum", (("S1", 3), ("S2", 1))),
    "Analis Hukum": ("hukum", (("S1", 1),)),
    "Teknik Jalan dan Jembatan": ("teknik", (("D3", 1), ("S1", 2))),
    "Teknik Tata Bangunan dan Perumahan": ("teknik", (("D3", 1), ("S1", 2))),
    "Teknik Pengairan": ("teknik", (("D3", 1), ("S1", 2))),
    "Penata Ruang": ("teknik", (("S1", 1),)),
    "Pengawas Bangunan Gedung": ("teknik", (("D3", 1), ("S1", 1))),
    "Penguji Kendaraan Bermotor": ("teknik", (("D3", 1), ("S1", 1))),
    "Penyuluh Pertanian": ("pertanian", (("D3", 1), ("S1", 2))),
    "Penyuluh Perikanan": ("pertanian", (("D3", 1), ("S1", 2))),
    "Pengawas Mutu Hasil Pertanian": ("pertanian", (("S1", 1),)),
    "Medik Veteriner": ("veteriner", (("S1", 1),)),
    "Paramedik Veteriner": ("pertanian", (("D3", 1),)),
    "Pengendali Dampak Lingkungan": ("lingkungan", (("S1", 1),)),
    "Pengawas Lingkungan Hidup": ("lingkungan", (("S1", 1),)),
    "Pekerja Sosial": ("sosial", (("S1", 1),)),
    "Penyuluh Sosial": ("sosial", (("S1", 1),)),
    "Psikolog Klinis": ("psikologi", (("S2", 1),)),
    "Pustakawan": ("perpustakaan", (("D3", 1), ("S1", 1))),
    "Arsiparis": ("perpustakaan", (("D3", 1), ("S1", 1))),
    "Polisi Pamong Praja": ("umum", (("SMA", 6), ("D3", 1), ("S1", 3))),
    "Pemadam Kebakaran": ("umum", (("SMA", 7), ("D3", 1), ("S1", 2))),
    "Petugas Pengatur Lalu Lintas": ("umum", (("SMA", 3), ("D3", 1))),
    "Pengelola Persampahan": ("umum", (("SMA", 2), ("D3", 1))),
    "Pengelola Drainase": ("teknik", (("SMA", 2), ("D3", 1))),
    "Pengelola Pasar": ("ekonomi", (("SMA", 1), ("D3", 1))),
    "Pengadministrasi Perkantoran": ("umum", (("SMA", 3), ("D3", 1))),
    "Operator Layanan Operasional": ("umum", (("SMA", 1),)),
    "Pengelola Layanan Operasional": ("umum", (("D3", 1),)),
    "Penata Layanan Operasional": ("umum", (("S1", 1),)),
}
DEFAULT_JOB = ("umum", S1_MOSTLY)
MALE_SHARE = {"Bidan": 0.0, "Perawat": 0.3, "Guru": 0.35, "Polisi Pamong Praja": 0.8, "Pemadam Kebakaran": 0.95,
              "Petugas Pengatur Lalu Lintas": 0.9, "Pengemudi": 1.0, "Petugas Keamanan": 0.95}
NON_ASN_POSITIONS = ("Pramu Bakti", "Pengemudi", "Petugas Keamanan", "Petugas Kebersihan",
                     "Tenaga Pendukung Administrasi")

# Structural positions by echelon: (prefixes, PNS rank range, age range at the reference date, S2 share).
ECHELONS = (
    (("Sekretaris Daerah",), ("IV/d", "IV/e"), (50, 57), 1.0),
    (("Kepala Dinas", "Kepala Badan", "Kepala Satuan", "Kepala Pelaksana", "Direktur", "Sekretaris DPRD",
      "Asisten", "Staf Ahli"), ("IV/c", "IV/d"), (47, 57), 0.9),
    (("Inspektur Pembantu",), ("IV/a", "IV/b"), (42, 56), 0.7),
    (("Inspektur",), ("IV/c", "IV/d"), (47, 57), 0.9),
    (("Sekretaris Camat", "Sekretaris Lurah"), ("III/c", "IV/a"), (35, 55), 0.3),
    (("Sekretaris", "Kepala Bidang", "Kepala Bagian", "Camat"), ("IV/a", "IV/b"), (42, 56), 0.7),
    (("Lurah", "Kepala Subbagian", "Kepala Seksi", "Kepala Puskesmas", "Kepala Sekolah", "Kepala UPT"),
     ("III/c", "III/d"), (35, 55), 0.4),
)
ENTRY_RANK = {"SMA": "II/a", "D3": "II/c", "S1": "III/a", "S2": "III/b"}
TOP_RANK = {"SMA": "III/b", "D3": "III/c", "S1": "IV/a", "S2": "IV/b"}
PPPK_RANK = {"SMA": "V", "D3": "VII", "S1": "IX", "S2": "X"}
MIN_APPOINTMENT_AGE = {"SMA": 19, "D3": 22, "S1": 23, "S2": 25}
STAFF_TYPE_WEIGHTS = ((EmploymentType.PNS, 72), (EmploymentType.PPPK, 22.5), (EmploymentType.NON_ASN, 5.5))
FIRST_PPPK_YEAR = 2019
NIK_REGION = "6371"


@dataclass(frozen=True)
class EmployeeRow:
    unit_code: str
    name: str
    employment_type: str
    nip: str
    nik: str
    rank: str
    position: str
    sex: str
    birth_date: dt.date
    is_head: bool = False

    def fields(self, unit) -> dict:
        """The Employee fields for employee_bulk_create; an ASN's sex and birth date are read from the NIP."""
        return {"unit": unit, "name": self.name, "employment_type": self.employment_type, "nip": self.nip,
                "nik": self.nik, "rank": self.rank, "position": self.position, "sex": self.sex,
                "birth_date": self.birth_date}


@dataclass(frozen=True)
class Career:
    """What a position asks of the person holding it."""

    field: str
    education: str
    ages: tuple[int, int]
    ranks: tuple[str, str] | None = None  # structural positions only


def echelon_of(position: str) -> tuple[tuple[str, str], tuple[int, int], float]:
    for prefixes, ranks, ages, s2_share in ECHELONS:
        if any(position == p or position.startswith(p + " ") for p in prefixes):
            return ranks, ages, s2_share
    return ECHELONS[-1][1:]


def weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def career_for(rng: random.Random, *, position: str, unit_field: str, structural: bool) -> Career:
    if structural:
        ranks, ages, s2_share = echelon_of(position)
        return Career(unit_field, "S2" if rng.random() < s2_share else "S1", ages, ranks)
    if position in SPECIALIST_TITLES:
        return Career("spesialis", "S2", (33, 57))
    field, educations = JOBS.get(position, DEFAULT_JOB)
    education = weighted(rng, educations)
    return Career(field, education, (MIN_APPOINTMENT_AGE[education] + 1, 57))


def random_birth_date(rng: random.Random, *, ages: tuple[int, int], on: dt.date) -> dt.date:
    age = rng.randint(*ages)
    latest = on.replace(year=on.year - age)
    return latest - dt.timedelta(days=rng.randint(0, 364))


def add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def pns_appointment(rng: random.Random, *, birth: dt.date, education: str, on: dt.date) -> dt.date:
    """The CPNS appointment (first of a month): at 18-45, after finishing school, not after `on`."""
    earliest = add_years(birth, max(18, MIN_APPOINTMENT_AGE[education]))
    latest = max(earliest, min(add_years(birth, 46) - dt.timedelta(days=1), on))
    appointed = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
    return appointed.replace(day=1)


def pppk_appointment_year(rng: random.Random, *, birth: dt.date, education: str, on: dt.date) -> int:
    first = max(FIRST_PPPK_YEAR, birth.year + MIN_APPOINTMENT_AGE[education])
    last = min(on.year, birth.year + 45)
    return rng.randint(first, max(first, last))


def pppk_ages(ages: tuple[int, int], *, on: dt.date) -> tuple[int, int]:
    """Ages at `on` of someone who can have been appointed PPPK at 45 or younger."""
    return ages[0], min(ages[1], 44 + on.year - FIRST_PPPK_YEAR)


def pns_rank(rng: random.Random, *, education: str, appointed: dt.date, on: dt.date) -> str:
    """Regular promotion: one step every four years from the entry rank, up to the top for the education."""
    steps = max(0, (on.year - appointed.year) // 4 - rng.randint(0, 1))
    entry, top = PNS_RANKS.index(ENTRY_RANK[education]), PNS_RANKS.index(TOP_RANK[education])
    return PNS_RANKS[min(entry + steps, top)]


def structural_rank(rng: random.Random, *, ranks: tuple[str, str]) -> str:
    low, high = (PNS_RANKS.index(rank) for rank in ranks)
    return rng.choice(PNS_RANKS[low:high + 1])


class IdentityBook:
    """Hands out NIP and NIK serials so that no number is given twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.numbers: set[str] = set()

    def _unique(self, prefix: str, width: int) -> str:
        serial = self.rng.randint(1, 10**width - 1)
        while f"{prefix}{serial:0{width}d}" in self.numbers:
            serial = serial % (10**width - 1) + 1
        number = f"{prefix}{serial:0{width}d}"
        self.numbers.add(number)
        return number

    def nip(self, *, birth: dt.date, appointment: str, sex: str) -> str:
        return self._unique(f"{birth:%Y%m%d}{appointment}{1 if sex == Sex.MALE else 2}", 3)

    def nik(self, *, birth: dt.date, sex: str) -> str:
        day = birth.day + (40 if sex == Sex.FEMALE else 0)
        kecamatan = self.rng.randint(1, 5)
        return self._unique(f"{NIK_REGION}{kecamatan:02d}{day:02d}{birth:%m%y}", 4)


def plain_name(rng: random.Random, *, sex: str) -> str:
    given, single, family = ((MALE_GIVEN, MALE_SINGLE, MALE_FAMILY) if sex == Sex.MALE
                             else (FEMALE_GIVEN, FEMALE_SINGLE, FEMALE_FAMILY))
    shape = rng.random()
    if shape < 0.2:
        words = [rng.choice(single)]
    elif shape < 0.4:
        words = [rng.choice(given), rng.choice(single)]
    elif shape < 0.5:
        words = [rng.choice(given), rng.choice(given), rng.choice(family)]
    else:
        words = [rng.choice(given), rng.choice(family)]
    return " ".join(dict.fromkeys(words))


def degree(rng: random.Random, *, field: str, level: str) -> str:
    options = DEGREES.get(field, {}).get(level) or DEGREES["umum"].get(level, ())
    return rng.choice(options) if options else ""


def titled_name(rng: random.Random, *, name: str, sex: str, birth: dt.date, career: Career, position: str) -> str:
    """The name as written on an official letter: pilgrimage and profession before it, degrees after."""
    prefixes, suffixes = [], []
    profession = PROFESSION_PREFIX.get(career.field)
    if profession:
        prefixes.append(profession)
    elif career.education in ("S1", "S2") and birth.year < 1968 and career.field == "umum" and rng.random() < 0.5:
        prefixes.append("Drs." if sex == Sex.MALE else "Dra.")
    elif career.education in ("S1", "S2") and birth.year < 1975 and career.field == "teknik" and rng.random() < 0.5:
        prefixes.append("Ir.")
    elif career.education in ("D3", "S1"):
        suffixes.append(degree(rng, field=career.field, level=career.education))
    if career.education == "S2":
        if not prefixes:
            suffixes.append(degree(rng, field=career.field, level="S1"))
        suffixes.append(SPECIALIST_TITLES.get(position) or degree(rng, field=career.field, level="S2"))
    if career.field == "apoteker":
        suffixes.append("S.Farm.")
    if birth.year < 1986 and rng.random() < 0.2:
        prefixes.append("H." if sex == Sex.MALE else "Hj.")
    full = " ".join([*prefixes, name])
    suffixes = [s for s in suffixes if s]
    return f"{full}, {', '.join(suffixes)}" if suffixes else full


def split_name(full_name: str) -> tuple[str, str]:
    """(first, last) without titles, for a login's name."""
    words = [w for w in full_name.split(",")[0].split() if w not in NAME_PREFIXES]
    return words[0], " ".join(words[1:])


def make_person(rng: random.Random, book: IdentityBook, *, unit: UnitPlan, position: str, employment_type: str,
                on: dt.date, structural: bool = False, is_head: bool = False) -> EmployeeRow:
    if employment_type == EmploymentType.PPPK and on.year < FIRST_PPPK_YEAR:
        employment_type = EmploymentType.PNS
    if employment_type == EmploymentType.NON_ASN:
        career = Career("umum", weighted(rng, (("SMA", 4), ("D3", 1))), (20, 50))
        position = rng.choice(NON_ASN_POSITIONS)
    else:
        career = career_for(rng, position=position, unit_field=unit.field, structural=structural)
    sex = Sex.MALE if rng.random() < MALE_SHARE.get(position, 0.52) else Sex.FEMALE
    ages = career.ages if employment_type != EmploymentType.PPPK else pppk_ages(career.ages, on=on)
    birth = random_birth_date(rng, ages=ages, on=on)
    nip, rank = nip_and_rank(rng, book, employment_type=employment_type, career=career, birth=birth, sex=sex, on=on)
    nik = book.nik(birth=birth, sex=sex) if rng.random() < 0.5 else ""
    name = titled_name(rng, name=plain_name(rng, sex=sex), sex=sex, birth=birth, career=career, position=position)
    return EmployeeRow(unit_code=unit.code, name=name, employment_type=employment_type, nip=nip, nik=nik, rank=rank,
                       position=position, sex=sex, birth_date=birth, is_head=is_head)


def nip_and_rank(rng: random.Random, book: IdentityBook, *, employment_type: str, career: Career, birth: dt.date,
                 sex: str, on: dt.date) -> tuple[str, str]:
    if employment_type == EmploymentType.PNS:
        appointed = pns_appointment(rng, birth=birth, education=career.education, on=on)
        rank = (structural_rank(rng, ranks=career.ranks) if career.ranks
                else pns_rank(rng, education=career.education, appointed=appointed, on=on))
        return book.nip(birth=birth, appointment=f"{appointed:%Y%m}", sex=sex), rank
    if employment_type == EmploymentType.PPPK:
        year = pppk_appointment_year(rng, birth=birth, education=career.education, on=on)
        return book.nip(birth=birth, appointment=f"{year}{PPPK_CODE}", sex=sex), PPPK_RANK[career.education]
    return "", ""


def unit_staff(rng: random.Random, book: IdentityBook, *, unit: UnitPlan, size: int, on: dt.date) -> list[EmployeeRow]:
    """The head, then the unit's leaders while places last, then staff drawn by the unit's mix."""
    rows = [make_person(rng, book, unit=unit, position=unit.head, employment_type=EmploymentType.PNS, on=on,
                        structural=True, is_head=True)]
    for position in unit.leaders[:size - 1]:
        rows.append(make_person(rng, book, unit=unit, position=position, employment_type=EmploymentType.PNS, on=on,
                                structural=True))
    while len(rows) < size:
        rows.append(make_person(rng, book, unit=unit, position=weighted(rng, unit.staff),
                                employment_type=weighted(rng, STAFF_TYPE_WEIGHTS), on=on))
    return rows


def employee_rows(*, plans: list[UnitPlan], employees: int, seed: int, on: dt.date) -> list[EmployeeRow]:
    """Every employee of the city, unit by unit; a pure function of its arguments."""
    rng = random.Random(f"{seed}/employees")
    book = IdentityBook(rng)
    sizes = unit_sizes(plans, employees=employees)
    return [row for plan, size in zip(plans, sizes, strict=True)
            for row in unit_staff(rng, book, unit=plan, size=size, on=on)]
