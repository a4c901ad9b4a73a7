"""Demo: the command centre's alert rules, and their history from the last work days, built by the real checks.

The rules are checked at two moments of each of the last few work days (early in the morning and later), exactly
as the worker would have checked them then, so the alerts opened, resolved and acknowledged come from the demo's
own punches; some are acknowledged by the command centre or the mayor.

On an ordinary day a whole SKPD rarely falls under 90 % at 07.45 (the demo city's habits give about 98 %; in
a city of 6.000 every SKPD is large enough to average out), so those days alone left the history empty. The
first work days back after the latest long breaks in the range (and the year's first work day), when many come
late or not at all, are checked too: that is when such alerts really fire.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model

from satulayar.attendance.calendar import is_work_day
from satulayar.attendance.reports import long_holiday_returns
from satulayar.attendance.schedules import WorkPlan
from satulayar.attendance.status import daily_status_rebuild
from satulayar.dashboard.alerts import alert_acknowledge, alerts_evaluate, rule_save
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule

HISTORY_WORK_DAYS = 5
HISTORY_RETURN_DAYS = 2  # the latest first-days-back after a long break
CHECK_TIMES = (dt.time(7, 45), dt.time(9, 30))
RULES = [  # name, kind, threshold, check time
    ("Kehadiran SKPD di bawah 90% pukul 07.45", AlertKind.ATTENDANCE_LOW, 90, dt.time(7, 45)),
    ("Antrean kelurahan lebih dari 15 orang", AlertKind.QUEUE_LONG, 15, None),
    ("Pengunjung menunggu lebih dari 60 menit", AlertKind.WAIT_LONG, 60, None),
    ("Kamera mati lebih dari 10 menit", AlertKind.CAMERA_OFFLINE, 10, None),
    ("Konektor data dinas tidak segar", AlertKind.CONNECTOR_STALE, 0, None),
    ("Pengunjung di kamera jauh melebihi tiket", AlertKind.CROWD_MISMATCH, 0, None),
]
ACK_NOTES = ["Sudah dikonfirmasi ke kepala unit.", "Petugas tambahan dikirim ke loket.", "Dipantau.",
             "Mesin absensi sedang diperbaiki.", ""]


def _work_days(city, end: dt.date, count: int) -> list[dt.date]:
    plan = WorkPlan(start=end - dt.timedelta(days=30), end=end, city_ids=[city.pk])
    days, day = [], end
    while len(days) < count and day > end - dt.timedelta(days=30):
        if plan.is_work_day(city_id=city.pk, unit=None, date=day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


def _first_work_day(city, year: int) -> dt.date:
    day = dt.date(year, 1, 1)
    while not is_work_day(city=city, date=day) and day.month == 1:
        day += dt.timedelta(days=1)
    return day


def _history_days(city, *, end: dt.date, days: int) -> list[dt.date]:
    """The last few work days of the history (it ends with `end`, a finished day) and the latest returns from a
    long break inside it."""
    if days <= 0:
        return []
    start = end - dt.timedelta(days=days - 1)
    recent = [day for day in _work_days(city, end, HISTORY_WORK_DAYS) if day >= start]
    returns = long_holiday_returns(city=city, start=start, end=end)
    first_of_year = [day for year in range(start.year, end.year + 1)
                     if start <= (day := _first_work_day(city, year)) <= end]
    backs = sorted(set(returns) | set(first_of_year))[-HISTORY_RETURN_DAYS:]
    return sorted(set(recent) | set(backs))


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress) -> str:
    rng = random.Random(seed)
    if AlertRule.objects.filter(city=city).exists():
        return "Peringatan: aturan sudah ada, dilewati"
    users = get_user_model().objects
    author = users.filter(username="operator_cc").first() or users.filter(username="walikota").first()
    rules = [rule_save(actor=author, city=city, data={"name": name, "kind": kind, "threshold": threshold,
                                                       "check_time": at})
             for name, kind, threshold, at in RULES]
    attendance = [r for r in rules if r.kind == AlertKind.ATTENDANCE_LOW]
    zone = city.zone
    history = _history_days(city, end=end, days=days)
    for date in history:
        for at in CHECK_TIMES:
            alerts_evaluate(city=city, now=dt.datetime.combine(date, at, zone), rules=attendance)
    for date in history:  # the checks left those mornings' statuses as of the check ("belum hadir"): close the days
        daily_status_rebuild(city=city, start=date, end=date,
                             now=dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), zone))
    acknowledgers = list(users.filter(username__in=["operator_cc", "walikota"]).order_by("username"))
    for alert in Alert.objects.filter(city=city).select_related("rule").order_by("opened_at", "id"):
        if acknowledgers and rng.random() < 0.6:
            alert_acknowledge(actor=rng.choice(acknowledgers), alert=alert, note=rng.choice(ACK_NOTES),
                              now=alert.opened_at + dt.timedelta(minutes=rng.randint(3, 40)))
    count = Alert.objects.filter(city=city).count()
    still_open = Alert.objects.filter(city=city, resolved_at__isnull=True).count()
    return (f"Peringatan: {len(rules)} aturan, {count} peringatan dalam {len(history)} hari kerja terakhir "
            f"({still_open} masih terbuka)")
