import datetime as dt

from satulayar.attendance.choices import DayStatus
from satulayar.attendance.models import DailyStatus
from satulayar.dashboard.models import Alert, AlertRule
from satulayar.demo.alerts import seed_demo


def test_the_demo_adds_rules_and_an_alert_history_built_by_the_real_checks(org, personas):
    lines = []
    summary = seed_demo(city=org.city, days=10, seed=7, end=dt.date(2026, 11, 30), progress=lines.append)
    assert AlertRule.objects.filter(city=org.city).count() == 6
    # Nobody punched in this small city: each of the four SKPDs stays below 90% from the first check on.
    assert Alert.objects.filter(kind="attendance_low").count() == 4
    assert summary == "Peringatan: 6 aturan, 4 peringatan dalam 5 hari kerja terakhir (4 masih terbuka)"
    # The checks ran at 07.45 and 09.30 of past days; those days are closed again afterwards: TK, not "belum hadir".
    assert not DailyStatus.objects.filter(status=DayStatus.NOT_YET).exists()
    assert DailyStatus.objects.filter(status=DayStatus.ABSENT).exists()
    acknowledged = Alert.objects.filter(acknowledged_by=personas.walikota)
    assert all(a.acknowledged_at > a.opened_at for a in acknowledged)
    assert seed_demo(city=org.city, days=10, seed=7, end=dt.date(2026, 11, 30), progress=lines.append).endswith(
        "dilewati")
