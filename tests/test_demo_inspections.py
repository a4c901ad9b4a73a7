"""The demo's sidak: built on a small seeded city, and its reports agree with the marks and the attendance
records, counted here again straight from the punch, leave and mark tables."""

import datetime as dt

import pytest

from satulayar.attendance.calendar import calendar_seed
from satulayar.attendance.choices import RequestStatus
from satulayar.attendance.models import LeaveRequest, Punch
from satulayar.demo.generator import REFERENCE_DATE, seed_city
from satulayar.demo.inspections import first_work_day_of_year, seed_demo
from satulayar.demo.users import create_demo_users
from satulayar.inspections.choices import FindingKind, InspectionStatus, Observation
from satulayar.inspections.models import Finding, Inspection
from satulayar.inspections.rules import UNRECORDED_GRACE
from satulayar.inspections.selectors import inspection_report
from satulayar.org.models import City
from satulayar.org.reference import city_load_reference


@pytest.fixture
def demo(db):
    seed_city(city_slug="banjarmasin", employees=300, days=30, seed=2018)
    city = City.objects.get(slug="banjarmasin")
    create_demo_users(city=city, seed=2018)
    lines = []
    summary = seed_demo(city=city, days=30, seed=2018, end=REFERENCE_DATE, progress=lines.append)
    return city, summary


def _first_punch(employee_id: int, inspection: Inspection, until: dt.datetime) -> dt.datetime | None:
    zone = inspection.city.zone
    zone_day = dt.datetime.combine(inspection.date, dt.time(0), tzinfo=zone)
    punch = (Punch.objects.filter(employee_id=employee_id, excluded=False, at__gte=zone_day,
                                  at__lt=zone_day + dt.timedelta(days=1), at__lte=until).order_by("at").first())
    return punch.at if punch else None


def test_demo_reports_agree_with_marks_and_attendance_records(demo):
    city, summary = demo
    inspections = list(Inspection.objects.filter(city=city))
    assert len(inspections) >= 3 and all(i.status == InspectionStatus.CLOSED for i in inspections)
    assert summary.startswith(f"Sidak: {len(inspections)} sidak selesai")
    kinds_seen = set()
    for inspection in inspections:
        report = inspection_report(inspection=inspection)
        expected = {k: 0 for k in FindingKind.values}
        observed = observed_present = recorded_present = 0
        for entry in inspection.entries.prefetch_related("marks"):
            marks = list(entry.marks.all())
            assert len({m.inspector_id for m in marks}) <= 1
            if not marks:
                continue
            mark = marks[-1]
            observed += 1
            observed_present += mark.observation == Observation.PRESENT
            first_in = _first_punch(entry.employee_id, inspection, inspection.closed_at)
            on_leave = LeaveRequest.objects.filter(employee=entry.employee, status=RequestStatus.APPROVED,
                                                   start_date__lte=inspection.date,
                                                   end_date__gte=inspection.date).exists()
            assert entry.first_in == first_in and bool(entry.leave_kind) == on_leave
            punched_before = first_in is not None and first_in <= mark.observed_at
            recorded_present += punched_before
            if mark.observation == Observation.PRESENT and on_leave:
                expected[FindingKind.PRESENT_ON_LEAVE] += 1
            elif mark.observation == Observation.PRESENT and not (
                    first_in is not None and first_in <= mark.observed_at + UNRECORDED_GRACE):
                expected[FindingKind.UNRECORDED_PRESENT] += 1
            elif mark.observation == Observation.NOT_FOUND and not on_leave and punched_before:
                expected[FindingKind.PROXY_SUSPECT] += 1
            elif mark.observation == Observation.NOT_FOUND and not on_leave and first_in is None:
                expected[FindingKind.ABSENT_NO_RECORD] += 1
            elif mark.observation == Observation.LEAVE_CONFIRMED and not on_leave:
                expected[FindingKind.LEAVE_UNRECORDED] += 1
        assert report.findings_by_kind == expected, inspection.title
        assert Finding.objects.filter(inspection=inspection).count() == sum(expected.values())
        assert (report.total.observed, report.total.observed_present, report.total.recorded_present) == (
            observed, observed_present, recorded_present)
        assert report.total.scheduled == inspection.entries.count()
        kinds_seen |= {k for k, n in expected.items() if n}
    assert FindingKind.PROXY_SUSPECT in kinds_seen
    assert Finding.objects.exclude(assigned_unit=None).exists()


def test_first_working_day_of_2026_comes_from_the_seeded_calendar(db):
    city = city_load_reference("banjarmasin")
    calendar_seed(city=city, years=[2026])
    assert first_work_day_of_year(city=city, year=2026) == dt.date(2026, 1, 2)
