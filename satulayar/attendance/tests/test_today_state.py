"""Today as a maintained state: what punches, leave, corrections, calendar edits and clock ticks leave behind equals
what the rules rebuild from the raw rows (statuses) and what the statuses sum to (unit-days).

The property test plays a seeded random day on a small city: the clock is the test's (timezone.now is set to it, so
every service sees the same moment), every write goes through the real services, and after each tick of the clock
the maintained rows are compared with a rebuild from scratch.
"""

import datetime as dt
import random
import threading
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.utils import timezone

from satulayar.attendance import reports
from satulayar.attendance.calendar import calendar_day_delete, calendar_day_save
from satulayar.attendance.choices import CalendarDayKind, DayStatus, LeaveKind, PunchSource, RequestStatus
from satulayar.attendance.corrections import ADD, EXCLUDE, punch_correct, punch_future_accept
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.leave import leave_request_cancel, leave_request_create, leave_request_decide
from satulayar.attendance.models import DailyStatus, LeaveRequest, OpenDay, Punch, UnitDay
from satulayar.attendance.rollups import COUNTS, _compute, _zones
from satulayar.attendance.schedules import work_schedule_set
from satulayar.attendance.status import daily_status_rebuild, daily_status_tick, days_open, statuses_compute
from satulayar.audit.models import AuditEntry
from satulayar.demo.papers import doctor_letter
from satulayar.org.services import employee_update
from tests.factories import make_employee

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
TUESDAY = dt.date(2026, 11, 24)
COMPARED = ["status", "scheduled_start", "scheduled_end", "first_in", "last_out", "late_minutes", "early_minutes",
            "missing_out", "leave_id"]


def wita(date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=WITA)


@pytest.fixture
def clock(monkeypatch):
    """The test's clock: every service that asks timezone.now() gets it."""
    moment = [wita(TUESDAY, 0, 5)]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    return moment


@pytest.fixture
def staff(org):
    extra = [make_employee(unit, f"Pegawai {n}") for n, unit in enumerate(
        [org.dinkes, org.p2p, org.p2p, org.kominfo, org.kominfo, org.pemerintahan, org.kel_office, org.setda])]
    return [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan,
            *extra]


def _maintained(date: dt.date) -> tuple[dict, dict]:
    statuses = {row.employee_id: tuple(getattr(row, name) for name in COMPARED)
                for row in DailyStatus.objects.filter(date=date)}
    units = {row.unit_id: (tuple(getattr(row, name) for name in COUNTS), row.arrivals)
             for row in UnitDay.objects.filter(date=date)}
    return statuses, {unit_id: value for unit_id, value in units.items() if any(value[0])}


def _rebuilt(staff, date: dt.date, now: dt.datetime) -> tuple[dict, dict]:
    """The statuses the rules give from the raw rows now, and the unit-days recounted from the status rows."""
    computed = statuses_compute(pairs={(e.pk, date) for e in staff}, now=now)
    statuses = {employee_id: tuple(getattr(row, name) for name in COMPARED)
                for (employee_id, day), row in computed.items() if row is not None and day == date}
    recount = _compute(DailyStatus.objects.filter(date=date), _zones())
    units = {row.unit_id: (tuple(getattr(row, name) for name in COUNTS), row.arrivals) for row in recount}
    return statuses, {unit_id: value for unit_id, value in units.items() if any(value[0])}


def _assert_consistent(staff, date, now):
    maintained, rebuilt = _maintained(date), _rebuilt(staff, date, now)
    assert maintained[0] == rebuilt[0], "statuses differ from the rules over the raw rows"
    assert maintained[1] == rebuilt[1], "unit-days differ from the sums of the statuses"


class Day:
    """One random day of a small city, played through the real services."""

    def __init__(self, *, seed, city, staff, admin, clock, capture):
        self.random, self.city, self.staff, self.admin, self.clock = random.Random(seed), city, staff, admin, clock
        self.capture = capture
        self.holiday = None

    def punch(self):
        employee = self.random.choice(self.staff)
        now = self.clock[0]
        if self.random.random() < 0.15:  # a device with its clock hours ahead: flagged, counted once its time comes
            at = now + dt.timedelta(minutes=self.random.randint(30, 300))
        else:
            at = now - dt.timedelta(minutes=self.random.randint(0, 90))
        with self.capture(execute=True):
            punches_ingest(city=self.city, rows=[PunchRow(employee_id=employee.pk, at=at)], source=PunchSource.DEVICE,
                           now=now)

    def leave(self):
        employee = self.random.choice(self.staff)
        approved = LeaveRequest.objects.filter(employee=employee, status=RequestStatus.APPROVED).first()
        if approved and self.random.random() < 0.5:
            leave_request_cancel(actor=self.admin, request=approved)
            return
        if LeaveRequest.objects.filter(employee=employee, status__in=(RequestStatus.PENDING,
                                                                       RequestStatus.APPROVED)).exists():
            return
        kind = self.random.choice(LeaveKind.values)
        if kind == LeaveKind.ANNUAL and self.holiday is not None:
            return  # cuti tahunan counts working days: none on a holiday
        papers = [doctor_letter(employee.name, 1)] if kind == LeaveKind.STUDY else []  # the SK, by the city's rule
        request = leave_request_create(actor=self.admin, employee=employee, kind=kind, start_date=TUESDAY,
                                       end_date=TUESDAY, reason="Keperluan keluarga", attachments=papers)
        leave_request_decide(actor=self.admin, request=request, approve=self.random.random() < 0.8,
                             note="Tidak ada kuota")

    def correct(self):
        employee = self.random.choice(self.staff)
        punches = list(Punch.objects.filter(employee=employee, excluded=False, at__lte=self.clock[0]))
        if punches and self.random.random() < 0.5:
            punch_correct(actor=self.admin, employee=employee, reason="Salah mesin", kind=EXCLUDE,
                          punch=self.random.choice(punches))
            return
        at = self.clock[0] - dt.timedelta(minutes=self.random.randint(1, 120), seconds=self.random.randint(0, 59))
        if at.astimezone(WITA).date() == TUESDAY and not Punch.objects.filter(employee=employee, at=at).exists():
            punch_correct(actor=self.admin, employee=employee, reason="Lupa absen", kind=ADD, at=at)

    def calendar(self):
        """Rarely: the city declares the day a holiday, or takes it back (every status of the day recomputed)."""
        if self.holiday is None:
            self.holiday = calendar_day_save(actor=None, city=self.city, date=TUESDAY,
                                             kind=CalendarDayKind.CITY_HOLIDAY, name="Libur daerah")
        else:
            calendar_day_delete(actor=None, day=self.holiday)
            self.holiday = None

    def tick(self):
        self.clock[0] += dt.timedelta(minutes=self.random.randint(10, 150))
        daily_status_tick(now=self.clock[0])

    def play(self, steps: int):
        actions = [(self.punch, 10), (self.leave, 2), (self.correct, 3), (self.calendar, 0.3), (self.tick, 4)]
        ticks = 0
        while ticks < steps:
            action = self.random.choices([a for a, _w in actions], weights=[w for _a, w in actions])[0]
            action()
            if action == self.tick:
                ticks += 1
                _assert_consistent(self.staff, TUESDAY, self.clock[0])
                if self.clock[0] > wita(TUESDAY + dt.timedelta(days=1), 6):
                    break


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_maintained_today_equals_a_rebuild_from_raw_rows(seed, org, staff, personas, clock,
                                                         django_capture_on_commit_callbacks):
    day = Day(seed=seed, city=org.city, staff=staff, admin=personas.admin_bkpsdm, clock=clock,
              capture=django_capture_on_commit_callbacks)
    daily_status_tick(now=clock[0])
    assert OpenDay.objects.filter(city=org.city, date=TUESDAY).exists()
    _assert_consistent(staff, TUESDAY, clock[0])
    day.play(steps=14)
    clock[0] = wita(TUESDAY + dt.timedelta(days=1), 0, 30)  # the day is over for everyone
    daily_status_tick(now=clock[0])
    _assert_consistent(staff, TUESDAY, clock[0])
    assert not DailyStatus.objects.filter(date=TUESDAY, status=DayStatus.NOT_YET).exists()


def test_opening_the_day_starts_every_scheduled_employee_not_yet_in(org, staff, clock):
    assert days_open(now=clock[0]) == 1
    rows = DailyStatus.objects.filter(date=TUESDAY)
    assert rows.count() == len(staff) and set(rows.values_list("status", flat=True)) == {DayStatus.NOT_YET}
    dinkes = UnitDay.objects.get(unit=org.dinkes, date=TUESDAY)
    assert (dinkes.expected, dinkes.not_yet, dinkes.present) == (2, 2, 0)
    assert days_open(now=clock[0]) == 0  # once a day


def test_a_punch_for_a_day_not_open_yet_opens_it(org, staff, clock, django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 7, 25)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.kominfo.pk, at=clock[0])],
                       source=PunchSource.DEVICE, now=clock[0])
    assert OpenDay.objects.filter(city=org.city, date=TUESDAY).exists()
    statuses = dict(DailyStatus.objects.filter(date=TUESDAY).values_list("employee_id", "status"))
    assert len(statuses) == len(staff) and statuses[org.staff.kominfo.pk] == DayStatus.PRESENT
    assert sum(status == DayStatus.NOT_YET for status in statuses.values()) == len(staff) - 1
    kominfo = UnitDay.objects.get(unit=org.kominfo, date=TUESDAY)
    assert (kominfo.expected, kominfo.present, kominfo.not_yet, kominfo.arrivals) == (3, 1, 2, {"445": 1})


def test_later_punches_skip_the_open_day_check_and_the_next_day_still_opens_on_its_first(
        org, staff, clock, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def punch(employee, at):
        clock[0] = at
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            punches_ingest(city=org.city, rows=[PunchRow(employee_id=employee.pk, at=at)], source=PunchSource.DEVICE,
                           now=at)
        return [q["sql"] for q in queries if "attendance_openday" in q["sql"]]

    assert punch(org.staff.kominfo, wita(TUESDAY, 7, 25))  # opens the day
    assert punch(org.staff.p2p, wita(TUESDAY, 7, 26)) == []  # known open: not asked again
    wednesday = TUESDAY + dt.timedelta(days=1)
    assert punch(org.staff.p2p, wita(wednesday, 7, 20))
    assert OpenDay.objects.filter(city=org.city, date=wednesday).exists()
    assert DailyStatus.objects.filter(date=wednesday, status=DayStatus.NOT_YET).count() == len(staff) - 1


def test_an_employee_moved_mid_day_takes_their_counts_along(org, staff, clock, personas,
                                                              django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 7, 50)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.kominfo.pk, at=wita(TUESDAY, 7, 45))],
                       source=PunchSource.DEVICE, now=clock[0])
    employee_update(actor=personas.admin_bkpsdm, employee=org.staff.kominfo, unit=org.dinkes)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.kominfo.pk, at=wita(TUESDAY, 16, 5))],
                       source=PunchSource.DEVICE, now=wita(TUESDAY, 16, 6))
    _assert_consistent(staff, TUESDAY, clock[0])
    dinkes = UnitDay.objects.get(unit=org.dinkes, date=TUESDAY)
    assert (dinkes.expected, dinkes.present, dinkes.late_minutes) == (3, 1, 15)
    assert UnitDay.objects.get(unit=org.kominfo, date=TUESDAY).present == 0


def test_a_schedule_change_today_reopens_the_unit_day(org, staff, clock):
    clock[0] = wita(TUESDAY, 7)
    days_open(now=clock[0])
    hours = (dt.time(7, 30), dt.time(16))
    work_schedule_set(actor=None, unit=org.dinkes, name="Tanpa Selasa", effective_from=TUESDAY,
                      days={0: hours, 2: hours, 3: hours, 4: hours})
    assert UnitDay.objects.get(unit=org.p2p, date=TUESDAY).expected == 0  # Tuesday off for Dinkes and below
    work_schedule_set(actor=None, unit=org.dinkes, name="Seminggu", effective_from=TUESDAY,
                      days={n: hours for n in range(5)})
    _assert_consistent(staff, TUESDAY, clock[0])
    assert UnitDay.objects.get(unit=org.p2p, date=TUESDAY).not_yet == 3


def test_time_passing_applied_twice_changes_nothing_the_second_time(org, staff, clock,
                                                                    django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 8)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.p2p.pk, at=wita(TUESDAY, 7, 40))],
                       source=PunchSource.DEVICE, now=clock[0])
    assert daily_status_tick(now=clock[0]) == 0  # nothing is over yet
    clock[0] = wita(TUESDAY + dt.timedelta(days=1), 0, 10)
    assert daily_status_tick(now=clock[0]) == len(staff)  # TK for everyone else, no departure for P2P
    before = _maintained(TUESDAY)
    assert daily_status_tick(now=clock[0]) == 0
    assert _maintained(TUESDAY) == before
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=TUESDAY).missing_out
    assert UnitDay.objects.get(unit=org.p2p, date=TUESDAY).missing_out == 1


def test_a_future_punch_counts_only_once_its_time_has_come(org, staff, clock, django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 6)
    with django_capture_on_commit_callbacks(execute=True):
        result = punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.dinkes.pk,
                                                              at=wita(TUESDAY, 7, 50))],
                                source=PunchSource.DEVICE, now=clock[0])
    assert result.flagged == 1
    row = DailyStatus.objects.get(employee=org.staff.dinkes, date=TUESDAY)
    assert row.status == DayStatus.NOT_YET  # 07:50 has not happened at 06:00
    clock[0] = wita(TUESDAY, 8)
    assert daily_status_tick(now=clock[0]) == 1
    row.refresh_from_db()
    assert (row.status, row.late_minutes) == (DayStatus.PRESENT, 20)
    assert UnitDay.objects.get(unit=org.dinkes, date=TUESDAY).late_minutes == 20


def test_an_admin_accepting_a_future_punch_makes_it_count_now(org, staff, clock, personas,
                                                                django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 6)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.dinkes.pk, at=wita(TUESDAY, 7, 35))],
                       source=PunchSource.DEVICE, now=clock[0])
    flagged = Punch.objects.get(employee=org.staff.dinkes)
    with pytest.raises(PermissionDenied):
        punch_future_accept(actor=personas.lurah_kuin_cerucuk, punch=flagged, reason="Jam mesin benar")
    with pytest.raises(ValidationError):
        punch_future_accept(actor=personas.admin_bkpsdm, punch=flagged, reason=" ")
    punch_future_accept(actor=personas.admin_bkpsdm, punch=flagged, reason="Jam mesin benar")
    row = DailyStatus.objects.get(employee=org.staff.dinkes, date=TUESDAY)
    assert (row.status, row.late_minutes) == (DayStatus.PRESENT, 5)
    assert AuditEntry.objects.filter(note="Jam mesin benar").exists()
    with pytest.raises(ValidationError):
        punch_future_accept(actor=personas.admin_bkpsdm, punch=flagged, reason="Lagi")


def test_the_employee_month_says_future_punches_are_not_counted(org, staff, clock, client_for, personas,
                                                                 django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 9)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.p2p.pk, at=wita(TUESDAY, 16, 5))],
                       source=PunchSource.DEVICE, now=clock[0])
    page = client_for("admin_dinas_kesehatan").get(f"/kehadiran/rekap/{org.staff.p2p.pk}/2026-11/")
    assert page.status_code == 200
    assert "belum dihitung" in page.content.decode() and 'data-testid="future-punches"' in page.content.decode()


def test_no_row_and_no_tpp_day_for_a_future_date_from_a_wrong_clock(org, staff, clock,
                                                                    django_capture_on_commit_callbacks):
    clock[0] = wita(TUESDAY, 9)
    tomorrow = TUESDAY + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.dinkes.pk, at=wita(tomorrow, 7, 45))],
                       source=PunchSource.DEVICE, now=clock[0])
    assert not DailyStatus.objects.filter(date=tomorrow).exists()
    assert not UnitDay.objects.filter(date=tomorrow).exclude(expected=0).exists()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_of_the_day_while_punches_arrive_leaves_it_consistent(org, staff, clock):
    clock[0] = wita(TUESDAY, 9)
    days_open(now=clock[0])
    errors = []

    def rebuild():
        try:
            for _round in range(3):
                daily_status_rebuild(city=org.city, start=TUESDAY, end=TUESDAY, now=clock[0])
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    def punches():
        try:
            for minute, employee in enumerate(staff * 2):
                punches_ingest(city=org.city, rows=[PunchRow(employee_id=employee.pk, at=wita(TUESDAY, 7, minute))],
                               source=PunchSource.DEVICE, now=clock[0])
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=rebuild), threading.Thread(target=punches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    _assert_consistent(staff, TUESDAY, clock[0])
    assert UnitDay.objects.get(unit=org.kominfo, date=TUESDAY).present == 3


def test_who_is_not_in_yet_comes_a_page_at_a_time(org, staff, clock, client_for, monkeypatch):
    monkeypatch.setattr(reports, "PAGE_SIZE", 2)
    clock[0] = wita(TUESDAY, 8)
    client = client_for("walikota")
    first = client.get(f"/kehadiran/?unit={org.kominfo.pk}").content.decode()
    second = client.get(f"/kehadiran/?unit={org.kominfo.pk}&halaman=2").content.decode()
    assert first.count('data-testid="not-in-yet-row"') == 2 and 'data-testid="not-in-yet-next"' in first
    assert second.count('data-testid="not-in-yet-row"') == 1 and 'data-testid="not-in-yet-next"' not in second
    assert client_for("admin_dinas_kesehatan").get(f"/kehadiran/?unit={org.kominfo.pk}").status_code == 404
