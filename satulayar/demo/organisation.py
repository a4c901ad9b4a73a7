"""The demo city's organisation as plain data: which units exist, who heads them and how many work there.

Everything here is pure (no database), so the plan can be checked and compared on its own.
"""

import dataclasses
import random
from dataclasses import dataclass

from satulayar.org.choices import UnitKind

# The unit sizes in the catalogue describe a city of this many employees; other sizes scale them.
BASELINE_EMPLOYEES = 6000

Staff = tuple[tuple[str, float], ...]  # (position, relative weight)

GENERIC_STAFF: Staff = (
    ("Pengadministrasi Perkantoran", 3), ("Penata Layanan Operasional", 2),
    ("Pengelola Layanan Operasional", 2), ("Operator Layanan Operasional", 1),
)
SEKRETARIAT_STAFF: Staff = (
    *GENERIC_STAFF, ("Arsiparis", 1), ("Perencana", 1), ("Analis Keuangan Pusat dan Daerah", 1),
    ("Analis Sumber Daya Manusia Aparatur", 1), ("Pranata Komputer", 0.5),
)
KELURAHAN_LEADERS = ("Sekretaris Lurah", "Kepala Seksi Pemerintahan", "Kepala Seksi Ekonomi dan Pembangunan",
                     "Kepala Seksi Kesejahteraan Sosial", "Kepala Seksi Ketenteraman dan Ketertiban")
KECAMATAN_LEADERS = ("Sekretaris Camat", "Kepala Seksi Pemerintahan", "Kepala Seksi Ketenteraman dan Ketertiban Umum",
                     "Kepala Seksi Pemberdayaan Masyarakat", "Kepala Seksi Kesejahteraan Sosial",
                     "Kepala Subbagian Umum dan Kepegawaian", "Kepala Subbagian Perencanaan dan Keuangan")
REGIONAL_STAFF: Staff = (*GENERIC_STAFF, ("Analis Kebijakan", 1), ("Pranata Komputer", 0.3))


@dataclass(frozen=True)
class Part:
    """A unit inside an SKPD: its sekretariat, a bidang or bagian, a UPT (Puskesmas, school)."""

    suffix: str
    name: str
    kind: str = UnitKind.BIDANG
    weight: float = 1.0
    head: str = ""
    leaders: tuple[str, ...] = ()
    staff: Staff = ()
    field: str = ""
    site_kelurahan: str = ""  # Kemendagri code of the kelurahan a UPT stands in


@dataclass(frozen=True)
class Office:
    """What the catalogue knows of an SKPD's head office; the rest is made up when seeding."""

    name: str = ""
    address: str = ""
    position: tuple[float, float] | None = None


@dataclass(frozen=True)
class Skpd:
    code: str
    name: str
    short_name: str
    kind: str
    head: str
    headcount: int  # at BASELINE_EMPLOYEES, parts included
    field: str
    staff: Staff
    parts: tuple[Part, ...]
    root_weight: float = 0.4  # the share of the head's own office against one bidang
    leaders: tuple[str, ...] = ()
    office: Office = Office()


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    parent_code: str = ""  # a kelurahan's kecamatan


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str
    head: str
    leaders: tuple[str, ...]
    staff: Staff
    field: str
    baseline: float  # expected headcount at BASELINE_EMPLOYEES
    kecamatan_code: str = ""
    kelurahan_code: str = ""
    site_kelurahan: str = ""
    office: Office = Office()

    @property
    def is_skpd(self) -> bool:
        return not self.parent_code


def part_head(part: Part) -> str:
    if part.head:
        return part.head
    return {UnitKind.SEKRETARIAT: "Sekretaris", UnitKind.BAGIAN: "Kepala Bagian",
            UnitKind.UPT: "Kepala UPT"}.get(part.kind, "Kepala Bidang")


def part_leaders(part: Part) -> tuple[str, ...]:
    if part.leaders or part.kind != UnitKind.SEKRETARIAT:
        return part.leaders
    return ("Kepala Subbagian Umum dan Kepegawaian", "Kepala Subbagian Keuangan")


def part_staff(part: Part, skpd: Skpd) -> Staff:
    if part.staff:
        return part.staff
    if part.kind == UnitKind.SEKRETARIAT:
        return SEKRETARIAT_STAFF
    return skpd.staff + GENERIC_STAFF


def region_code_digits(code: str) -> str:
    return code.replace(".", "")


# Real units differ in size: parts whose head says what they are get a headcount drawn from a realistic range
# (the mode by their catalogue weight: an SMP is larger than an SD); the other parts stray from their catalogue
# weight by a factor drawn evenly between SIZE_SPREAD's bounds and stay inside PART_RANGE. All at
# BASELINE_EMPLOYEES; other city sizes scale them.
DRAWN_SIZES = {"Kepala Puskesmas": (10, 58, 5.0), "Kepala Sekolah": (7, 42, 7.0)}  # low, high, weight of the top
SIZE_SPREAD = (0.45, 1.7)
PART_RANGE = (6, 27)


def _drawn(part: Part, rng: random.Random) -> float | None:
    low, high, top = DRAWN_SIZES.get(part.head, (0, 0, 0))
    if not top:
        return None
    mode = low + (high - low) * min(1.0, part.weight / top) * 0.6
    return rng.triangular(low, high, mode)


def part_baselines(skpd: Skpd, *, headcount: float, rng: random.Random | None) -> tuple[float, list[float]]:
    """(the head office's, each part's) expected headcount; the catalogue's weights as they are without `rng`.
    Drawn sizes do not add up to the SKPD's headcount: `unit_sizes` shares the city's employees out anyway."""
    total = skpd.root_weight + sum(part.weight for part in skpd.parts)
    root = headcount * skpd.root_weight / total
    if rng is None:
        return root, [headcount * part.weight / total for part in skpd.parts]
    parts = []
    for part in skpd.parts:
        drawn = _drawn(part, rng)
        if drawn is None:
            share = headcount * part.weight * rng.uniform(*SIZE_SPREAD) / total
            drawn = min(max(share, PART_RANGE[0]), PART_RANGE[1])
        parts.append(drawn)
    return root, parts


def skpd_units(skpd: Skpd, *, headcount: float, rng: random.Random | None = None) -> list[UnitPlan]:
    """The SKPD and its parts, its headcount shared out by the parts' weights (sizes drawn with `rng`)."""
    root_baseline, baselines = part_baselines(skpd, headcount=headcount, rng=rng)
    root = UnitPlan(code=skpd.code, name=skpd.name, short_name=skpd.short_name, kind=skpd.kind, parent_code="",
                    head=skpd.head, leaders=skpd.leaders, staff=skpd.staff + GENERIC_STAFF, field=skpd.field,
                    baseline=root_baseline, office=skpd.office)
    parts = [
        UnitPlan(code=f"{skpd.code}-{part.suffix}", name=part.name, short_name="", kind=part.kind,
                 parent_code=skpd.code, head=part_head(part), leaders=part_leaders(part),
                 staff=part_staff(part, skpd), field=part.field or skpd.field,
                 baseline=baseline, site_kelurahan=part.site_kelurahan)
        for part, baseline in zip(skpd.parts, baselines, strict=True)
    ]
    return [root, *parts]


def regional_units(*, kecamatan: list[Region], kelurahan: list[Region], rng: random.Random) -> list[UnitPlan]:
    """One office per kecamatan and, under it, one per kelurahan; sized like real ones (15-25 and 6-12)."""
    plans = []
    for kec in kecamatan:
        kec_code = f"KEC-{region_code_digits(kec.code)}"
        plans.append(UnitPlan(
            code=kec_code, name=f"Kecamatan {kec.name}", short_name=f"Kec. {kec.name}", kind=UnitKind.KECAMATAN,
            parent_code="", head="Camat", leaders=KECAMATAN_LEADERS, staff=REGIONAL_STAFF, field="umum",
            baseline=rng.randint(15, 25), kecamatan_code=kec.code))
        for kel in (k for k in kelurahan if k.parent_code == kec.code):
            plans.append(UnitPlan(
                code=f"KEL-{region_code_digits(kel.code)}", name=f"Kelurahan {kel.name}",
                short_name=f"Kel. {kel.name}", kind=UnitKind.KELURAHAN, parent_code=kec_code, head="Lurah",
                leaders=KELURAHAN_LEADERS, staff=REGIONAL_STAFF, field="umum", baseline=rng.randint(6, 12),
                kelurahan_code=kel.code))
    return plans


def plan_units(*, catalogue: tuple[Skpd, ...], kecamatan: list[Region], kelurahan: list[Region],
               rng: random.Random) -> list[UnitPlan]:
    """Every unit of the city, parents before children, with baselines summing to BASELINE_EMPLOYEES."""
    regional = regional_units(kecamatan=kecamatan, kelurahan=kelurahan, rng=rng)
    skpd_total = BASELINE_EMPLOYEES - sum(plan.baseline for plan in regional)
    scale = skpd_total / sum(skpd.headcount for skpd in catalogue)
    plans = [plan for skpd in catalogue for plan in skpd_units(skpd, headcount=skpd.headcount * scale, rng=rng)]
    drawn = sum(plan.baseline for plan in plans)  # drawn sizes do not add up exactly: the SKPD share stays
    plans = [dataclasses.replace(plan, baseline=plan.baseline * skpd_total / drawn) for plan in plans]
    return plans + regional


def unit_sizes(plans: list[UnitPlan], *, employees: int) -> list[int]:
    """Headcount per unit: one head each, the rest shared by baseline (largest remainders, ties by order)."""
    if employees < len(plans):
        raise ValueError(f"need at least {len(plans)} employees, one to head each unit")
    extra = employees - len(plans)
    weights = [max(plan.baseline - 1, 0.0) for plan in plans]
    total = sum(weights)
    quotas = [extra * weight / total for weight in weights]
    sizes = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(plans)), key=lambda i: (sizes[i] - quotas[i], i))
    for i in by_remainder[:extra - sum(sizes)]:
        sizes[i] += 1
    return [1 + size for size in sizes]
