"""The demo's live day: today's attendance and kelurahan front offices, played out in real time.

The seeded history ends yesterday. `demo_services()` continues it today through the same write paths people
and machines use, so the one screen moves while the mayor watches: on start it catches up from midnight to
now, then every few seconds it applies what has become due.

Attendance: today's punches come from the history's own planner (demo/history.py) with the same seed: the
same people, offices and habits, today's draws (`stream` = the date). Fingerprint punches are pushed as ADMS
ATTLOG lines to the running server's /iclock/ from each office's approved machine, as the machines would;
when the server cannot be reached (and for the catch-up, which runs before it listens) they go through
`punches_ingest`, the path /iclock/ ends in. Phone check-ins go through `punches_ingest` as the app's do. The
fire brigade's 24-hour team on duty gets its shift rostered, holidays included, and the few on leave today
(about as many as on a day of the history) have their one-day request approved before the day starts.

Front offices: today's tickets of every kelurahan come from the visits planner (demo/visits_history.py
`office_day`), applied through the desk services (issue, call next, start, finish, no-show, cancel, the IKM
rating) at their planned moments. The desk calls "the oldest waiting ticket", so the plan is replayed as a
first-come queue: each planned call takes whoever waits longest, and carries the call's outcome.

Everything follows from the seed and the date. Each step checks what the database already holds (a punch is
(employee, instant), a ticket is (office, service, issue instant), a call is (counter, call instant)), so
running it again, or restarting mid-day, adds nothing twice. Weekends and holidays: no office hours and no
tickets, only the fire brigade's shift.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import close_old_connections

from satulayar.attendance.calendar import calendar_seed, is_work_day
from satulayar.attendance.choices import DeviceStatus, PunchSource, RequestStatus, ScheduleKind
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import Device, LeaveRequest, PinMapping, Shift, WorkSchedule
from satulayar.attendance.schedules import shift_set
from satulayar.attendance.status import daily_status_refresh
from satulayar.core.time import local_midnight
from satulayar.demo.generator import indonesian_number
from satulayar.demo.history import (
    SHIFT_END,
    SHIFT_START,
    Person,
    PlannedLeave,
    fire_operations_unit,
    history_people,
    history_plan,
    work_calendar,
)
from satulayar.demo.visits_history import (
    AFTER_LONG_BREAK,
    CANCELLED,
    LEFT_NOTE,
    NO_SHOW,
    TicketRow,
    office_day,
    offices_plan,
    service_outcome_ids,
)
from satulayar.org.models import City, Employee, Kelurahan
from satulayar.visits import bookings as bookings_desk
from satulayar.visits import services as desk
from satulayar.visits.catalogue import service_catalogue_for
from satulayar.visits.choices import IKM_ELEMENTS, BookingStatus, TicketChannel, TicketStatus
from satulayar.visits.models import Booking, Counter, Rating, Service, ServiceOutcome, Ticket, TicketStep

log = logging.getLogger(__name__)
TICK_SECONDS = 6
SEED_ENV = "SATULAYAR_DEMO_SEED"  # set by `satulayar demo --seed`
SERVER_ENV = "SATULAYAR_DEMO_SERVER"  # the server the machines push to, e.g. http://127.0.0.1:8000
DEFAULT_SEED = 2018
HTTP_TIMEOUT_S = 10
# Each one's chance of being on (one day's) leave today: about the share of the history's work days on leave
# (0.2 requests a year of 3.5 days on average, over some 240 work days).
LEAVE_CHANCE = 0.003
# Set once the live day's first round has caught the front offices up to now: the camera poller and the worker's
# alert checks wait for it, or they would judge a queue still being replayed from the morning at today's clock.
CAUGHT_UP = threading.Event()
GIVE_UP = dt.timedelta(minutes=150)  # the longest anyone waits (the history's most patient leave by 160)
STRANDED_AFTER = dt.timedelta(minutes=20)  # a visitor beyond the plan's queue goes home after this (LiveDemo._stranded)

# --- attendance ----------------------------------------------------------------------------------------------


def demo_seed() -> int:
    """The seed of this demo run (`satulayar demo --seed`), for every part that draws at random while it runs."""
    return int(os.environ.get(SEED_ENV, DEFAULT_SEED))


@dataclass(frozen=True)
class PlannedPunch:
    row: PunchRow
    source: str  # PunchSource.DEVICE (row.site_id is the machine's office) or MOBILE


def _roster_start(city: City):
    unit = fire_operations_unit(city)
    schedule = (WorkSchedule.objects.filter(unit=unit, kind=ScheduleKind.SHIFT).order_by("-effective_from").first()
                if unit else None)
    return unit, schedule.effective_from if schedule else None


@dataclass
class AttendanceDay:
    punches: list[PlannedPunch]  # in time order
    shift_team: list[int]  # the fire brigade's team on shift today
    leaves: list[PlannedLeave]  # one-day leave requests, approved before the day starts


def attendance_day(*, city: City, seed: int, date: dt.date) -> AttendanceDay:
    """Today's planned punches, shifts and leave."""
    unit, roster_start = _roster_start(city)
    people = history_people(city=city, seed=seed, shift_unit=unit)
    if roster_start is None or roster_start > date:  # no roster yet: the unit keeps office hours
        people = [dataclasses.replace(p, team=None) for p in people]
    calendar = work_calendar(city=city, start=date, end=date, roster_start=roster_start)
    plan = history_plan(people=people, calendar=calendar, seed=seed, stream=date.isoformat(),
                        leave_chance=LEAVE_CHANCE)
    punches = [PlannedPunch(row, PunchSource.DEVICE) for row in plan.device]
    punches += [PlannedPunch(row, PunchSource.MOBILE) for row in plan.mobile]
    punches += _last_night_shift_ends(city=city, seed=seed, date=date, people=people, roster_start=roster_start)
    return AttendanceDay(punches=sorted(punches, key=lambda p: (p.row.at, p.row.employee_id)),
                         shift_team=[e for e, _day in plan.shifts], leaves=plan.leaves)


def _last_night_shift_ends(*, city, seed, date, people: list[Person], roster_start) -> list[PlannedPunch]:
    """Yesterday's team goes home this morning: their planned departures, for those rostered yesterday."""
    yesterday = date - dt.timedelta(days=1)
    team = [p for p in people if p.team is not None]
    if not team or roster_start is None or roster_start > yesterday:
        return []
    rostered = set(Shift.objects.filter(date=yesterday, employee_id__in=[p.employee_id for p in team])
                   .values_list("employee_id", flat=True))
    calendar = work_calendar(city=city, start=yesterday, end=yesterday, roster_start=roster_start)
    midnight = local_midnight(date, city.zone)
    plan = history_plan(people=[p for p in team if p.employee_id in rostered], calendar=calendar, seed=seed,
                        stream=yesterday.isoformat(), leave_chance=0, now=midnight + dt.timedelta(days=2))
    return [PlannedPunch(row, PunchSource.DEVICE) for row in plan.device if row.at >= midnight]


# --- front offices ---------------------------------------------------------------------------------------------

ISSUE, LEAVE, FINISH, NO_SHOW_EVENT, RATE, CALL, START = "issue", "leave", "finish", "no_show", "rate", "call", "start"
TRANSFER = "transfer"
# Within one second: a ticket is taken before anything else happens, a counter closes its ticket (and the
# citizen rates it) before it calls the next one.
ORDER = {ISSUE: 0, LEAVE: 1, FINISH: 2, NO_SHOW_EVENT: 2, TRANSFER: 2, RATE: 3, CALL: 4, START: 5}


@dataclass(frozen=True)
class DeskEvent:
    at: dt.datetime
    kind: str
    kelurahan_id: int
    ticket: tuple[int, int, dt.datetime] | None = None  # (kelurahan, service, issued_at): ISSUE and LEAVE
    channel: str = ""
    note: str = ""
    slot: tuple[int, dt.datetime] | None = None  # (counter, called_at): CALL and what follows it
    scores: tuple[int, ...] | None = None
    priority: str = ""  # ISSUE
    result: str = ""  # FINISH: what the visit produced (or why not), and the outcome
    outcome_id: int | None = None
    service_id: int | None = None  # TRANSFER: the service it is sent on to

    @property
    def key(self) -> tuple:
        return (self.at, ORDER[self.kind], self.kelurahan_id, self.slot or (), self.ticket or ())


def desk_events(rows: list[TicketRow]) -> list[DeskEvent]:
    """One office's planned day as desk actions in time order, replayed first-come: each planned call takes the
    longest-waiting ticket (as `ticket_call_next` does) and carries the call's outcome; a planned departure of
    a ticket already called is dropped."""
    taken: set[tuple] = set()
    raw: list[DeskEvent] = []
    outcomes: dict[tuple[int, dt.datetime], TicketRow] = {}
    for row in sorted(rows, key=lambda r: r.issued_at):
        issued_at = row.issued_at
        while (row.service_id, issued_at) in taken:  # two of one service in one second: a second apart
            issued_at += dt.timedelta(seconds=1)
        taken.add((row.service_id, issued_at))
        ticket = (row.kelurahan_id, row.service_id, issued_at)
        raw.append(DeskEvent(issued_at, ISSUE, row.kelurahan_id, ticket=ticket, channel=row.channel,
                             priority=row.priority))
        if row.status == CANCELLED:
            raw.append(DeskEvent(max(row.finished_at, issued_at), LEAVE, row.kelurahan_id, ticket=ticket,
                                 note=row.note))
        elif row.called_at is not None:
            slot = (row.counter_id, row.called_at)
            outcomes[slot] = row
            raw.append(DeskEvent(row.called_at, CALL, row.kelurahan_id, slot=slot))
    waiting: list[tuple] = []
    events: list[DeskEvent] = []
    for event in sorted(raw, key=lambda e: e.key):
        if event.kind == ISSUE:
            waiting.append(event.ticket)
        elif event.kind == LEAVE:
            if event.ticket not in waiting:
                continue
            waiting.remove(event.ticket)
        elif event.kind == CALL:
            if not waiting:
                continue  # nobody waits at that moment: the counter stays idle
            waiting.pop(0)
            events += _slot_outcome(event, outcomes[event.slot])
        events.append(event)
    return sorted(events, key=lambda e: e.key)


def _slot_outcome(call: DeskEvent, row: TicketRow) -> list[DeskEvent]:
    kel = call.kelurahan_id
    if row.status == NO_SHOW:
        return [DeskEvent(row.finished_at, NO_SHOW_EVENT, kel, slot=call.slot)]
    if row.serving_at is None:
        return []
    events = [DeskEvent(row.serving_at, START, kel, slot=call.slot)]
    if row.finished_at is not None and row.transfer_to is not None:
        # Sent on midway to another service at the same counter, which calls it again a little later and
        # finishes it at the planned end: the transfer takes no other visitor's call (that left one stranded).
        moved = _whole(row.serving_at + (row.finished_at - row.serving_at) / 2)
        again = (call.slot[0], _whole(moved + (row.finished_at - moved) * 0.1) + dt.timedelta(seconds=1))
        serving = _whole(again[1] + (row.finished_at - again[1]) * 0.1) + dt.timedelta(seconds=1)
        return [*events, DeskEvent(moved, TRANSFER, kel, slot=call.slot, service_id=row.transfer_to),
                DeskEvent(again[1], CALL, kel, slot=again), DeskEvent(serving, START, kel, slot=again),
                DeskEvent(max(row.finished_at, serving + dt.timedelta(seconds=1)), FINISH, kel, slot=again,
                          result=row.result, outcome_id=row.outcome_id)]
    if row.finished_at is not None:
        events.append(DeskEvent(row.finished_at, FINISH, kel, slot=call.slot, result=row.result,
                                outcome_id=row.outcome_id))
        if row.scores:
            events.append(DeskEvent(row.finished_at, RATE, kel, slot=call.slot, scores=row.scores))
    return events


def _whole(at: dt.datetime) -> dt.datetime:
    return at.replace(microsecond=0)


def visits_day(*, city: City, seed: int, date: dt.date) -> list[DeskEvent]:
    """Every office's desk actions today, in time order; none on a day the offices are closed."""
    if not is_work_day(city=city, date=date):
        return []
    closed_before = 0
    day = date - dt.timedelta(days=1)
    while closed_before < 3 and not is_work_day(city=city, date=day):
        closed_before, day = closed_before + 1, day - dt.timedelta(days=1)
    factor = AFTER_LONG_BREAK if closed_before >= 3 else 1.0
    events: list[DeskEvent] = []
    outcomes = service_outcome_ids(city=city)
    for office in offices_plan(city=city, seed=seed):
        catalogue = {service.prefix: (service.pk, sla)
                     for service, _req, sla in service_catalogue_for(kelurahan=office.kelurahan)}
        if not catalogue:  # the office offers nothing (no catalogue seeded): no queue
            continue
        events += desk_events(office_day(office=office, date=date, services=catalogue, seed=seed, factor=factor,
                                         outcomes=outcomes))
    return sorted(events, key=lambda e: e.key)


@dataclass
class _TicketState:
    pk: int
    status: str
    rated: bool = False


# --- the day, applied ------------------------------------------------------------------------------------------


@dataclass
class Applied:
    punches: int = 0  # new punches stored (or accepted by the server)
    shifts: int = 0
    leaves: int = 0
    desk: int = 0  # desk actions applied
    skipped: int = 0  # desk actions the desk refused (someone else used the counter meanwhile)
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __bool__(self) -> bool:
        return bool(self.punches or self.shifts or self.leaves or self.desk)


class LiveDemo:
    """Plays one city's days: `apply(now)` brings today up to `now`; call it as often as you like."""

    def __init__(self, *, city: City, seed: int, server: str = ""):
        self.city, self.seed, self.server = city, seed, server.rstrip("/")
        self.zone = city.zone
        self.date: dt.date | None = None
        self.punches: list[PlannedPunch] = []
        self.shift_team: list[int] = []
        self.leaves: list[PlannedLeave] = []
        self.desk: list[DeskEvent] = []
        self.sent_until: dt.datetime | None = None  # punches up to here are stored
        self._devices: dict[int, Device] = {}
        self._pins: dict[int, str] = {}  # the PIN each employee has on the machines: the NIP unless mapped
        self._by_pk: dict[int, _TicketState] = {}
        self._refused: set[tuple] = set()
        self._replaced: set[tuple] = set()  # planned walk-ins whose place a checked-in booking took

    def _plan(self, date: dt.date) -> None:
        calendar_seed(city=self.city, years=[date.year])
        self.date, self.sent_until, self._refused = date, None, set()
        attendance = attendance_day(city=self.city, seed=self.seed, date=date)
        self.punches, self.shift_team, self.leaves = attendance.punches, attendance.shift_team, attendance.leaves
        try:
            self.desk = visits_day(city=self.city, seed=self.seed, date=date)
        except ValidationError as exc:  # e.g. an admin closed a counter the plan needs
            log.warning("Demo langsung: antrean kelurahan %s tidak disimulasikan: %s", date, exc)
            self.desk = []
        sites = {p.row.site_id for p in self.punches if p.source == PunchSource.DEVICE}
        self._devices = {}
        for device in (Device.objects.filter(city=self.city, site_id__in=sites, status=DeviceStatus.APPROVED)
                       .select_related("site__city").order_by("-pk")):
            self._devices[device.site_id] = device
        employees = {p.row.employee_id for p in self.punches}
        self._pins = {pk: nip for pk, nip in Employee.objects.filter(pk__in=employees).values_list("pk", "nip")
                      if nip}
        self._pins.update(PinMapping.objects.filter(city=self.city, employee_id__in=employees)
                          .values_list("employee_id", "pin"))

    def apply(self, now: dt.datetime, *, push: bool = False, desk: bool = True) -> Applied:
        """Apply everything planned for today up to `now`. `push` sends new fingerprint punches to the server's
        /iclock/ (the catch-up never pushes: it stores directly); `desk=False` leaves the front offices for
        later."""
        today = now.astimezone(self.zone).date()
        if today != self.date:
            self._plan(today)
        applied = Applied()
        if self.sent_until is None:  # the day's first round: its roster and leave
            self._shifts(applied)
            self._leave(applied)
            if desk:
                self._book_ahead(applied)
        self._punches(now, applied, push=push)
        if desk:
            self._desk(now, applied)
        return applied

    def _shifts(self, applied: Applied) -> None:
        have = set(Shift.objects.filter(date=self.date, employee_id__in=self.shift_team)
                   .values_list("employee_id", flat=True))
        missing = [e for e in self.shift_team if e not in have]
        for employee in Employee.objects.filter(pk__in=missing).select_related("unit__city").order_by("pk"):
            try:
                shift_set(actor=None, employee=employee, date=self.date, start=SHIFT_START, end=SHIFT_END)
            except ValidationError as exc:
                log.warning("Demo langsung: sif %s tidak dijadwalkan: %s", employee, exc)
                continue
            applied.shifts += 1

    def _leave(self, applied: Applied) -> None:
        """Today's leave, requested and approved as the history's is; skipped where a request already covers it."""
        covered = set(LeaveRequest.objects.filter(
            employee_id__in=[leave.employee_id for leave in self.leaves], start_date__lte=self.date,
            end_date__gte=self.date, status__in=(RequestStatus.PENDING, RequestStatus.APPROVED))
            .values_list("employee_id", flat=True))
        employees = Employee.objects.select_related("unit__city").in_bulk(
            [leave.employee_id for leave in self.leaves if leave.employee_id not in covered])
        for leave in self.leaves:
            if leave.employee_id not in employees:
                continue
            try:
                request = leave_request_create(actor=None, employee=employees[leave.employee_id], kind=leave.kind,
                                               start_date=leave.start_date, end_date=leave.end_date,
                                               reason=leave.reason)
                leave_request_decide(actor=None, request=request, approve=True, note="Disetujui sistem (data demo)")
            except ValidationError as exc:  # e.g. a request someone made meanwhile: theirs stands
                log.warning("Demo langsung: cuti %s tidak diajukan: %s", employees[leave.employee_id], exc)
                continue
            applied.leaves += 1

    def _punches(self, now: dt.datetime, applied: Applied, *, push: bool) -> None:
        due = [p for p in self.punches if p.row.at <= now and (self.sent_until is None or p.row.at > self.sent_until)]
        groups: dict[tuple[str, int | None], list[PunchRow]] = defaultdict(list)
        for planned in due:
            groups[(planned.source, planned.row.site_id if planned.source == PunchSource.DEVICE else None)].append(
                planned.row)
        touched: set[tuple[int, dt.date]] = set()
        for (source, site_id), rows in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
            device = self._devices.get(site_id) if source == PunchSource.DEVICE else None
            if push and device is not None and self.server:
                enrolled = [row for row in rows if row.employee_id in self._pins]
                sent = self._push(device, enrolled) if enrolled else 0
                if sent is not None:
                    applied.punches += sent
                    rows = [row for row in rows if row.employee_id not in self._pins]  # no PIN: stored directly
                    if not rows:
                        continue
            # The catch-up brings today's statuses up to date itself, before the demo says it is ready: left to
            # the worker (a large batch's way), the one screen showed 12 % present for its first minutes.
            result = punches_ingest(city=self.city, rows=rows, source=source, device=device, now=now,
                                    refresh_statuses=push)
            applied.punches += result.accepted
            touched |= result.touched
        if touched and not push:
            daily_status_refresh(pairs=touched, now=now)
        self.sent_until = now

    def _push(self, device: Device, rows: list[PunchRow]) -> int | None:
        """POST the rows as the machine would; None when the server does not take them."""
        body = "\n".join(f"{self._pins[row.employee_id]}\t{row.at.astimezone(self.zone):%Y-%m-%d %H:%M:%S}\t"
                         f"{row.device_state or 0}\t{row.verify_mode or 0}\t0\t0" for row in rows) + "\n"
        query = urllib.parse.urlencode({"SN": device.serial_number, "table": "ATTLOG",
                                        "Stamp": int(rows[-1].at.timestamp())})
        request = urllib.request.Request(f"{self.server}/iclock/cdata?{query}", data=body.encode(), method="POST",
                                         headers={"Content-Type": "text/plain"})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                answer = response.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as exc:
            log.info("Demo langsung: mesin %s tidak dapat mengirim ke %s (%s); disimpan langsung",
                     device.serial_number, self.server, exc)
            return None
        return len(rows) if answer.startswith("OK") else None

    def _desk(self, now: dt.datetime, applied: Applied) -> None:
        self._bookings(now, applied)
        due = [event for event in self.desk if event.at <= now]
        if not due:
            return
        self._replaced = self._booked_places()
        self._give_up(now, applied)
        tickets = Ticket.objects.filter(kelurahan__kecamatan__city=self.city, date=self.date)
        rated = set(Rating.objects.filter(ticket__in=tickets).values_list("ticket_id", flat=True))
        first_service = dict(TicketStep.objects.filter(ticket__in=tickets).order_by("ticket_id", "-queued_at", "-pk")
                             .values_list("ticket_id", "service_id"))  # a transferred ticket's plan key: its first
        by_ticket, by_slot, self._by_pk = {}, {}, {}
        for pk, kel, service, issued_at, counter, called_at, status in tickets.values_list(
                "pk", "kelurahan_id", "service_id", "issued_at", "counter_id", "called_at", "status"):
            state = self._by_pk[pk] = _TicketState(pk, status, rated=pk in rated)
            by_ticket[(kel, first_service.get(pk, service), issued_at)] = state
            if called_at is not None:
                by_slot[(counter, called_at)] = state
        steps = TicketStep.objects.filter(ticket__in=tickets, called_at__isnull=False)
        for pk, counter, called_at in steps.values_list("ticket_id", "counter_id", "called_at"):
            # a slot whose ticket was sent on is spent
            by_slot.setdefault((counter, called_at), _TicketState(pk, "transferred"))
        kelurahan = {k.pk: k for k in Kelurahan.objects.filter(pk__in={e.kelurahan_id for e in due})
                     .select_related("kecamatan__city")}
        services = Service.objects.in_bulk({e.ticket[1] for e in due if e.ticket})
        counters = Counter.objects.in_bulk({e.slot[0] for e in due if e.slot})
        for event in due:
            if event.key in self._refused:
                continue
            try:
                done = self._desk_event(event, by_ticket, by_slot, kelurahan, services, counters)
            except ValidationError as exc:  # the desk refused: a person used that counter or ticket meanwhile
                log.debug("Demo langsung: %s %s ditolak: %s", event.kind, event.at, exc)
                self._refused.add(event.key)  # not retried later at a stale time
                applied.skipped += 1
                continue
            if done:
                applied.desk += 1
                applied.by_kind[event.kind] += 1
        self._stranded(now, due, applied)

    def _desk_event(self, event: DeskEvent, by_ticket, by_slot, kelurahan, services, counters) -> bool:
        at = event.at
        if event.kind == ISSUE:
            if event.ticket in by_ticket or event.ticket in self._replaced:
                return False
            ticket = desk.ticket_issue(kelurahan=kelurahan[event.kelurahan_id], service=services[event.ticket[1]],
                                       channel=event.channel, now=at,
                                       priority=event.priority if event.channel == TicketChannel.DESK else "")
            by_ticket[event.ticket] = self._by_pk[ticket.pk] = _TicketState(ticket.pk, ticket.status)
            return True
        if event.kind == LEAVE:
            state = by_ticket.get(event.ticket)
            if state is None:
                return False
            if state.status != TicketStatus.WAITING:
                # The desk called this visitor already (a priority ticket went first, so the calls took others than
                # the plan's): whoever has waited longest leaves in their place, or one would wait all day.
                state = self._longest_waiting(event.kelurahan_id, at)
                if state is None:
                    return False
            state.status = desk.ticket_cancel(actor=None, ticket=Ticket(pk=state.pk), now=at, note=event.note).status
            return True
        if event.kind == CALL:
            if event.slot in by_slot:
                return False
            ticket = desk.ticket_call_next(actor=None, kelurahan=kelurahan[event.kelurahan_id],
                                           counter=counters[event.slot[0]], now=at)
            if ticket is None:  # nobody waited then: the counter stayed idle (never retried later, at a stale time)
                self._refused.add(event.key)
                return False
            state = self._by_pk.setdefault(ticket.pk, _TicketState(ticket.pk, ticket.status))
            state.status = ticket.status
            by_slot[event.slot] = state
            return True
        state = by_slot.get(event.slot)
        if state is None:
            return False
        if event.kind == RATE:
            if state.status != TicketStatus.DONE or state.rated:
                return False
            desk.rating_submit(ticket=Ticket.objects.get(pk=state.pk),
                               scores=dict(zip((code for code, _label in IKM_ELEMENTS), event.scores, strict=True)))
            state.rated = True
            return True
        step, source = {START: (desk.ticket_start, TicketStatus.CALLED),
                        FINISH: (functools.partial(self._finish, event=event), TicketStatus.SERVING),
                        TRANSFER: (functools.partial(self._transfer, event=event), TicketStatus.SERVING),
                        NO_SHOW_EVENT: (desk.ticket_no_show, TicketStatus.CALLED)}[event.kind]
        if state.status != source:
            return False
        state.status = step(actor=None, ticket=Ticket(pk=state.pk), now=at).status
        if event.kind == TRANSFER:
            del by_slot[event.slot]  # its next call is another slot's
        return True

    def _booked_places(self) -> set[tuple]:
        """Each ticket a booking checked in today takes the place of the office's next planned arrival (its first
        ISSUE at or after the check-in, not yet taken): the plan's calls then serve it, and the queue stays the
        plan's length. Worked out from the database each round, so a restart finds the same places."""
        issues: dict[int, list[DeskEvent]] = defaultdict(list)
        for event in self.desk:
            if event.kind == ISSUE:
                issues[event.kelurahan_id].append(event)
        taken: set[tuple] = set()
        checked_in = (Booking.objects.filter(kelurahan__kecamatan__city=self.city, date=self.date, ticket__isnull=False)
                      .order_by("ticket__issued_at", "pk").values_list("kelurahan_id", "ticket__issued_at"))
        for kelurahan_id, issued_at in checked_in:
            place = next((e for e in issues[kelurahan_id] if e.at >= issued_at and e.ticket not in taken), None)
            if place is not None:
                taken.add(place.ticket)
        return taken

    def _longest_waiting(self, kelurahan_id: int, at: dt.datetime) -> "_TicketState | None":
        pk = (Ticket.objects.filter(kelurahan_id=kelurahan_id, date=self.date, status=TicketStatus.WAITING,
                                    counter__isnull=True, queued_at__lte=at)
              .order_by("issued_at", "pk").values_list("pk", flat=True).first())
        if pk is None:
            return None
        return self._by_pk.setdefault(pk, _TicketState(pk, TicketStatus.WAITING))

    @staticmethod
    def _finish(*, actor, ticket: Ticket, now: dt.datetime, event: DeskEvent) -> Ticket:
        """The planned result; its outcome from the list of the service actually served (a priority ticket may
        have taken the planned one's place)."""
        outcome = None
        if event.outcome_id:
            service_id = Ticket.objects.values_list("service_id", flat=True).get(pk=ticket.pk)
            outcome = (ServiceOutcome.objects.filter(pk=event.outcome_id, service_id=service_id).first()
                       or ServiceOutcome.objects.filter(service_id=service_id, active=True).order_by("pk").first())
        return desk.ticket_finish(actor=actor, ticket=ticket, now=now, result=event.result, outcome=outcome)

    @staticmethod
    def _transfer(*, actor, ticket: Ticket, now: dt.datetime, event: DeskEvent) -> Ticket:
        """To the other service at the same counter, which calls it next (see `_slot_outcome`)."""
        return desk.ticket_transfer(actor=actor, ticket=ticket, service=Service.objects.get(pk=event.service_id),
                                    counter=Counter.objects.get(pk=event.slot[0]), now=now)

    def _stranded(self, now: dt.datetime, due: list[DeskEvent], applied: Applied) -> None:
        """An office whose queue is longer than the plan's by now (the desk called someone else first, a planned
        departure found its visitor already called) sends the surplus home: those who have waited longest, once
        past STRANDED_AFTER. Without it each would wait until the end of the day and hold the waiting-time alert."""
        expected: dict[int, int] = defaultdict(int)
        for event in due:
            expected[event.kelurahan_id] += {ISSUE: 1, TRANSFER: 1, LEAVE: -1, CALL: -1}.get(event.kind, 0)
        waiting = (Ticket.objects.filter(kelurahan__kecamatan__city=self.city, date=self.date,
                                         status=TicketStatus.WAITING).order_by("queued_at", "pk"))
        by_office: dict[int, list[Ticket]] = defaultdict(list)
        for ticket in waiting:
            by_office[ticket.kelurahan_id].append(ticket)
        for kelurahan_id, tickets in by_office.items():
            surplus = len(tickets) - max(expected[kelurahan_id], 0)
            for ticket in [t for t in tickets if t.queued_at <= now - STRANDED_AFTER][:max(surplus, 0)]:
                try:
                    desk.ticket_cancel(actor=None, ticket=ticket, now=now, note=LEFT_NOTE)
                except ValidationError as exc:  # called meanwhile
                    log.debug("Demo langsung: tiket %s tetap: %s", ticket.pk, exc)
                    continue
                applied.desk += 1
                applied.by_kind[LEAVE] += 1

    def _give_up(self, now: dt.datetime, applied: Applied) -> None:
        """Nobody waits longer than GIVE_UP (a restart mid-day, an officer's own tickets): no backlog builds up."""
        stale = (Ticket.objects.filter(kelurahan__kecamatan__city=self.city, date=self.date,
                                       status=TicketStatus.WAITING, queued_at__lt=now - GIVE_UP)
                 .order_by("queued_at", "pk"))
        for ticket in stale:
            try:
                desk.ticket_cancel(actor=None, ticket=ticket, now=ticket.queued_at + GIVE_UP, note=LEFT_NOTE)
            except ValidationError as exc:  # called meanwhile
                log.debug("Demo langsung: tiket %s tetap: %s", ticket.pk, exc)
                continue
            applied.desk += 1
            applied.by_kind[LEAVE] += 1

    def _book_ahead(self, applied: Applied) -> None:
        """Citizens book the next work day's places during this one (a few per office, the same for the seed); an
        office that already has bookings for that day is left as it is."""
        day = self.date + dt.timedelta(days=1)
        while not is_work_day(city=self.city, date=day) and day < self.date + dt.timedelta(days=7):
            day += dt.timedelta(days=1)
        booked = set(Booking.objects.filter(kelurahan__kecamatan__city=self.city, date=day)
                     .values_list("kelurahan_id", flat=True))
        made_at = dt.datetime.combine(self.date, dt.time(7), self.zone)
        for kelurahan in Kelurahan.objects.filter(kecamatan__city=self.city).exclude(pk__in=booked).select_related(
                "kecamatan__city").order_by("code"):
            rng = random.Random(f"{self.seed}/visits-book-ahead/{kelurahan.code}/{day.isoformat()}")
            offered = [o.service for o in desk.services_offered(kelurahan=kelurahan)]
            for _n in range(rng.randint(0, 3) if offered else 0):
                try:
                    bookings_desk.booking_create(kelurahan=kelurahan, service=rng.choice(offered), date=day,
                                                 hour=rng.randint(8, 14), now=made_at)
                except ValidationError as exc:  # full, or the office closes that day
                    log.debug("Demo langsung: pemesanan %s tidak dibuat: %s", kelurahan.code, exc)
                    continue
                applied.desk += 1
                applied.by_kind["booked"] += 1

    def _bookings(self, now: dt.datetime, applied: Applied) -> None:
        """Today's bookings check in a few minutes into their hour, as their holders arrive; about one in eight
        never comes (the same ones on every run: it follows the code)."""
        for booking in (Booking.objects.filter(kelurahan__kecamatan__city=self.city, date=self.date,
                                               status=BookingStatus.BOOKED)
                        .select_related("kelurahan__kecamatan__city").order_by("hour", "pk")):
            draw = int(hashlib.sha256(f"{self.seed}/{booking.code}".encode()).hexdigest()[:8], 16)
            arrives = (dt.datetime.combine(self.date, dt.time(booking.hour), self.zone)
                       + dt.timedelta(minutes=draw % 40))
            if draw % 8 == 0 or arrives > now:
                continue
            try:
                bookings_desk.booking_check_in(code=booking.code, kelurahan=booking.kelurahan, now=arrives)
            except ValidationError as exc:
                log.debug("Demo langsung: pemesanan %s ditolak: %s", booking.code, exc)
                continue
            applied.desk += 1
            applied.by_kind["booking"] += 1


# --- the service ---------------------------------------------------------------------------------------------


def _summary(applied: Applied) -> str:
    parts = []
    if applied.punches:
        parts.append(f"{indonesian_number(applied.punches)} rekaman kehadiran")
    if applied.shifts:
        parts.append(f"{applied.shifts} sif")
    if applied.leaves:
        parts.append(f"{applied.leaves} cuti/izin")
    if applied.desk:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(applied.by_kind.items()))
        parts.append(f"{applied.desk} langkah loket ({kinds})")
    return "; ".join(parts)


def _run(live: LiveDemo, stop: threading.Event) -> None:
    wait = 0.0  # the first round catches the front offices up at once
    while not stop.wait(wait):
        wait = TICK_SECONDS
        close_old_connections()
        try:
            applied = live.apply(dt.datetime.now(dt.UTC), push=True)
        except Exception:  # a demo must keep going; the next tick tries again
            log.exception("Demo langsung: langkah gagal")
            continue
        finally:
            close_old_connections()
            CAUGHT_UP.set()
        if applied:
            log.info("Demo langsung %s: %s", live.date, _summary(applied))


def demo_services() -> str | None:
    """Catch today's attendance up to now (before the worker checks this morning's alerts), then keep the day
    live in a daemon thread, whose first round catches the front offices up (about half a minute of desk steps
    late in the day); returns once the attendance is caught up."""
    someone = Employee.objects.select_related("unit__city").order_by("pk").first()
    if someone is None:
        CAUGHT_UP.set()
        return None
    city = someone.unit.city
    live = LiveDemo(city=city, seed=demo_seed(),
                    server=os.environ.get(SERVER_ENV, ""))
    started = time.monotonic()
    try:
        applied = live.apply(dt.datetime.now(dt.UTC), desk=False)
    except Exception:  # the demo still serves; the thread tries again
        log.exception("Demo langsung: penyusulan kehadiran gagal")
        applied = Applied()
    threading.Thread(target=_run, args=(live, threading.Event()), name="demo-live", daemon=True).start()
    return (f"Hari langsung {live.date:%d-%m-%Y}: kehadiran sampai sekarang disusul dalam "
            f"{indonesian_number(time.monotonic() - started, 1)} detik "
            f"({_summary(applied) or 'tidak ada yang perlu disusul'}); loket kelurahan menyusul di latar")
