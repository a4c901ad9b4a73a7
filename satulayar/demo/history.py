"""The demo city's attendance history: a year of punches, leave and shifts, written through the real services.

`history_plan` is pure: from the people (where they punch, whether they work shifts or in the field), the
work calendar and the seed it lists every punch, leave request and rostered shift. Each employee draws from
their own `random.Random(f"{seed}/history/{employee_id}")`, so an employee's history does not depend on who
else is planned or in which order.

`history_build` writes the plan the way the city would: the work calendar and TPP rules, the default
schedules and a three-team roster for the fire brigade's operations unit, one approved fingerprint machine
per office someone punches at (SKPD, kecamatan, kelurahan, Puskesmas and school sites), leave requests
approved by the system, punches ingested per machine in large batches, and one rebuild of the daily
statuses for the whole range at the end, on the set-based engine (`attendance.status_bulk`).

The habits behind the numbers: most arrive between 07:00 and 07:35 and leave after their end time; about one
in twelve is habitually late; about one day in twenty has only the arrival (forgot to punch out); about one
in a hundred is TK. The first working day after a long break (three days off or more: Idul Fitri, Christmas)
and the first working day of the year see more TK and more lateness. A handful of employees of one unit
punch at the very same second every day, a few seconds apart from each other: one colleague punching for
them all. Field staff often check in by phone inside their office's geofence, and on dinas luar from
wherever they are.
"""

import datetime as dt
import functools
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count

from satulayar.attendance.calendar import calendar_seed
from satulayar.attendance.checkin import BROWSER_PURPOSE
from satulayar.attendance.choices import DayStatus, LeaveKind, PunchSource, RequestStatus, ScheduleKind
from satulayar.attendance.devices import device_register
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.leave_balance import ANNUAL_DAYS
from satulayar.attendance.leave_papers import papers_required
from satulayar.attendance.models import DailyStatus, Device, Kiosk, LeaveRequest
from satulayar.attendance.recap import tpp_rules_seed_default
from satulayar.attendance.schedules import (
    DEFAULT_SCHEDULE,
    WorkPlan,
    schedule_create_default,
    shift_set,
    work_schedule_set,
)
from satulayar.attendance.status import daily_status_rebuild
from satulayar.core.keyed_hash import keyed_hash
from satulayar.core.time import local_midnight, zone_named
from satulayar.demo.kiosk import demo_kiosk_register, kiosk_rows_split
from satulayar.demo.papers import doctor_letter
from satulayar.demo.progress import bar
from satulayar.org.models import City, Employee, Site, Unit

BATCH_ROWS = 50_000
BULK_CACHE_MB = 256
STATUS_DAYS = 31  # days of statuses rebuilt at once
FIRE_BRIGADE_NAME = "Pemadam Kebakaran"  # the SKPD whose operations unit works 24-hour shifts
FIRE_OPERATIONS_NAME = "Operasi"
SHIFT_NAME = "Sif regu pemadam (3 regu, 24 jam)"
SHIFT_START = dt.time(8, 0)
SHIFT_END = dt.time(8, 0)  # the next morning
SHIFT_TEAMS = 3
# The roster covers the range's last four weeks only: shift_set writes, audits and refreshes one shift at a
# time (7-12 ms each), and a year for the unit's 35 staff (4,259 shifts) took 30-50 s. Before the roster
# starts the unit keeps office hours.
ROSTER_DAYS = 28
FIELD_POSITIONS = ("Polisi Pamong Praja", "Lalu Lintas", "Penyuluh", "Pengawas", "Sanitasi", "Persampahan",
                   "Drainase", "Pengendali Dampak", "Surveyor")
SUSPICIOUS_COUNT = 5
SUSPICIOUS_IN = 7 * 3600 + 29 * 60  # 07:29:00
SUSPICIOUS_OUT = 16 * 3600 + 1 * 60  # 16:01:00
SUSPICIOUS_STEP = 20  # seconds between the colleagues one proxy punches for
LATE_HABIT_SHARE = 0.08
# Units differ: each top-level unit (SKPD, kecamatan) and each unit below it draws how many more of its people stay
# away or come late than the city's habits alone give; a few are chronically weak.
WEAK_UNIT_SHARE = 0.12
UNIT_ABSENT = (0.0, 0.03)  # extra TK chance of an ordinary unit
WEAK_ABSENT = (0.06, 0.11)  # … of a chronically weak one
WEAK_LATE = 0.12  # extra chance of coming late in a weak unit
WEEKDAY_DIP = {0: 0.3, 4: 0.2}  # Monday and Friday: more TK and lateness, like a small after-holiday dip
LATE_TAIL = 0.07  # of the late arrivals: one to three hours late (more in weak units and on rain days)
LATE_TAIL_MINUTES = (60, 180)
# Rain in the morning (Banjarmasin's wet season is November-April): more come late, and later.
RAIN_CHANCE = {11: 0.35, 12: 0.45, 1: 0.45, 2: 0.4, 3: 0.35, 4: 0.3, 5: 0.15, 6: 0.08, 7: 0.05, 8: 0.05, 9: 0.08,
               10: 0.2}
RAIN_LATE = 0.15
LEAVE_REQUESTS_PER_YEAR = 0.2  # per employee; each request costs two audited writes and a status refresh
# Cuti tahunan stays within the balance (attendance.leave_balance): at most this many working days a calendar
# year, two short of the 12 so the live demo's one-day requests still fit.
ANNUAL_LEAVE_DAYS_PER_YEAR = ANNUAL_DAYS - 2
LEAVE_KINDS = ((LeaveKind.ANNUAL, 40, (3, 8), "Cuti tahunan"), (LeaveKind.SICK, 30, (1, 4), "Sakit, surat dokter"),
               (LeaveKind.FIELD_DUTY, 25, (1, 3), "Dinas luar: rapat koordinasi dan monitoring lapangan"),
               (LeaveKind.PERMIT, 5, (1, 1), "Izin keperluan keluarga"))
VERIFY_FINGER = 1
STATE_IN, STATE_OUT = 0, 1


@dataclass(frozen=True)
class SitePoint:
    site_id: int
    lat: float
    lon: float
    radius_m: int


@dataclass(frozen=True)
class Person:
    """One employee as the plan needs them."""

    employee_id: int
    site: SitePoint | None  # the office whose machine they punch at (their unit's, or the nearest above it)
    field: bool = False  # checks in by phone on many days
    team: int | None = None  # shift team of the rostered fire brigade, 0 … SHIFT_TEAMS - 1
    suspicious_slot: int | None = None  # n-th of the colleagues with identical punches every day
    unit_absent: float = 0.0  # extra TK chance from their units (see WEAK_UNIT_SHARE)
    unit_late: float = 0.0  # extra chance of coming late from their units


@dataclass(frozen=True)
class WorkCalendar:
    """Local hours of each fixed-schedule work day of the range, and how hard each day after a break hits."""

    start: dt.date
    end: dt.date
    zone_name: str
    hours: dict[dt.date, tuple[dt.time, dt.time]]
    dips: dict[dt.date, float]  # 0 … 1, only days after a long break and the year's first working day
    roster_start: dt.date | None = None  # from this date on the fire brigade's operations unit works shifts

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class PlannedLeave:
    employee_id: int
    kind: str
    start_date: dt.date
    end_date: dt.date
    reason: str


@dataclass
class HistoryPlan:
    device: list[PunchRow] = field(default_factory=list)  # site_id is the machine's site
    mobile: list[PunchRow] = field(default_factory=list)
    leaves: list[PlannedLeave] = field(default_factory=list)
    shifts: list[tuple[int, dt.date]] = field(default_factory=list)  # SHIFT_START on that date to SHIFT_END


def history_range(*, end: dt.date, days: int) -> tuple[dt.date, dt.date]:
    return end - dt.timedelta(days=max(days, 1) - 1), end


def history_now(*, calendar: WorkCalendar) -> dt.datetime:
    """The moment the history is written 'at': the local midnight after its last day, so every day is over."""
    return local_midnight(calendar.end + dt.timedelta(days=1), zone_named(calendar.zone_name))


def dips_for(hours: dict[dt.date, tuple[dt.time, dt.time]], *, start: dt.date, end: dt.date) -> dict[dt.date, float]:
    """How hard each work day after a break hits: after three days off or more (a long weekend 0.4, four or
    five days 0.7, a week like Idul Fitri 1.0; as in reports.long_holiday_returns, an ordinary weekend is
    not a break) and on the first working day of a year (1.0: the mayor's question)."""
    dips: dict[dt.date, float] = {}
    off, day, seen_years = 0, start, set()
    while day <= end:
        if day in hours:
            strength = 0.0
            if off >= 6:
                strength = 1.0
            elif off >= 4:
                strength = 0.7
            elif off >= 3:
                strength = 0.4
            if day.year not in seen_years and (day - dt.date(day.year, 1, 1)).days < 10:
                strength = 1.0  # the first working day of the year
            seen_years.add(day.year)
            if strength:
                dips[day] = strength
            off = 0
        else:
            off += 1
        day += dt.timedelta(days=1)
    return dips


def roster_start_for(*, start: dt.date, end: dt.date) -> dt.date:
    return max(start, end - dt.timedelta(days=ROSTER_DAYS - 1))


def work_calendar(*, city: City, start: dt.date, end: dt.date, roster_start: dt.date | None = None) -> WorkCalendar:
    """The fixed-schedule work days from the calendar table, read the way the status rules read them."""
    lead = start - dt.timedelta(days=21)  # breaks that began before the range still count
    plan = WorkPlan(start=lead, end=end, city_ids=[city.pk])
    hours = {}
    day = lead
    while day <= end:
        found = plan.fixed_day_hours(DEFAULT_SCHEDULE, city.pk, day)
        if found:
            hours[day] = found
        day += dt.timedelta(days=1)
    dips = {day: strength for day, strength in dips_for(hours, start=lead, end=end).items() if day >= start}
    return WorkCalendar(start=start, end=end, zone_name=city.timezone,
                        hours={day: h for day, h in hours.items() if day >= start}, dips=dips,
                        roster_start=roster_start)


# --- the pure plan ---------------------------------------------------------------------------------------------

def _seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _point_near(rng: random.Random, site: SitePoint, *, nearest: float, farthest: float) -> tuple[float, float, float]:
    metres = math.sqrt(rng.uniform(nearest ** 2, farthest ** 2))
    bearing = rng.uniform(0, 2 * math.pi)
    lat = site.lat + metres * math.cos(bearing) / 111_320
    lon = site.lon + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(site.lat)))
    return round(lat, 6), round(lon, 6), round(metres, 1)


@dataclass
class _Habits:
    arrive: float  # mean arrival, seconds after local midnight
    spread: float
    late_days: float  # share of days they come late
    late_range: tuple[int, int]  # minutes after the start when they do
    stay: float  # mean minutes after the end time
    forget_out: float
    absent: float
    phone: float  # share of days a field worker checks in by phone

    @classmethod
    def draw(cls, rng: random.Random, person: Person) -> "_Habits":
        late_habit = rng.random() < LATE_HABIT_SHARE
        return cls(
            arrive=rng.uniform(7 * 3600 + 2 * 60, 7 * 3600 + 24 * 60), spread=rng.uniform(150, 420),
            late_days=rng.uniform(0.55, 0.85) if late_habit else rng.uniform(0.0, 0.05),
            late_range=(10, 60) if late_habit else (3, 25), stay=rng.uniform(2, 35),
            forget_out=rng.uniform(0.01, 0.09), absent=rng.uniform(0.002, 0.018),
            phone=rng.uniform(0.3, 0.7) if person.field else 0.0)


def _leave_plan(rng: random.Random, person: Person, work_days: list[dt.date], years: float,
                chance: float | None = None) -> list[PlannedLeave]:
    if person.team is not None or person.suspicious_slot is not None or not work_days:
        return []
    chance = LEAVE_REQUESTS_PER_YEAR * max(years, 0.25) if chance is None else chance
    count = int(chance) + (rng.random() < chance - int(chance))
    taken: set[int] = set()
    annual_days: Counter = Counter()  # working days of cuti tahunan per calendar year
    leaves = []
    for _ in range(count):
        kind, _weight, (shortest, longest), reason = rng.choices(LEAVE_KINDS, weights=[k[1] for k in LEAVE_KINDS])[0]
        length = rng.randint(shortest, longest)
        first = rng.randrange(len(work_days))
        span = range(first, min(first + length, len(work_days)))
        if taken & set(span) or not span:
            continue
        if kind == LeaveKind.ANNUAL:
            years = Counter(work_days[i].year for i in span)
            if any(annual_days[year] + days > ANNUAL_LEAVE_DAYS_PER_YEAR for year, days in years.items()):
                continue
            annual_days += years
        taken |= set(range(span.start - 1, span.stop + 1))  # not back to back either
        leaves.append(PlannedLeave(person.employee_id, kind, work_days[span.start], work_days[span.stop - 1], reason))
    return sorted(leaves, key=lambda leave: leave.start_date)


@dataclass(frozen=True)
class _Day:
    """A fixed-schedule work day as the punch loop needs it: seconds after local midnight, and its dip."""

    date: dt.date
    midnight: dt.datetime  # UTC
    start: int
    end: int
    dip: float
    rain: bool = False


def rain_day(*, seed: int, date: dt.date) -> bool:
    """Whether it rains on the morning of `date`: the same for the history and the live day."""
    return random.Random(f"{seed}/rain/{date.isoformat()}").random() < RAIN_CHANCE[date.month]


def history_plan(*, people: Iterable[Person], calendar: WorkCalendar, seed: int, stream: str = "",
                 leave_chance: float | None = None, now: dt.datetime | None = None,
                 tick: Callable[[int], None] = lambda n: None) -> HistoryPlan:
    """Every punch, leave request and shift of those people over the calendar's range. Pure and deterministic.

    The live demo plans one day at a time: `stream` (the date) gives each day its own draws while everyone
    keeps their habits, `leave_chance` is each one's chance of a leave request in the range (instead of
    LEAVE_REQUESTS_PER_YEAR), and `now` lets the last night's shift end. `tick(1)` after each person."""
    plan = HistoryPlan()
    zone = zone_named(calendar.zone_name)
    dates = calendar.dates()
    midnight = {day: local_midnight(day, zone) for day in [*dates, calendar.end + dt.timedelta(days=1)]}
    now = now or history_now(calendar=calendar)
    days = [_Day(day, midnight[day], _seconds(start), _seconds(end),
                 calendar.dips.get(day, 0.0) + WEEKDAY_DIP.get(day.weekday(), 0.0), rain_day(seed=seed, date=day))
            for day, (start, end) in sorted(calendar.hours.items())]
    years = len(dates) / 365
    roster_start = calendar.roster_start or calendar.start
    for person in people:
        rng = random.Random(f"{seed}/history/{person.employee_id}")
        habits = _Habits.draw(rng, person)
        office_days = days if person.team is None else [day for day in days if day.date < roster_start]
        leaves = _leave_plan(rng, person, [day.date for day in office_days], years, chance=leave_chance)
        plan.leaves += leaves
        if stream:
            rng = random.Random(f"{seed}/history/{person.employee_id}/{stream}")
        on_leave = {day.date: leave.kind for leave in leaves for day in office_days
                    if leave.start_date <= day.date <= leave.end_date}
        if person.suspicious_slot is not None:
            _proxied_days(plan, person, office_days)
        else:
            _office_days(plan, rng, person, habits, office_days, on_leave)
        if person.team is not None:
            _shift_person(plan, rng, person, habits, [day for day in dates if day >= roster_start], midnight, now,
                          roster_start=roster_start)
        tick(1)
    return plan


def _device_row(person: Person, at: dt.datetime, state: int) -> PunchRow:
    return PunchRow(person.employee_id, at, state, VERIFY_FINGER, person.site.site_id if person.site else None)


def phone_id(employee_id: int) -> str:
    """The id the check-in page keeps in the browser of the person's own phone."""
    return f"demo-phone/{employee_id}"


@functools.cache
def phone_browser(employee_id: int) -> str:
    """Its keyed hash, as a punch stores it."""
    return keyed_hash(purpose=BROWSER_PURPOSE, value=phone_id(employee_id))


def _phone_row(rng: random.Random, person: Person, at: dt.datetime, *, away: bool) -> PunchRow:
    site = person.site
    if away:  # dinas luar: wherever the meeting is, the check-in is allowed outside the fence
        lat, lon, distance = _point_near(rng, site, nearest=800, farthest=6000)
        return PunchRow(employee_id=person.employee_id, at=at, site_id=site.site_id, lat=lat, lon=lon,
                        accuracy_m=round(rng.uniform(5, 30), 1), distance_m=distance, note="Dinas luar",
                        browser=phone_browser(person.employee_id))
    lat, lon, distance = _point_near(rng, site, nearest=0, farthest=site.radius_m * 0.8)
    return PunchRow(employee_id=person.employee_id, at=at, site_id=site.site_id, lat=lat, lon=lon,
                    accuracy_m=round(rng.uniform(4, 25), 1), distance_m=distance,
                    browser=phone_browser(person.employee_id))


def _proxied_days(plan: HistoryPlan, person: Person, days: list[_Day]) -> None:
    """The same second in and out every work day: never late, never ill, never forgetting."""
    offset = person.suspicious_slot * SUSPICIOUS_STEP
    arrive, leave = dt.timedelta(seconds=SUSPICIOUS_IN + offset), dt.timedelta(seconds=SUSPICIOUS_OUT + offset)
    for day in days:
        plan.device.append(_device_row(person, day.midnight + arrive, STATE_IN))
        plan.device.append(_device_row(person, day.midnight + leave, STATE_OUT))


def _office_days(plan: HistoryPlan, rng: random.Random, person: Person, habits: _Habits, days: list[_Day],
                 on_leave: dict[dt.date, str]) -> None:
    """Arrival and departure of each work day; the hot loop of the plan, so its names are local."""
    device, second = plan.device.append, dt.timedelta(seconds=1)
    chance, gauss, uniform, expovariate = rng.random, rng.gauss, rng.uniform, rng.expovariate
    employee_id, site_id = person.employee_id, person.site.site_id if person.site else None
    has_site = person.site is not None
    late_low, late_high = habits.late_range
    absent, late_days = habits.absent + person.unit_absent, habits.late_days + person.unit_late
    tail = LATE_TAIL * (2 if person.unit_late else 1)
    for day in days:
        midnight, dip = day.midnight, day.dip
        rain = RAIN_LATE if day.rain else 0.0
        leave = on_leave.get(day.date)
        if leave is not None:
            if leave == LeaveKind.FIELD_DUTY and has_site and chance() < 0.6:
                at = midnight + second * int(uniform(7 * 3600, 9 * 3600))
                plan.mobile.append(_phone_row(rng, person, at, away=True))
            continue
        if chance() < absent + 0.10 * dip:
            continue  # TK
        if chance() < late_days + 0.30 * dip + rain:
            if chance() < tail + rain / 2:
                arrive = day.start + uniform(*LATE_TAIL_MINUTES) * 60
            else:
                arrive = day.start + uniform(late_low, late_high + 15 * dip + 40 * rain) * 60
        else:
            arrive = max(min(gauss(habits.arrive, habits.spread), day.start + 300), day.start - 3000)
        phone = has_site and chance() < habits.phone
        at = midnight + second * int(arrive)
        if phone:
            plan.mobile.append(_phone_row(rng, person, at, away=False))
        else:
            device(PunchRow(employee_id, at, STATE_IN, VERIFY_FINGER, site_id))
        if chance() < habits.forget_out:
            continue
        left_early = chance() < 0.02
        leave_s = day.end - uniform(15, 90) * 60 if left_early else day.end + expovariate(1 / habits.stay) * 60
        out = midnight + second * int(min(max(leave_s, arrive + 3600), 22 * 3600))
        if phone:
            plan.mobile.append(_phone_row(rng, person, out, away=False))
        else:
            device(PunchRow(employee_id, out, STATE_OUT, VERIFY_FINGER, site_id))


def _shift_person(plan: HistoryPlan, rng: random.Random, person: Person, habits: _Habits, dates: list[dt.date],
                  midnight: dict[dt.date, dt.datetime], now: dt.datetime, *, roster_start: dt.date) -> None:
    """24 hours on, 48 off: team n works the days n, n + 3, … of the roster, holidays included."""
    start_s = _seconds(SHIFT_START)
    for day in dates:
        if shift_team_on(day, roster_start=roster_start) != person.team:
            continue
        plan.shifts.append((person.employee_id, day))
        if rng.random() < habits.absent:
            continue
        late = rng.random() < habits.late_days
        arrive = start_s + (rng.uniform(*habits.late_range) * 60 if late else -rng.uniform(5, 30) * 60)
        plan.device.append(_device_row(person, midnight[day] + dt.timedelta(seconds=int(arrive)), STATE_IN))
        if rng.random() < habits.forget_out:
            continue
        out = midnight[day] + dt.timedelta(days=1, seconds=int(start_s + rng.uniform(0, 40) * 60))
        if out < now:  # the last night's shift is not over yet
            plan.device.append(_device_row(person, out, STATE_OUT))


def shift_team_on(day: dt.date, *, roster_start: dt.date) -> int:
    """The team on duty from SHIFT_START that day."""
    return (day - roster_start).days % SHIFT_TEAMS


# --- writing it -----------------------------------------------------------------------------------------------

def _sites_by_unit(city: City) -> dict[int, SitePoint]:
    return {site.unit_id: SitePoint(site.pk, site.lat, site.lon, site.radius_m)
            for site in Site.objects.filter(city=city, unit__isnull=False).order_by("pk")}


def fire_operations_unit(city: City) -> Unit | None:
    """The unit that works the 24-hour roster: the fire brigade's operations bidang (or the brigade)."""
    brigade = Unit.objects.filter(city=city, parent=None, name__icontains=FIRE_BRIGADE_NAME).order_by("pk").first()
    if brigade is None:
        return None
    return (Unit.objects.filter(parent=brigade, name__icontains=FIRE_OPERATIONS_NAME).order_by("pk").first()
            or brigade)


def history_people(*, city: City, seed: int, shift_unit: Unit | None) -> list[Person]:
    """Everyone active, with the office they punch at, their field work, shift team and suspicion."""
    sites = _sites_by_unit(city)
    employees = list(Employee.objects.filter(unit__city=city, active=True).select_related("unit").order_by("pk"))
    heads = set(Unit.objects.filter(city=city).exclude(head=None).values_list("head_id", flat=True))
    shift_ids = [e.pk for e in employees if shift_unit and e.unit_id == shift_unit.pk]
    teams = {employee_id: index % SHIFT_TEAMS for index, employee_id in enumerate(shift_ids)}
    suspicious = _suspicious(employees, heads=heads, exclude=set(teams), rng=random.Random(f"{seed}/history/proxy"))
    codes = dict(Unit.objects.filter(city=city).values_list("pk", "code"))
    people = []
    for employee in employees:
        ancestors = employee.unit.ancestor_ids[::-1]
        site = next((sites[unit_id] for unit_id in ancestors if unit_id in sites), None)
        absent, late = unit_character(seed=seed, codes=[codes[unit_id] for unit_id in ancestors if unit_id in codes])
        people.append(Person(employee.pk, site, field=any(word in employee.position for word in FIELD_POSITIONS),
                             team=teams.get(employee.pk), suspicious_slot=suspicious.get(employee.pk),
                             unit_absent=absent, unit_late=late))
    return people


@functools.cache
def _unit_draw(seed: int, code: str) -> tuple[float, float]:
    rng = random.Random(f"{seed}/history/unit/{code}")
    if rng.random() < WEAK_UNIT_SHARE:
        return rng.uniform(*WEAK_ABSENT), WEAK_LATE
    return rng.uniform(*UNIT_ABSENT), 0.0


def unit_character(*, seed: int, codes: list[str]) -> tuple[float, float]:
    """(extra TK chance, extra late chance) of someone in the unit with these codes (their own first, then the
    ones above it): the top-level unit's draw, and a weak unit's below it on top of that."""
    if not codes:
        return 0.0, 0.0
    absent, late = _unit_draw(seed, codes[-1])
    for code in codes[:-1]:
        extra, extra_late = _unit_draw(seed, code)
        if extra_late:  # only a weak subunit stands out from its SKPD
            absent, late = absent + extra / 2, max(late, extra_late)
    return absent, late


def _suspicious(employees: list[Employee], *, heads: set[int], exclude: set[int],
                rng: random.Random) -> dict[int, int]:
    """A handful of staff of one unit, none of them its head: one of them punches for all."""
    by_unit: dict[int, list[int]] = defaultdict(list)
    for employee in employees:
        if employee.pk not in heads and employee.pk not in exclude:
            by_unit[employee.unit_id].append(employee.pk)
    units = sorted(unit_id for unit_id, ids in by_unit.items() if len(ids) >= SUSPICIOUS_COUNT + 2)
    if units:
        candidates = by_unit[rng.choice(units)]
    else:  # a tiny city: no unit has enough staff, take them anywhere
        candidates = sorted(employee_id for ids in by_unit.values() for employee_id in ids)
    if len(candidates) < SUSPICIOUS_COUNT:
        return {}
    chosen = sorted(rng.sample(candidates, SUSPICIOUS_COUNT))
    return {employee_id: slot for slot, employee_id in enumerate(chosen)}


def _devices(city: City, people: list[Person], rng: random.Random) -> dict[int, Device]:
    """One approved machine per office that someone punches at."""
    sites = {site.pk: site for site in Site.objects.filter(pk__in={p.site.site_id for p in people if p.site})}
    devices = {}
    for number, site_id in enumerate(sorted(sites), start=1):
        serial = f"BJM{rng.randrange(1000, 10000)}{number:05d}"
        devices[site_id] = device_register(actor=None, city=city, serial_number=serial, site=sites[site_id],
                                           name=f"Mesin sidik jari {sites[site_id].name}"[:120])
    return devices


def leave_write(employee, leave: PlannedLeave) -> LeaveRequest:
    """A planned leave asked for and approved by the system, through each step the city's rule asks for, with a
    surat keterangan dokter (a PDF, or a scanned JPEG for every other employee) where papers are required."""
    request = LeaveRequest(employee=employee, kind=leave.kind, start_date=leave.start_date, end_date=leave.end_date)
    days = (leave.end_date - leave.start_date).days + 1
    papers = [doctor_letter(employee.name, days, as_jpeg=employee.pk % 2 == 1)] if papers_required(request) else []
    request = leave_request_create(actor=None, employee=employee, kind=leave.kind, start_date=leave.start_date,
                                   end_date=leave.end_date, reason=leave.reason, attachments=papers)
    while request.status == RequestStatus.PENDING:
        request = leave_request_decide(actor=None, request=request, approve=True, note="Disetujui sistem (data demo)")
    return request


@dataclass
class HistorySummary:
    start: dt.date
    end: dt.date
    holidays: int = 0
    devices: int = 0
    shifts: int = 0
    leave_requests: int = 0
    leave_papers: int = 0  # surat dokter attached where the rule requires papers
    punches: int = 0
    mobile_punches: int = 0
    daily_statuses: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    late: int = 0  # present but late
    suspicious: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "holidays": self.holidays, "devices": self.devices,
                "shifts": self.shifts, "leave_requests": self.leave_requests,
                "leave_papers": self.leave_papers, "punches": self.punches,
                "mobile_punches": self.mobile_punches, "daily_statuses": self.daily_statuses,
                "statuses": self.statuses, "late": self.late, "suspicious": self.suspicious, "seconds": self.seconds}


@contextmanager
def _bulk_load_cache(megabytes: int = BULK_CACHE_MB):
    """A larger SQLite page cache while millions of rows go in: the default 2 MB makes every insert into the
    punch indexes a page miss once the table outgrows it. Restored afterwards; other databases untouched."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def history_build(*, city: City, days: int, seed: int, end: dt.date, step: str = "",
                  progress: Callable[[str], None] = lambda message: None,
                  number: Callable[[float], str] = lambda value, digits=0: f"{value:,.{digits}f}") -> HistorySummary:
    """Write `days` days of attendance ending on `end` (inclusive) for a freshly seeded city.

    `progress` gets one line per stage, prefixed with `step`; `number` formats counts (Indonesian in the
    seed command). Run it inside the seed's transaction: the punch ingest refreshes statuses on commit.
    """
    with _bulk_load_cache():
        return _history_build(city=city, days=days, seed=seed, end=end, step=step, progress=progress,
                              number=number)


def _history_build(*, city, days, seed, end, step, progress, number) -> HistorySummary:
    clock = time.monotonic()
    start, end = history_range(end=end, days=days)
    summary = HistorySummary(start=start, end=end)

    def took(stage: str) -> str:
        nonlocal clock
        summary.seconds[stage] = time.monotonic() - clock
        clock = time.monotonic()
        return f"{number(summary.seconds[stage], 1)} detik"

    summary.holidays = calendar_seed(city=city, years=range(start.year - 1, end.year + 1))
    tpp_rules_seed_default(city=city)
    schedule_create_default(city=city)
    shift_unit = fire_operations_unit(city)
    roster_start = roster_start_for(start=start, end=end)
    if shift_unit is not None:
        work_schedule_set(actor=None, unit=shift_unit, name=SHIFT_NAME, effective_from=roster_start,
                          kind=ScheduleKind.SHIFT)
    calendar = work_calendar(city=city, start=start, end=end, roster_start=roster_start)
    people = history_people(city=city, seed=seed, shift_unit=shift_unit)
    summary.suspicious = sorted(p.employee_id for p in people if p.suspicious_slot is not None)
    devices = _devices(city, people, random.Random(f"{seed}/history/devices"))
    summary.devices = len(devices)
    kiosk, kiosk_users = demo_kiosk_register(people=people)
    progress(f"{step} Kalender kerja dan mesin: {number(summary.holidays)} hari libur dan cuti bersama, "
             f"{number(len(devices))} mesin absensi disetujui, anjungan presensi di {kiosk.site.name} "
             f"({took('setup')})")

    with bar(f"{step} Rencana riwayat", len(people), unit="pegawai") as advance:
        plan = history_plan(people=people, calendar=calendar, seed=seed, tick=advance)
    progress(f"{step} Rencana riwayat {number(len(calendar.dates()))} hari "
             f"({start:%d-%m-%Y} s.d. {end:%d-%m-%Y}): {number(len(plan.device) + len(plan.mobile))} rekaman "
             f"({took('plan')})")

    employees = Employee.objects.select_related("unit__city").in_bulk(
        {employee_id for employee_id, _day in plan.shifts} | {leave.employee_id for leave in plan.leaves})
    for employee_id, day in plan.shifts:
        shift_set(actor=None, employee=employees[employee_id], date=day, start=SHIFT_START, end=SHIFT_END)
    summary.shifts = len(plan.shifts)
    if shift_unit is not None:
        progress(f"{step} Sif: {number(summary.shifts)} sif 24 jam untuk {shift_unit.name} sejak "
                 f"{roster_start:%d-%m-%Y} ({took('shifts')})")

    with bar(f"{step} Cuti dan izin", len(plan.leaves), unit="pengajuan") as advance:
        for leave in plan.leaves:
            summary.leave_papers += leave_write(employees[leave.employee_id], leave).attachments.count()
            advance(1)
    summary.leave_requests = len(plan.leaves)
    progress(f"{step} Cuti dan izin: {number(summary.leave_requests)} pengajuan disetujui, "
             f"{number(summary.leave_papers)} dengan surat dokter ({took('leave')})")

    summary.punches, summary.mobile_punches = _ingest(city, plan, devices, (kiosk, kiosk_users), calendar, step)
    progress(f"{step} Kehadiran: {number(summary.punches)} rekaman ({number(summary.mobile_punches)} lewat "
             f"ponsel) ({took('punches')})")

    dates = calendar.dates()
    with bar("[7/7] Status harian", len(dates), unit="hari") as advance:
        for first in range(0, len(dates), STATUS_DAYS):  # in slices, for the bar; one slice costs as much per day
            chunk = dates[first:first + STATUS_DAYS]
            daily_status_rebuild(city=city, start=chunk[0], end=chunk[-1], now=history_now(calendar=calendar))
            advance(len(chunk))
    took("statuses")
    summary.statuses = dict(DailyStatus.objects.filter(employee__unit__city=city, date__range=(start, end))
                            .values_list("status").annotate(n=Count("pk")).order_by("status"))
    summary.daily_statuses = sum(summary.statuses.values())
    summary.late = DailyStatus.objects.filter(employee__unit__city=city, date__range=(start, end),
                                              status=DayStatus.PRESENT, late_minutes__gt=0).count()
    return summary


def _ingest(city: City, plan: HistoryPlan, devices: dict[int, Device], kiosk: tuple[Kiosk, set[int]],
            calendar: WorkCalendar, step: str) -> tuple[int, int]:
    """Device punches per machine, kiosk check-ins and phone check-ins, in batches of BATCH_ROWS, each batch one
    ingest."""
    by_site: dict[int | None, list[PunchRow]] = defaultdict(list)
    machine_rows, kiosk_rows = kiosk_rows_split(plan.device, *kiosk)
    for row in machine_rows:
        by_site[row.site_id].append(row)
    batches = [(PunchSource.DEVICE, devices.get(site_id), None, rows[i:i + BATCH_ROWS])
               for site_id, rows in sorted(by_site.items(), key=lambda item: item[0] or 0)
               for i in range(0, len(rows), BATCH_ROWS)]
    batches += [(PunchSource.KIOSK, None, kiosk[0], kiosk_rows[i:i + BATCH_ROWS])
                for i in range(0, len(kiosk_rows), BATCH_ROWS)]
    batches += [(PunchSource.MOBILE, None, None, plan.mobile[i:i + BATCH_ROWS])
                for i in range(0, len(plan.mobile), BATCH_ROWS)]
    total = len(plan.device) + len(plan.mobile)
    now = history_now(calendar=calendar)
    stored = 0
    sources: Counter = Counter()
    with bar(f"{step} Kehadiran", total, unit="rekaman") as advance:
        for source, device, at_kiosk, rows in batches:
            result = punches_ingest(city=city, rows=rows, source=source, device=device, kiosk=at_kiosk, now=now,
                                    refresh_statuses=False)
            stored += result.accepted
            sources[source] += result.accepted
            advance(len(rows))
    return stored, sources[PunchSource.MOBILE]
