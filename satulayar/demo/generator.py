"""Seeds a demo city through the same services users call: regions, units, employees, unit heads and sites,
then a history of attendance (calendar, machines, shifts, leave, punches and daily statuses; see history.py).

The same seed gives the same city and history for the same end date. Nothing here reads the clock: the seed
command passes the history's end (by default yesterday in the city's zone, so the live demo continues it
today); tests pass fixed dates such as REFERENCE_DATE.
"""

import datetime as dt
import json
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from django.db import transaction
from django.utils import formats, translation

from satulayar.attendance.choices import DayStatus
from satulayar.core.time import zone_named
from satulayar.demo import banjarmasin
from satulayar.demo.history import history_build
from satulayar.demo.organisation import Region, UnitPlan, plan_units
from satulayar.demo.people import EmployeeRow, employee_rows
from satulayar.demo.progress import bar
from satulayar.org.choices import SiteKind, UnitKind
from satulayar.org.models import City, Employee, Kecamatan, Kelurahan, Site, Unit
from satulayar.org.reference import DATA_DIR as REFERENCE_DIR
from satulayar.org.reference import city_load_reference
from satulayar.org.services import employee_bulk_create, site_create, unit_create, unit_update

REFERENCE_DATE = dt.date(2026, 11, 30)  # a fixed history end for tests; the demo ends its history yesterday
CATALOGUES: dict[str, ModuleType] = {"banjarmasin": banjarmasin}
EMPLOYEE_CHUNK = 1000
METRES_PER_DEGREE = 111_320
STEPS = 7


class SeedError(Exception):
    """The demo city cannot be seeded here; the message says why, in Indonesian."""


def available_demo_cities() -> list[str]:
    return sorted(CATALOGUES)


def city_yesterday(city_slug: str, *, now: dt.datetime | None = None) -> dt.date:
    """Yesterday in the city's own time zone (from its reference data): where the demo's history ends."""
    meta = json.loads((REFERENCE_DIR / city_slug / "city.json").read_text())
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(zone_named(meta["timezone"])).date() - dt.timedelta(days=1)


def indonesian_number(value: float, digits: int = 0) -> str:
    with translation.override("id"):
        return formats.number_format(value, digits, use_l10n=True, force_grouping=True)


def seed_city(*, city_slug: str, employees: int, days: int, seed: int,
              progress: Callable[[str], None] = lambda message: None, on: dt.date = REFERENCE_DATE,
              history: bool = True) -> dict:
    """Build the demo city in an empty database and return a summary of what was made.

    With `history`, also `days` days of attendance ending on `on` (steps 6 and 7)."""
    catalogue = _catalogue(city_slug)
    _refuse_if_seeded()
    with transaction.atomic():
        city = city_load_reference(city_slug)
        plans = city_plan(city=city, seed=seed)
        regions = Counter(plan.kind for plan in plans)
        progress(f"[1/{STEPS}] Wilayah: {regions[UnitKind.KECAMATAN]} kecamatan, "
                 f"{regions[UnitKind.KELURAHAN]} kelurahan")
        if employees < len(plans):
            raise SeedError(f"Kota demo butuh sedikitnya {indonesian_number(len(plans))} pegawai: "
                            f"satu kepala untuk setiap unit kerja.")
        units = _create_units(city, plans)
        progress(f"[2/{STEPS}] Unit kerja: {indonesian_number(len(units))} unit "
                 f"({sum(plan.is_skpd for plan in plans)} SKPD)")

        rows = employee_rows(plans=plans, employees=employees, seed=seed, on=on)
        _create_employees(rows, units, progress)
        heads = _assign_heads(rows, units)
        progress(f"[4/{STEPS}] Kepala unit: {indonesian_number(heads)} unit dipimpin")

        sites = _create_sites(city, plans, units, catalogue=catalogue, rng=random.Random(f"{seed}/sites"))
        progress(f"[5/{STEPS}] Lokasi: {indonesian_number(len(sites))} lokasi "
                 f"({sum(site.kind == SiteKind.KELURAHAN_OFFICE for site in sites)} kantor kelurahan)")
        attendance = None
        if history and days > 0:
            attendance = history_build(city=city, days=days, seed=seed, end=on, step=f"[6/{STEPS}]",
                                       progress=progress, number=indonesian_number)
            progress(f"[7/{STEPS}] Status harian: {indonesian_number(attendance.daily_statuses)} baris "
                     f"({_status_mix(attendance.statuses, late=attendance.late)}; "
                     f"{indonesian_number(attendance.seconds['statuses'], 1)} detik)")
    types = Counter(row.employment_type for row in rows)
    return {
        "city": city_slug, "seed": seed, "days": days, "reference_date": on,
        "kecamatan": regions[UnitKind.KECAMATAN], "kelurahan": regions[UnitKind.KELURAHAN], "units": len(units),
        "skpd": sum(plan.is_skpd for plan in plans), "employees": len(rows),
        "employment_types": {str(kind): types[kind] for kind in sorted(types)}, "heads": heads, "sites": len(sites),
        "punches": attendance.punches if attendance else 0,
        "daily_statuses": attendance.daily_statuses if attendance else 0,
        "history": attendance.as_dict() if attendance else None,
    }


def _status_mix(statuses: dict[str, int], *, late: int = 0) -> str:
    """'hadir 98,4 % (terlambat 7,9 %), tanpa keterangan (tk) 1,2 %, …', largest first."""
    total = sum(statuses.values()) or 1
    parts = []
    for status, count in sorted(statuses.items(), key=lambda item: (-item[1], item[0])):
        part = f"{str(DayStatus(status).label).lower()} {indonesian_number(100 * count / total, 1)} %"
        if status == DayStatus.PRESENT and late:
            part += f" (terlambat {indonesian_number(100 * late / total, 1)} %)"
        parts.append(part)
    return ", ".join(parts)


def _catalogue(city_slug: str) -> ModuleType:
    if city_slug not in CATALOGUES:
        raise SeedError(f"Belum ada data demo untuk kota {city_slug!r}; tersedia: "
                        f"{', '.join(available_demo_cities())}.")
    return CATALOGUES[city_slug]


def _refuse_if_seeded() -> None:
    employees, units = Employee.objects.count(), Unit.objects.count()
    if employees or units:
        raise SeedError(
            f"Basis data ini sudah berisi {indonesian_number(employees)} pegawai dan {indonesian_number(units)} "
            f"unit kerja; seed hanya mengisi basis data yang kosong. Untuk mulai dari awal, hapus basis datanya "
            f"(folder var/ atau SATULAYAR_DATA_DIR), lalu jalankan migrate dan seed lagi.")


def city_plan(*, city: City, seed: int) -> list[UnitPlan]:
    """The units to create for a city whose regions are loaded: one office per kecamatan and kelurahan."""
    kecamatan = [Region(k.code, k.name) for k in Kecamatan.objects.filter(city=city).order_by("code")]
    kelurahan = [Region(k.code, k.name, k.kecamatan.code)
                 for k in Kelurahan.objects.filter(kecamatan__city=city).select_related("kecamatan").order_by("code")]
    return plan_units(catalogue=_catalogue(city.slug).CATALOGUE, kecamatan=kecamatan, kelurahan=kelurahan,
                      rng=random.Random(f"{seed}/units"))


def _create_units(city: City, plans: list[UnitPlan]) -> dict[str, Unit]:
    kecamatan = {k.code: k for k in Kecamatan.objects.filter(city=city)}
    kelurahan = {k.code: k for k in Kelurahan.objects.filter(kecamatan__city=city)}
    units: dict[str, Unit] = {}
    for plan in plans:
        extra = {}
        if plan.kecamatan_code:
            extra["kecamatan"] = kecamatan[plan.kecamatan_code]
        if plan.kelurahan_code:
            extra["kelurahan"] = kelurahan[plan.kelurahan_code]
        units[plan.code] = unit_create(actor=None, city=city, name=plan.name, code=plan.code, kind=plan.kind,
                                       parent=units.get(plan.parent_code), short_name=plan.short_name, **extra)
    return units


def _create_employees(rows: list[EmployeeRow], units: dict[str, Unit], progress: Callable[[str], None]) -> None:
    with bar(f"[3/{STEPS}] Pegawai", len(rows), unit="pegawai") as advance:
        for start in range(0, len(rows), EMPLOYEE_CHUNK):
            chunk = rows[start:start + EMPLOYEE_CHUNK]
            result = employee_bulk_create(actor=None, rows=[row.fields(units[row.unit_code]) for row in chunk],
                                          batch_size=EMPLOYEE_CHUNK)
            if result.errors:
                number, nip, errors = result.errors[0]
                raise SeedError(f"{len(result.errors)} baris pegawai ditolak; yang pertama baris {start + number} "
                                f"(NIP {nip or '-'}): {errors}")
            advance(len(chunk))
    progress(f"[3/{STEPS}] Pegawai: {indonesian_number(len(rows))}")


def _assign_heads(rows: list[EmployeeRow], units: dict[str, Unit]) -> int:
    heads = [row for row in rows if row.is_head]
    by_nip = Employee.objects.in_bulk([row.nip for row in heads], field_name="nip")
    for row in heads:
        unit_update(actor=None, unit=units[row.unit_code], head=by_nip[row.nip])
    return len(heads)


def offset(point: tuple[float, float], *, metres: float, bearing: float) -> tuple[float, float]:
    lat, lon = point
    north, east = metres * math.cos(bearing), metres * math.sin(bearing)
    return (round(lat + north / METRES_PER_DEGREE, 6),
            round(lon + east / (METRES_PER_DEGREE * math.cos(math.radians(lat))), 6))


def scatter(rng: random.Random, point: tuple[float, float], *, nearest: float, farthest: float) -> tuple[float, float]:
    """A point between `nearest` and `farthest` metres away, evenly over that ring's area."""
    metres = math.sqrt(rng.uniform(nearest**2, farthest**2))
    return offset(point, metres=metres, bearing=rng.uniform(0, 2 * math.pi))


def _create_sites(city: City, plans: list[UnitPlan], units: dict[str, Unit], *, catalogue: ModuleType,
                  rng: random.Random) -> list[Site]:
    """SKPD offices within ~3 km of the city hall; kecamatan, kelurahan and UPT offices in their kelurahan."""
    places = SitePlaces(city=city, centre=catalogue.CITY_HALL, streets=catalogue.STREETS, rng=rng,
                        kelurahan={k.code: k for k in Kelurahan.objects.filter(kecamatan__city=city)
                                   .select_related("kecamatan").order_by("code")})
    planned = [site for plan in plans if (site := places.site_for(plan, units[plan.code]))]
    return [
        site_create(actor=None, city=s.city, name=s.name, kind=s.kind, unit=s.unit, kelurahan=s.kelurahan,
                    address=s.address, lat=s.lat, lon=s.lon, radius_m=s.radius_m)
        for s in planned
    ]


@dataclass
class SitePlaces:
    city: City
    centre: tuple[float, float]
    streets: tuple[str, ...]
    kelurahan: dict[str, Kelurahan]
    rng: random.Random

    def site_for(self, plan: UnitPlan, unit: Unit) -> Site | None:
        if plan.kind == UnitKind.KELURAHAN:
            return self.kelurahan_office(plan, unit)
        if plan.kind == UnitKind.KECAMATAN:
            return self.kecamatan_office(plan, unit)
        if plan.is_skpd:
            return self.skpd_office(plan, unit)
        if plan.site_kelurahan:
            return self.upt_office(plan, unit)
        return None

    def kelurahan_office(self, plan: UnitPlan, unit: Unit) -> Site:
        kel = self.kelurahan[plan.kelurahan_code]
        lat, lon = self.centroid(kel)
        return Site(city=self.city, name=f"Kantor {plan.name}", kind=SiteKind.KELURAHAN_OFFICE, unit=unit,
                    kelurahan=kel, address=self.address_in(kel), lat=lat, lon=lon, radius_m=100)

    def kecamatan_office(self, plan: UnitPlan, unit: Unit) -> Site:
        kel = self.rng.choice([k for k in self.kelurahan.values() if k.kecamatan.code == plan.kecamatan_code])
        # Beside, not on, the kelurahan centroid, so its geofence does not swallow that kelurahan's office.
        lat, lon = scatter(self.rng, self.centroid(kel), nearest=250, farthest=350)
        return Site(city=self.city, name=f"Kantor Camat {plan.name.removeprefix('Kecamatan ')}", unit=unit,
                    address=self.address_in(kel), lat=lat, lon=lon, radius_m=self.radius())

    def skpd_office(self, plan: UnitPlan, unit: Unit) -> Site:
        lat, lon = plan.office.position or scatter(self.rng, self.centre, nearest=300, farthest=3000)
        street = plan.office.address or f"{self.rng.choice(self.streets)} No. {self.rng.randint(1, 150)}"
        return Site(city=self.city, name=plan.office.name or f"Kantor {plan.name}", unit=unit,
                    address=f"{street}, {self.city.name}", lat=lat, lon=lon, radius_m=self.radius())

    def upt_office(self, plan: UnitPlan, unit: Unit) -> Site:
        kel = self.kelurahan[plan.site_kelurahan]
        lat, lon = scatter(self.rng, self.centroid(kel), nearest=100, farthest=400)
        return Site(city=self.city, name=plan.name, unit=unit, address=self.address_in(kel), lat=lat, lon=lon,
                    radius_m=self.radius())

    def centroid(self, kelurahan: Kelurahan) -> tuple[float, float]:
        if kelurahan.centroid_lat is None or kelurahan.centroid_lon is None:
            return self.centre
        return kelurahan.centroid_lat, kelurahan.centroid_lon

    def radius(self) -> int:
        return self.rng.randrange(75, 151, 5)

    def address_in(self, kelurahan: Kelurahan) -> str:
        return f"Kelurahan {kelurahan.name}, Kecamatan {kelurahan.kecamatan.name}, {self.city.name}"
