"""The demo city is believable: bounds on its distributions, not exact numbers (issue 17, item 5).

A small seeded city (1.200 ASN, four weeks of attendance and kelurahan visits ending Tuesday 24 November 2026)
is built once; then Wednesday 25 November is played live through the desk services every ten minutes, with the
command centre's demo rules checked after each step as the worker would. The tests read it all back as plain
data. They pass on SQLite and PostgreSQL alike (nothing here depends on ids).
"""

import datetime as dt
import random
import statistics
from collections import Counter, defaultdict
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import DailyStatus
from satulayar.dashboard.alerts import alerts_evaluate, rule_save
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert
from satulayar.demo import banjarmasin
from satulayar.demo.alerts import RULES
from satulayar.demo.generator import seed_city
from satulayar.demo.history import WEEKDAY_DIP, history_range, rain_day, work_calendar
from satulayar.demo.live import LiveDemo
from satulayar.demo.organisation import Region, plan_units, unit_sizes
from satulayar.demo.visits_history import visits_history_seed
from satulayar.org.models import City, Employee
from satulayar.visits.choices import TicketStatus
from satulayar.visits.models import Ticket

pytestmark = pytest.mark.django_db
SEED = 2018
EMPLOYEES = 1200
DAYS = 28
END = dt.date(2026, 11, 24)  # a Tuesday
DAY = dt.date(2026, 11, 25)  # the live Wednesday
ZONE = ZoneInfo("Asia/Makassar")
STEP = dt.timedelta(minutes=10)


def _waits(rows) -> list[float]:
    return [(called - issued).total_seconds() / 60 for issued, called in rows if called is not None]


def _live_day(city: City) -> dict:
    """Play DAY from 07:00 to 17:00 in ten-minute steps, checking the demo's rules after each step."""
    for name, kind, threshold, at in RULES:
        rule_save(actor=None, city=city, data={"name": name, "kind": kind, "threshold": threshold, "check_time": at})
    live, now = LiveDemo(city=city, seed=SEED), dt.datetime.combine(DAY, dt.time(7), ZONE)
    stale = []
    while now.time() <= dt.time(17):
        live.apply(now)
        alerts_evaluate(city=city, now=now)
        waiting = Ticket.objects.filter(date=DAY, status=TicketStatus.WAITING)
        stale.append(max([(now - at).total_seconds() / 60 for at in waiting.values_list("queued_at", flat=True)],
                         default=0.0))
        now += STEP
    return {"alerts": list(Alert.objects.filter(city=city).values_list("kind", "subject", "opened_at")),
            "longest_waiting": stale}


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_city(city_slug="banjarmasin", employees=EMPLOYEES, days=DAYS, seed=SEED, on=END)
        city = City.objects.get(slug="banjarmasin")
        visits_history_seed(city=city, days=DAYS, seed=SEED, end_date=END)
        start, end = history_range(end=END, days=DAYS)
        top = {e: int(path.strip("/").split("/")[0]) for e, path in
               Employee.objects.filter(unit__city=city).values_list("pk", "unit__path")}
        history_tickets = Ticket.objects.filter(date__range=(start, end))
        data = SimpleNamespace(
            start=start, end=end, top=top,
            calendar=work_calendar(city=city, start=start, end=end),
            statuses=list(DailyStatus.objects.filter(date__range=(start, end)).values_list(
                "employee_id", "date", "status", "late_minutes", "missing_out")),
            history_waits=defaultdict(list),
        )
        for date, issued, called in history_tickets.filter(transfers=0).values_list("date", "issued_at", "called_at"):
            data.history_waits[date] += _waits([(issued, called)])
        data.live = _live_day(city)
        data.live_waits = _waits(Ticket.objects.filter(date=DAY, transfers=0).values_list("issued_at", "called_at"))
        transaction.set_rollback(True)
    return data


def _normal_days(data) -> list[dt.date]:
    """Work days without a dip (after a break, Monday, Friday) and without rain."""
    return [day for day in data.calendar.hours if day not in data.calendar.dips
            and day.weekday() not in WEEKDAY_DIP and not rain_day(seed=SEED, date=day)]


def _rates(data, days) -> dict[int, float]:
    """Per top-level unit (SKPD, kecamatan), the share present of those expected at work on those days, in %."""
    counts: dict[int, Counter] = defaultdict(Counter)
    days = set(days)
    for employee, date, status, _late, _missing in data.statuses:
        if date in days and status in (DayStatus.PRESENT, DayStatus.ABSENT):
            counts[data.top[employee]][status] += 1
    return {unit: 100 * c[DayStatus.PRESENT] / (c[DayStatus.PRESENT] + c[DayStatus.ABSENT])
            for unit, c in counts.items() if c[DayStatus.PRESENT] + c[DayStatus.ABSENT] >= 20}


def test_unit_sizes_are_drawn_from_realistic_ranges():
    kecamatan = [Region(f"63.71.0{n}", f"Kecamatan {n}") for n in range(1, 6)]
    kelurahan = [Region(f"63.71.0{n % 5 + 1}.{n:04d}", f"Kelurahan {n}", f"63.71.0{n % 5 + 1}") for n in range(52)]

    def sizes(seed: int) -> dict[str, list[int]]:
        plans = plan_units(catalogue=banjarmasin.CATALOGUE, kecamatan=kecamatan, kelurahan=kelurahan,
                           rng=random.Random(f"{seed}/units"))
        found = defaultdict(list)
        for plan, size in zip(plans, unit_sizes(plans, employees=6000), strict=True):
            kind = ("puskesmas" if plan.head == "Kepala Puskesmas" else "sekolah" if plan.head == "Kepala Sekolah"
                    else "bagian" if plan.kind == "bagian" else "")
            found[kind].append(size)
        return found

    drawn = sizes(SEED)
    for kind, (low, high) in {"puskesmas": (15, 80), "sekolah": (10, 60), "bagian": (8, 45)}.items():
        assert low <= min(drawn[kind]) and max(drawn[kind]) <= high, kind
        assert max(drawn[kind]) - min(drawn[kind]) >= (high - low) / 3, kind  # small and large ones
        assert len(set(drawn[kind])) >= len(drawn[kind]) // 2, kind  # not one size for all
    assert sizes(SEED) == drawn and sizes(SEED + 1) != drawn  # the seed decides


def test_unit_attendance_spreads_with_a_few_chronically_weak_units(city):
    rates = _rates(city, _normal_days(city))
    assert len(rates) >= 20
    assert max(rates.values()) - min(rates.values()) >= 10  # at least ten points between units
    assert statistics.median(rates.values()) >= 93  # most units attend well
    weak = [unit for unit, rate in rates.items() if rate < 92]
    assert 1 <= len(weak) <= len(rates) // 4  # a few, not many


def test_mondays_fridays_and_rain_days_are_worse(city):
    rates = _rates(city, _normal_days(city))
    normal = statistics.mean(rates.values())
    edges = [day for day in city.calendar.hours if day.weekday() in WEEKDAY_DIP and day not in city.calendar.dips]
    assert statistics.mean(_rates(city, edges).values()) < normal
    late_share = {}
    for rain in (False, True):
        days = {day for day in city.calendar.hours if rain_day(seed=SEED, date=day) == rain}
        present = [late for _e, date, status, late, _m in city.statuses if date in days and status == DayStatus.PRESENT]
        late_share[rain] = sum(late > 0 for late in present) / len(present)
    assert late_share[True] > late_share[False] + 0.05


def test_lateness_has_a_long_tail_and_some_forget_to_punch_out(city):
    present = [(late, missing) for _e, _d, status, late, missing in city.statuses if status == DayStatus.PRESENT]
    late = [minutes for minutes, _missing in present if minutes > 0]
    assert 0.05 < len(late) / len(present) < 0.3
    very_late = [minutes for minutes in late if minutes > 60]
    assert 0.003 < len(very_late) / len(present) < 0.05
    assert max(late) > 120  # someone two hours late
    assert 0.01 < sum(missing for _late, missing in present) / len(present) < 0.12


def test_queue_waits_follow_the_desks_minutes_not_hours(city):
    normal = [day for day in city.history_waits if day.weekday() in (1, 2, 3) and day not in city.calendar.dips]
    waits = [wait for day in normal for wait in city.history_waits[day]]
    assert 1 <= statistics.median(waits) <= 20
    assert statistics.quantiles(waits, n=10)[-1] < 60  # p90 under an hour


def test_the_live_day_continues_the_history_without_a_backlog(city):
    history = statistics.median(wait for waits in city.history_waits.values() for wait in waits)
    live = statistics.median(city.live_waits)
    assert history / 2 <= live <= history * 2
    assert max(city.live["longest_waiting"]) <= 120  # nobody left waiting for hours
    assert city.live["longest_waiting"][-1] == 0  # the offices close with nobody waiting


def test_alerts_fire_a_handful_of_times_a_day_once_per_subject_and_rule(city):
    alerts = city.live["alerts"]
    per_subject = Counter((kind, subject) for kind, subject, _at in alerts)
    assert max(per_subject.values(), default=1) <= 2  # an episode, maybe a second one later, never one per check
    queues = [a for a in alerts if a[0] in (AlertKind.WAIT_LONG, AlertKind.QUEUE_LONG)]
    assert len({subject for _kind, subject, _at in queues}) <= 10  # of 52 kelurahan: the few busy offices
    assert len(queues) <= 20
    assert len(alerts) <= 35
