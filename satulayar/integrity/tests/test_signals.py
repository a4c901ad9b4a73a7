"""The rules for desks closing their day at once, attendance dropping after a sidak, and check-ins the guards
flagged, each over real rows: what they flag, with the numbers, and what they leave alone."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from satulayar.attendance.checkin_guards import position_flags
from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.models import Punch, UnitDay
from satulayar.inspections import services as inspections
from satulayar.inspections.choices import Observation
from satulayar.integrity.engine import rules_run
from satulayar.integrity.models import Finding
from satulayar.integrity.rules import attendance_after_sidak, position_flagged, tickets_before_closing
from satulayar.integrity.rules.base import Window
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.choices import TicketStatus
from satulayar.visits.imports import TicketRow, tickets_import
from satulayar.visits.models import Counter, OfficeHours, Service

ZONE = ZoneInfo("Asia/Makassar")
MONDAY = dt.date(2026, 11, 2)
WEEKDAYS = [MONDAY + dt.timedelta(days=n) for n in range(12) if (MONDAY + dt.timedelta(days=n)).weekday() < 5]


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


def window(org, start=MONDAY, end=MONDAY + dt.timedelta(days=30)) -> Window:
    return Window(city=org.city, start=start, end=end)


def test_a_person_flagged_by_the_guards_on_three_days_is_found(org):
    employee = org.staff.p2p
    for n, day in enumerate(WEEKDAYS[:6]):
        when, lat, lon = at(day, 7, 20 + n), -3.3194 + n * 1e-5, 114.5908 - n * 1e-5
        flag = position_flags(employee=employee, at=when, lat=lat, lon=lon, accuracy_m=6.0 + n, altitude_m=0.0)
        punches_ingest(city=org.city, rows=[PunchRow(employee.pk, when, lat=lat, lon=lon, accuracy_m=6.0 + n)],
                       source=PunchSource.MOBILE, now=when + dt.timedelta(minutes=1))
        Punch.objects.filter(employee=employee, at=when).update(position_flag=flag, altitude_m=0.0)
    [signal] = position_flagged.detect(window(org), position_flagged.DEFAULTS)
    assert signal.employee_id == employee.pk and "pada 3 hari" in signal.explanation
    assert "ketinggian persis 0,0 m" in signal.evidence[0]["text"] and len(signal.evidence) == 3
    assert position_flagged.detect(window(org), {"min_days": 4}) == []


def _tickets(org, counter: Counter, day: dt.date, finished: list[tuple[int, int]], first: int) -> int:
    service = Service.objects.filter(city=org.city).order_by("pk").first()
    rows = [TicketRow(kelurahan_id=org.kuin.pk, service_id=service.pk, prefix=service.prefix, number=first + i,
                      date=day, status=TicketStatus.DONE, issued_at=at(day, 8, 0),
                      called_at=at(day, h, m) - dt.timedelta(minutes=7),
                      serving_at=at(day, h, m) - dt.timedelta(minutes=6), finished_at=at(day, h, m),
                      counter_id=counter.pk) for i, (h, m) in enumerate(finished)]
    tickets_import(rows=rows)
    return first + len(rows)


def test_a_desk_finishing_its_tickets_just_before_closing_is_found_and_an_even_desk_is_not(org):
    services_seed_default(city=org.city)
    even = Counter.objects.create(kelurahan=org.kuin, number=1)
    late = Counter.objects.create(kelurahan=org.kuin, number=2)
    for day in WEEKDAYS[:5]:
        number = _tickets(org, even, day, [(8 + n // 2, 15 + 20 * (n % 2)) for n in range(16)], 1)
        _tickets(org, late, day, [(9, 30), (15, 42), (15, 47), (15, 51), (15, 58)], number)
    [signal] = tickets_before_closing.detect(window(org), tickets_before_closing.DEFAULTS)
    assert signal.kelurahan_id == org.kuin.pk and signal.key == str(late.pk)
    assert "20 dari 25 tiket" in signal.explanation and "80,0 %" in signal.explanation
    assert "tutup 16:00" in signal.evidence[0]["text"] and len(signal.evidence) == 20
    # the office's own hours: closing at 15:50, only 15:42 and 15:47 fall in its last twenty minutes
    OfficeHours.objects.bulk_create([OfficeHours(kelurahan=org.kuin, weekday=d, opens=dt.time(8),
                                                 closes=dt.time(15, 50)) for d in range(5)])
    assert tickets_before_closing.detect(window(org), tickets_before_closing.DEFAULTS) == []
    [signal] = tickets_before_closing.detect(window(org), {**tickets_before_closing.DEFAULTS, "min_tickets": 10})
    assert "10 dari 25 tiket" in signal.explanation and "tutup 15:50" in signal.evidence[0]["text"]


def test_a_unit_whose_attendance_drops_after_a_sidak_is_found_and_shown_with_its_sidak(org, personas, client_for):
    day = dt.date(2026, 11, 16)
    started = at(day, 9, 0)
    inspection = inspections.inspection_start(actor=personas.inspektur, units=[org.dinkes], title="Sidak",
                                              started_at=started, now=started)
    marks = [{"uuid": str(uuid.uuid4()), "employee": e.employee_id, "observation": Observation.PRESENT,
              "observed_at": started + dt.timedelta(minutes=1), "note": ""} for e in inspection.entries.all()]
    inspections.marks_submit(actor=personas.inspektur, inspection=inspection, items=marks,
                             now=started + dt.timedelta(minutes=5))
    inspections.inspection_close(actor=personas.inspektur, inspection=inspection, now=started + dt.timedelta(minutes=9))
    for n in range(1, 29):
        before, after = day - dt.timedelta(days=n), day + dt.timedelta(days=n)
        if before.weekday() < 5:
            UnitDay.objects.update_or_create(unit=org.p2p, date=before, defaults={"expected": 10, "present": 9})
        if after.weekday() < 5 and n <= 10:
            UnitDay.objects.update_or_create(unit=org.p2p, date=after, defaults={"expected": 10, "present": 5})
    [signal] = attendance_after_sidak.detect(window(org, day, day), attendance_after_sidak.DEFAULTS)
    assert signal.unit_id == org.dinkes.pk and signal.key == f"{inspection.pk}:{org.dinkes.pk}"
    assert "(90,0 %)" in signal.explanation and "(50,0 %)" in signal.explanation and "turun 40,0 poin" in (
        signal.explanation)
    assert signal.evidence[0]["kind"] == "sidak"
    assert attendance_after_sidak.detect(window(org, day, day), {**attendance_after_sidak.DEFAULTS,
                                                                 "min_drop": 0.5}) == []
    rules_run(city=org.city, start=day, end=day)
    finding = Finding.objects.get(rule="attendance_after_sidak")
    page = client_for("inspektur").get(f"/integritas/{finding.pk}/").content.decode()
    assert f'href="/sidak/{inspection.pk}/laporan/"' in page and "rekap harian unit" in page
    assert f'href="/satu-layar/unit/{org.dinkes.pk}/"' in page
