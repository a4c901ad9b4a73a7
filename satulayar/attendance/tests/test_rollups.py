"""The unit-day rollups give the same answers as the per-person daily statuses, kept incrementally or rebuilt."""

import datetime as dt
import random
import statistics
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from satulayar.attendance.choices import DayStatus, LeaveKind, PunchSource
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import DailyStatus, Punch, UnitDay
from satulayar.attendance.reports import days_summary
from satulayar.attendance.rollups import COUNTS, LEAVE_STATUSES, present_by
from satulayar.attendance.status import daily_status_rebuild, daily_status_refresh
from satulayar.attendance.status_bulk import unit_days_rebuild
from satulayar.core.time import zone_named
from satulayar.dashboard.selectors import attendance_today
from satulayar.demo.papers import doctor_letter
from tests.factories import make_employee

WITA = zone_named("Asia/Makassar")
FIRST, LAST = dt.date(2018, 1, 1), dt.date(2018, 1, 21)
LATER = dt.datetime(2018, 2, 1, 9, 0, tzinfo=WITA)


def wita(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=WITA)


@pytest.fixture
def history(org, personas):
    """Three weeks of a dozen people in four units: on time, late, absent, a leave, a Saturday punch."""
    rng = random.Random(9)
    staff = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan]
    staff += [make_employee(unit, name=f"Pegawai {n}")
              for n, unit in enumerate([org.dinkes, org.p2p, org.p2p, org.kominfo, org.kominfo, org.pemerintahan,
                                        org.dinkes, org.p2p])]
    punches = []
    for day in (FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 1)):
        for employee in staff:
            if rng.random() < 0.12:
                continue  # TK
            arrive = wita(day, 7, rng.randrange(0, 60), rng.randrange(60))
            punches += [Punch(employee=employee, at=arrive, source=PunchSource.DEVICE),
                        Punch(employee=employee, at=arrive + dt.timedelta(hours=8, minutes=rng.randrange(60)),
                              source=PunchSource.DEVICE)]
    Punch.objects.bulk_create(punches)
    leave = leave_request_create(actor=personas.admin_bkpsdm, employee=org.staff.p2p, kind=LeaveKind.SICK,
                                 start_date=dt.date(2018, 1, 10), end_date=dt.date(2018, 1, 11), reason="Demam",
                                 attachments=[doctor_letter(org.staff.p2p.name, 2)])
    leave_request_decide(actor=personas.admin_bkpsdm, request=leave, approve=True)
    daily_status_rebuild(city=org.city, start=FIRST, end=LAST, now=LATER)
    return staff


def raw_unit_days() -> dict[tuple[int, dt.date], dict]:
    """The rollup's definition, applied to the per-person rows in Python."""
    found: dict[tuple[int, dt.date], dict] = defaultdict(lambda: {**dict.fromkeys(COUNTS, 0), "arrivals": {}})
    for row in DailyStatus.objects.select_related("employee"):
        day = found[(row.employee.unit_id, row.date)]
        if row.status == DayStatus.HOLIDAY:
            day["day_off_present"] += 1
        if row.scheduled_start is None:
            continue
        day["expected"] += 1
        day["on_leave"] += row.status in LEAVE_STATUSES
        day["field_duty"] += row.status == DayStatus.FIELD_DUTY
        day["absent"] += row.status == DayStatus.ABSENT
        day["not_yet"] += row.status == DayStatus.NOT_YET
        if row.status == DayStatus.PRESENT:
            day["present"] += 1
            day["missing_out"] += row.missing_out
            if row.late_minutes:
                day["late"], day["late_minutes"] = day["late"] + 1, day["late_minutes"] + row.late_minutes
            if row.early_minutes:
                day["early"], day["early_minutes"] = day["early"] + 1, day["early_minutes"] + row.early_minutes
            local = row.first_in.astimezone(WITA)
            minute = str(local.hour * 60 + local.minute)
            day["arrivals"][minute] = day["arrivals"].get(minute, 0) + 1
    return dict(found)


def rolled_up() -> dict[tuple[int, dt.date], dict]:
    return {(r.unit_id, r.date): {**{name: getattr(r, name) for name in COUNTS}, "arrivals": r.arrivals}
            for r in UnitDay.objects.all() if r.expected or r.day_off_present}


def test_the_rollups_equal_the_daily_statuses_summed(history):
    raw = raw_unit_days()
    assert len(raw) > 40 and sum(day["late"] for day in raw.values()) > 10
    assert sum(day["on_leave"] for day in raw.values()) == 2
    assert rolled_up() == raw


def test_kept_incrementally_then_rebuilt_gives_the_same_rows(history, org):
    # A late arrival on a day that was TK, a punch on a Saturday, a status edited by hand.
    tk = DailyStatus.objects.filter(status=DayStatus.ABSENT).select_related("employee").first()
    Punch.objects.create(employee=tk.employee, at=wita(tk.date, 9, 12), source=PunchSource.API)
    saturday = dt.date(2018, 1, 13)
    Punch.objects.create(employee=org.staff.kominfo, at=wita(saturday, 9), source=PunchSource.API)
    daily_status_refresh(pairs=[(tk.employee_id, tk.date), (org.staff.kominfo.pk, saturday)], now=LATER)
    edited = DailyStatus.objects.filter(status=DayStatus.PRESENT, late_minutes=0).first()
    edited.late_minutes = 7
    edited.save()
    incremental = rolled_up()
    assert incremental == raw_unit_days()
    assert incremental[(org.kominfo.pk, saturday)]["day_off_present"] >= 1
    unit_days_rebuild(start=FIRST, end=LAST)
    assert rolled_up() == incremental


def test_days_summary_reads_the_rollups_with_the_raw_numbers(history, personas, org):
    days = {d.date: d for d in days_summary(user=personas.admin_dinas_kesehatan, start=FIRST, end=LAST)}
    raw = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in DailyStatus.objects.filter(employee__unit__path__startswith=org.dinkes.path,
                                          scheduled_start__isnull=False):
        late = row.status == DayStatus.PRESENT and row.late_minutes > 0
        values = raw[row.date]
        values[0] += 1
        values[1] += row.status == DayStatus.PRESENT
        values[2] += late
        values[3] += row.late_minutes if late else 0
        values[4] += row.status in LEAVE_STATUSES
    assert set(days) == set(raw)
    for date, (expected, present, late, minutes, leave) in raw.items():
        day = days[date]
        assert (day.expected, day.present, day.late, day.on_leave) == (expected, present, late, leave)
        assert day.average_late_minutes == ((Decimal(minutes) / late).quantize(Decimal("0.1")) if late else None)


def test_the_normal_day_median_from_rollups_equals_the_raw_definition(history, personas, org):
    now = wita(dt.date(2018, 1, 22), 7, 40)  # a Monday: normal days are the Mondays before
    today = attendance_today(user=personas.walikota, city=org.city, now=now)
    mondays = [dt.date(2018, 1, 15), dt.date(2018, 1, 8), dt.date(2018, 1, 1)]
    rates = []
    for date in mondays:
        rows = DailyStatus.objects.filter(date=date, scheduled_start__isnull=False)
        expected = rows.count()
        present = sum(1 for r in rows if r.status == DayStatus.PRESENT
                      and (r.first_in.astimezone(WITA).hour * 60 + r.first_in.astimezone(WITA).minute) <= 7 * 60 + 40)
        if expected:
            rates.append(Decimal(100) * present / expected)
    assert today.normal_total == Decimal(statistics.median(rates)).quantize(Decimal("0.1"))
    assert present_by({"450": 2, "461": 1, "500": 4}, 461) == 3


def test_the_rebuild_command(history, org):
    UnitDay.objects.all().delete()
    out = StringIO()
    call_command("rollups_rebuild", "--from", "2018-01-01", "--to", "2018-01-21", "--city", org.city.code, stdout=out)
    assert "kehadiran per unit per hari" in out.getvalue()
    assert rolled_up() == raw_unit_days()
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        call_command("rollups_rebuild", "--from", "kemarin")
    with pytest.raises(CommandError, match="sebelum"):
        call_command("rollups_rebuild", "--from", "2018-02-01", "--to", "2018-01-01")
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("rollups_rebuild", "--city", "99.99")
