"""The demo's historic sidak, built through the real services on top of the seeded attendance.

Up to four closed inspections inside the history range: the mayor's own on the first working day of the
latest year that starts inside the range (read from the seeded calendar), one on the first day back after the
longest break, one of the unit where a colleague punches for a handful of others every day (the history's proxy
punchers: they are "not found"), and a revisit of the first unit so that a repeat offender shows. Marks follow
the records (a punch before the inspector looked: present; approved leave: leave confirmed; otherwise not found)
with a few injected discrepancies: someone at their desk who never punched, someone on leave who came in anyway.
Findings are assigned to the units, and some are followed up.
"""

import datetime as dt
import random
import uuid
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from satulayar.attendance.calendar import is_work_day
from satulayar.attendance.reports import long_holiday_returns
from satulayar.demo.history import fire_operations_unit, history_people, history_range
from satulayar.inspections import services
from satulayar.inspections.choices import FindingKind, FollowUpStatus, Observation
from satulayar.inspections.models import Finding, Inspection
from satulayar.inspections.records import day_records
from satulayar.org.choices import Role
from satulayar.org.models import City, Unit

MIN_STAFF = 8
MAX_STAFF = 120  # a roster one team walks through in a morning
SECONDS_PER_PERSON = 25


def first_work_day_of_year(*, city: City, year: int) -> dt.date:
    day = dt.date(year, 1, 1)
    while not is_work_day(city=city, date=day):
        day += dt.timedelta(days=1)
    return day


def latest_first_work_day(*, city: City, start: dt.date, end: dt.date) -> dt.date | None:
    """The first working day of the latest year whose first working day lies in [start, end)."""
    for year in range(end.year, start.year - 1, -1):
        day = first_work_day_of_year(city=city, year=year)
        if start <= day < end:
            return day
    return None


def _lead(city: City, role: str):
    return (get_user_model().objects.filter(role_assignments__role=role, role_assignments__city=city, is_active=True)
            .order_by("pk").first())


def _units_with_staff(city: City) -> list[tuple[Unit, int]]:
    """Every unit with the active staff of its subtree (what a sidak of it would roster)."""
    units = list(Unit.objects.filter(city=city, active=True).order_by("path"))
    own = dict(Unit.objects.filter(city=city).annotate(staff=Count("employees", filter=Q(employees__active=True)))
               .values_list("pk", "staff"))
    return [(u, sum(own.get(o.pk, 0) for o in units if u.contains_path(o.path))) for u in units]


def _plan(*, city: City, start: dt.date, end: dt.date, seed: int, rng: random.Random) -> list[tuple[dt.date, Unit]]:
    counted = _units_with_staff(city)
    units = [u for u, staff in counted if MIN_STAFF <= staff <= MAX_STAFF] or [u for u, staff in counted if staff]
    if not units:
        return []
    work_days = [start + dt.timedelta(days=n) for n in range((end - start).days)
                 if is_work_day(city=city, date=start + dt.timedelta(days=n))]
    if not work_days:
        return []
    governance = next((u for u, staff in counted if "Pemerintahan" in u.name and staff), None) or rng.choice(units)
    opening = latest_first_work_day(city=city, start=start, end=end) or work_days[0]
    returns = [d for d in long_holiday_returns(city=city, start=start, end=end - dt.timedelta(days=1))
               if d != opening]
    later = [d for d in work_days if d > opening] or work_days
    plan = [(opening, governance), (returns[len(returns) // 2] if returns else rng.choice(later), rng.choice(units))]
    proxies = {p.employee_id for p in history_people(city=city, seed=seed, shift_unit=fire_operations_unit(city))
               if p.suspicious_slot}
    proxy_unit = Unit.objects.filter(employees__in=proxies).first()
    if proxy_unit is not None:
        plan.append((rng.choice(later[len(later) // 2:]), proxy_unit))
    plan.append((rng.choice(later), governance))  # the revisit: who was missing the first time
    return sorted(set(plan), key=lambda p: p[0])


def _observe(*, record, observed_at: dt.datetime) -> str:
    if record.recorded.leave_kind:
        return Observation.LEAVE_CONFIRMED
    return Observation.PRESENT if record.recorded.present_at(observed_at) else Observation.NOT_FOUND


def _inject(rng: random.Random, marks: list[dict], records: dict, proxies: set[int],
            repeat: set[int]) -> None:
    """A few marks that disagree with the records, the way a real walk-through finds them."""
    by_observation = {o: [m for m in marks if m["observation"] == o] for o in Observation.values}
    missing = [m for m in marks if m["employee"] in proxies | repeat and m["observation"] == Observation.PRESENT]
    present = by_observation[Observation.PRESENT]
    if not missing and present:
        missing = [rng.choice(present)]
    for mark in missing:
        mark["observation"] = Observation.NOT_FOUND
        mark["note"] = "Tidak ada di ruangan; rekan kerja tidak tahu keberadaannya."
    absent = [m for m in by_observation[Observation.NOT_FOUND] if records[m["employee"]].recorded.first_in is None]
    for mark in rng.sample(absent, min(2, len(absent))):
        mark["observation"] = Observation.PRESENT
        mark["note"] = "Ada di meja kerja, belum absen: mesin di lobi antre."
    on_leave = by_observation[Observation.LEAVE_CONFIRMED]
    if on_leave:
        mark = rng.choice(on_leave)
        mark["observation"], mark["note"] = Observation.PRESENT, "Tercatat cuti tetapi masuk kerja."


def _inspect(*, city, date, unit, lead, rng, proxies: set[int], repeat: set[int], title: str) -> Inspection:
    zone = city.zone
    started_at = dt.datetime.combine(date, dt.time(8, 30), tzinfo=zone).astimezone(dt.UTC) \
        + dt.timedelta(minutes=rng.randrange(0, 45))
    inspection = services.inspection_start(actor=lead, units=[unit], title=title, started_at=started_at,
                                           now=started_at)
    entries = list(inspection.entries.select_related("employee__unit__city").order_by("unit__path", "employee__name"))
    closed_at = started_at + dt.timedelta(seconds=SECONDS_PER_PERSON * len(entries) + 20 * 60)
    records = day_records(employees=[e.employee for e in entries], date=date, as_of=closed_at)
    marks = []
    for index, entry in enumerate(entries):
        observed_at = started_at + dt.timedelta(seconds=SECONDS_PER_PERSON * (index + 1))
        marks.append({"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "employee": entry.employee_id,
                      "observation": _observe(record=records[entry.employee_id], observed_at=observed_at),
                      "observed_at": observed_at, "note": ""})
    _inject(rng, marks, records, proxies, repeat)
    services.marks_submit(actor=lead, inspection=inspection, items=marks, now=closed_at - dt.timedelta(minutes=10))
    return services.inspection_close(actor=lead, inspection=inspection, now=closed_at,
                                     note="Hasil sidak sesuai pengamatan tim di lapangan.")


def _follow_up(rng: random.Random, inspection: Inspection, lead) -> None:
    for finding in inspection.findings.select_related("unit").order_by("pk"):
        if finding.kind not in (FindingKind.PROXY_SUSPECT, FindingKind.ABSENT_NO_RECORD,
                                FindingKind.PRESENT_ON_LEAVE):
            continue
        services.finding_assign(actor=lead, finding=finding, due_date=inspection.date + dt.timedelta(days=14))
        roll = rng.random()
        if roll < 0.5:
            services.finding_follow_up(actor=None, finding=finding, status=FollowUpStatus.DONE,
                                       note="Pegawai dipanggil dan diberi teguran lisan oleh kepala unit.")
        elif roll < 0.8:
            services.finding_follow_up(actor=None, finding=finding, status=FollowUpStatus.IN_PROGRESS,
                                       note="Klarifikasi kepada pegawai dijadwalkan.")


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> str:
    mayor, inspector = _lead(city, Role.EXECUTIVE), _lead(city, Role.INSPECTOR)
    if days <= 0 or inspector is None:
        return "Sidak: tanpa riwayat (tidak ada riwayat kehadiran atau akun inspektur)"
    rng = random.Random(f"{seed}/inspections")
    start, _end = history_range(end=end, days=days)
    plan = _plan(city=city, start=start, end=end, seed=seed, rng=rng)
    proxies = {p.employee_id for p in history_people(city=city, seed=seed, shift_unit=fire_operations_unit(city))
               if p.suspicious_slot}
    first_year_day = latest_first_work_day(city=city, start=start, end=end)
    repeat: set[int] = set()
    done = []
    for index, (date, unit) in enumerate(plan):
        mayor_walk = first_year_day is not None and date == first_year_day and mayor is not None
        title = (f"Sidak Wali Kota hari kerja pertama {date.year}: {unit.label}" if mayor_walk
                 else f"Sidak Inspektorat {unit.label}")
        inspection = _inspect(city=city, date=date, unit=unit, lead=mayor if mayor_walk else inspector, rng=rng,
                              proxies=proxies, repeat=repeat, title=title)
        if index == 0:  # whoever was not found the first time is not found on the revisit either
            repeat = set(Finding.objects.filter(inspection=inspection, kind__in=(
                FindingKind.PROXY_SUSPECT, FindingKind.ABSENT_NO_RECORD)).values_list("employee", flat=True)[:2])
        _follow_up(rng, inspection, inspection.lead)
        done.append(inspection)
        progress(f"  sidak {date.isoformat()} {unit.label}: {inspection.findings.count()} temuan")
    findings = Finding.objects.filter(inspection__in=done).count()
    first = " termasuk hari kerja pertama " + first_year_day.strftime("%d-%m-%Y") \
        if any(i.date == first_year_day for i in done) else ""
    return f"Sidak: {len(done)} sidak selesai dengan {findings} temuan{first}"
