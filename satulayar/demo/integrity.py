"""Planted integrity cases in the demo's history, so the integrity list has something true to show.

On top of what the history already holds (a handful of staff of one unit punched for by one colleague: the same
minute and the same machine, every day) this plants, in the last weeks of the history, through the real
services: approved leave on days the person punched; a phone check-in at a far office minutes after a machine
punch; phone check-ins with a frozen position, with one that never moves more than decimetres, with an accuracy
that stays nine metres for weeks, and with an altitude of 0 m (through the check-in service, whose guard flags
them); one phone checking in three colleagues; check-ins at the edge of the geofence; two sidak of the proxied
unit where those staff are not found; a desk's tickets "finished" in seconds; a burst of perfect IKM surveys;
perfect surveys from one address over an hour;
a camera that sees people waiting for hours while no ticket is issued; and one that sees nobody while the desk
serves. Everything is drawn from `random.Random(f"{seed}/integrity")`, so the same seed plants the same cases.

`integrity_cases_plant` returns each case as (rule, subject) for the checks: the test and bench/integrity.py
count a finding as true when a case of its rule names its employee (or kelurahan).
"""

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Max

from satulayar.attendance.calendar import is_work_day
from satulayar.attendance.checkin import checkin_record
from satulayar.attendance.choices import DayStatus, LeaveKind, PunchSource
from satulayar.attendance.corrections import EXCLUDE, punch_correct
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import DailyStatus, Device, Punch
from satulayar.cctv.models import Camera, PeopleHourly
from satulayar.demo.generator import offset
from satulayar.demo.history import Person, fire_operations_unit, history_people, phone_browser, phone_id
from satulayar.inspections import services as inspections
from satulayar.inspections.choices import Observation
from satulayar.integrity.rules.base import metres_between
from satulayar.org.choices import Role
from satulayar.org.models import City, Employee, Site, Unit
from satulayar.org.services import employee_update
from satulayar.visits.choices import TicketStatus
from satulayar.visits.imports import TicketRow, tickets_import
from satulayar.visits.models import Counter, KelurahanHour, Ticket, TicketSequence
from satulayar.visits.office import hours_on

PLANT_DAYS = 28  # cases fall in the history's last four weeks: what the nightly run reads
EACH = 2  # people planted per attendance rule
MIN_WORK_DAYS = 12  # the position and machine cases need twelve work days to stand out


@dataclass(frozen=True)
class PlantedCase:
    rule: str
    employee_id: int | None = None
    kelurahan_id: int | None = None
    unit_id: int | None = None


def _days(city: City, end: dt.date, days: int) -> list[dt.date]:
    span = min(days, PLANT_DAYS)
    dates = [end - dt.timedelta(days=n) for n in range(span - 1, -1, -1)]
    return [d for d in dates if is_work_day(city=city, date=d)]


def _zone_at(city: City, day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:

    return dt.datetime.combine(day, dt.time(hour, minute, second), city.zone).astimezone(dt.UTC)


class _Planter:
    def __init__(self, *, city: City, seed: int, end: dt.date, days: int):
        self.city, self.rng, self.days = city, random.Random(f"{seed}/integrity"), _days(city, end, days)
        self.people = history_people(city=city, seed=seed, shift_unit=fire_operations_unit(city))
        self.cases: list[PlantedCase] = []
        self.used: set[int] = set()

    def ordinary(self, n: int, *, phoneless: bool = False) -> list[Person]:
        """n office staff with an office, no shifts, no field work, no suspicion, not planted yet, who punched
        on most of the planting days (and, `phoneless`, never by phone: a planted position stands alone)."""
        pool = [p for p in self.people if p.site and p.team is None and not p.field and p.suspicious_slot is None
                and p.employee_id not in self.used]
        present = dict(DailyStatus.objects.filter(employee_id__in=[p.employee_id for p in pool],
                                                  date__in=self.days, status=DayStatus.PRESENT)
                       .values("employee_id").annotate(n=Count("id")).values_list("employee_id", "n"))
        pool = [p for p in pool if present.get(p.employee_id, 0) >= 0.8 * len(self.days)]
        if phoneless:
            phoned = set(Punch.objects.filter(employee_id__in=[p.employee_id for p in pool], source=PunchSource.MOBILE)
                         .values_list("employee_id", flat=True))
            pool = [p for p in pool if p.employee_id not in phoned]
        chosen = self.rng.sample(pool, min(n, len(pool)))
        self.used |= {p.employee_id for p in chosen}
        return chosen

    def mobile(self, rows: list[PunchRow]) -> None:
        punches_ingest(city=self.city, rows=rows, source=PunchSource.MOBILE, now=_zone_at(self.city, self.days[-1],
                                                                                         23, 59))

    def leave_on_punch_days(self) -> None:
        for person in self.ordinary(EACH):
            present = list(DailyStatus.objects.filter(employee_id=person.employee_id, date__in=self.days,
                                                      status=DayStatus.PRESENT).order_by("date")
                           .values_list("date", flat=True))
            day = self.rng.choice(present[:-1])
            employee = Employee.objects.get(pk=person.employee_id)
            request = leave_request_create(actor=None, employee=employee, kind=LeaveKind.ANNUAL, start_date=day,
                                           end_date=day, reason="Cuti tahunan, keperluan keluarga")
            leave_request_decide(actor=None, request=request, approve=True, note="Disetujui (data demo)")
            self.cases.append(PlantedCase("punch_on_leave", person.employee_id))

    def far_check_ins(self) -> None:
        sites = list(Site.objects.filter(city=self.city).order_by("pk"))
        for person in self.ordinary(EACH):
            here = (person.site.lat, person.site.lon)
            far = [s for s in sites if metres_between(here, (s.lat, s.lon)) >= 4000]
            if not far:
                continue
            site = self.rng.choice(far)
            status = (DailyStatus.objects.filter(employee_id=person.employee_id, date__in=self.days,
                                                 status=DayStatus.PRESENT, first_in__isnull=False).order_by("date")
                      .first())
            at = status.first_in + dt.timedelta(minutes=self.rng.randint(2, 4))
            self.mobile([PunchRow(employee_id=person.employee_id, at=at, site_id=site.pk, lat=site.lat, lon=site.lon,
                                  accuracy_m=8.0, distance_m=12.0)])
            self.cases.append(PlantedCase("impossible_travel", person.employee_id))

    def frozen_positions(self) -> None:
        for person in self.ordinary(EACH):
            site = person.site
            lat, lon = offset((site.lat, site.lon), metres=site.radius_m * 0.2, bearing=self.rng.uniform(0, 6.28))
            rows = [PunchRow(employee_id=person.employee_id, at=_zone_at(self.city, day, 6, self.rng.randint(40, 58),
                                                                          self.rng.randint(0, 59)),
                             site_id=site.site_id, lat=lat, lon=lon, accuracy_m=12.0, distance_m=site.radius_m * 0.2)
                    for day in self.days[-MIN_WORK_DAYS:]]
            self.mobile(rows)
            self.cases.append(PlantedCase("frozen_position", person.employee_id))

    def still_positions(self) -> None:
        """A phone that never moves more than a few decimetres, check-in and check-out, every day; and one whose
        accuracy is nine metres, give or take a few decimetres, for weeks while its position wanders as GPS does."""
        still, steady = self.ordinary(2, phoneless=True)
        rows = []
        for person, wanders in ((still, False), (steady, True)):
            site = person.site
            here = offset((site.lat, site.lon), metres=site.radius_m * 0.3, bearing=self.rng.uniform(0, 6.28))
            for day in self.days[-MIN_WORK_DAYS:]:
                for hour, minute in ((6, self.rng.randint(40, 58)), (16, self.rng.randint(5, 40))):
                    spread = site.radius_m * 0.6 if wanders else 0.4
                    lat, lon = offset(here, metres=self.rng.uniform(0, spread), bearing=self.rng.uniform(0, 6.28))
                    accuracy = round(self.rng.uniform(8.6, 9.4), 1) if wanders else round(self.rng.uniform(4, 25), 1)
                    rows.append(PunchRow(employee_id=person.employee_id, at=_zone_at(
                        self.city, day, hour, minute, self.rng.randint(0, 59)), site_id=site.site_id, lat=lat, lon=lon,
                        accuracy_m=accuracy, distance_m=round(metres_between((site.lat, site.lon), (lat, lon)), 1),
                        browser=phone_browser(person.employee_id)))
        self.mobile(rows)
        self.cases += [PlantedCase("still_position", still.employee_id),
                       PlantedCase("still_position", steady.employee_id)]

    def shared_phone(self) -> None:
        """One phone checks in, most mornings, its owner and two colleagues of the same office, a minute apart."""
        by_site: dict[int, list[Person]] = {}
        for person in self.ordinary(60, phoneless=True):
            by_site.setdefault(person.site.site_id, []).append(person)
        self.used -= {p.employee_id for people in by_site.values() for p in people}
        _site_id, people = max(sorted(by_site.items()), key=lambda item: len(item[1]))
        if len(people) < 3:
            return
        owner, *others = sorted(self.rng.sample(people, 3), key=lambda p: p.employee_id)
        self.used |= {owner.employee_id, *(p.employee_id for p in others)}
        rows = []
        for day in self.days[-MIN_WORK_DAYS:]:
            first = _zone_at(self.city, day, 7, self.rng.randint(0, 25), self.rng.randint(0, 59))
            for i, person in enumerate([owner, *(p for p in others if self.rng.random() < 0.7)]):
                site = person.site
                metres = site.radius_m * self.rng.uniform(0.1, 0.6)
                lat, lon = offset((site.lat, site.lon), metres=metres, bearing=self.rng.uniform(0, 6.28))
                rows.append(PunchRow(employee_id=person.employee_id, at=first + dt.timedelta(seconds=50 * i),
                                     site_id=site.site_id, lat=lat, lon=lon,
                                     accuracy_m=round(self.rng.uniform(5, 20), 1), distance_m=round(metres, 1),
                                     browser=phone_browser(owner.employee_id)))
        self.mobile(rows)
        self.cases.append(PlantedCase("shared_browser", owner.employee_id))

    def flagged_positions(self) -> None:
        """Phone check-ins reporting an altitude of exactly 0 m every day, through the check-in service at their own
        moments (the person gets a login, as a phone user has): from the fourth day on its guard flags them."""
        for person in self.ordinary(EACH):
            site = person.site
            employee = Employee.objects.get(pk=person.employee_id)
            user = get_user_model().objects.create_user(username=f"asn{employee.nip or employee.pk}")
            employee_update(actor=None, employee=employee, user=user)
            for day in self.days[-MIN_WORK_DAYS // 2 - 3:]:
                metres = site.radius_m * self.rng.uniform(0.1, 0.6)
                lat, lon = offset((site.lat, site.lon), metres=metres, bearing=self.rng.uniform(0, 6.28))
                checkin_record(user=user, lat=lat, lon=lon, accuracy_m=round(self.rng.uniform(5, 20), 1),
                               now=_zone_at(self.city, day, 6, self.rng.randint(40, 58), self.rng.randint(0, 59)),
                               altitude_m=0.0, browser_id=phone_id(employee.pk))
            self.cases.append(PlantedCase("position_flagged", person.employee_id))

    def fence_edges(self) -> None:
        for person in self.ordinary(EACH):
            site, rows = person.site, []
            for day in self.days[-MIN_WORK_DAYS:]:
                metres = site.radius_m * self.rng.uniform(0.93, 0.99)
                lat, lon = offset((site.lat, site.lon), metres=metres, bearing=self.rng.uniform(0, 6.28))
                rows.append(PunchRow(employee_id=person.employee_id, at=_zone_at(
                    self.city, day, 6, self.rng.randint(40, 58), self.rng.randint(0, 59)), site_id=site.site_id,
                    lat=lat, lon=lon, accuracy_m=round(self.rng.uniform(5, 20), 1), distance_m=round(metres, 1)))
            self.mobile(rows)
            self.cases.append(PlantedCase("geofence_edge", person.employee_id))

    def history_proxies(self) -> None:
        """The history's own buddy punchers: the same minute each, and one group where they share a machine."""
        proxied = [p for p in self.people if p.suspicious_slot is not None]
        self.cases += [PlantedCase("arrival_same_minute", p.employee_id) for p in sorted(
            proxied, key=lambda p: p.employee_id)]
        if proxied and len({p.site for p in proxied}) == 1:
            self.cases.append(PlantedCase("machine_burst", min(p.employee_id for p in proxied)))

    def machine_group(self) -> None:
        """Three colleagues at one machine, seconds apart, at a different early minute every planting day."""
        by_site: dict[int, list[Person]] = {}
        for person in self.ordinary(60):
            by_site.setdefault(person.site.site_id, []).append(person)
        self.used -= {p.employee_id for people in by_site.values() for p in people}
        site_id, people = max(sorted(by_site.items()), key=lambda item: len(item[1]))
        device = Device.objects.filter(site_id=site_id).order_by("pk").first()
        if device is None or len(people) < 3:
            return
        group = sorted(self.rng.sample(people, 3), key=lambda p: p.employee_id)
        self.used |= {p.employee_id for p in group}
        rows = []
        for day in self.days:
            first = _zone_at(self.city, day, 6, self.rng.randint(40, 58), self.rng.randint(0, 20))
            rows += [PunchRow(p.employee_id, first + dt.timedelta(seconds=12 * i), 0, 1, site_id)
                     for i, p in enumerate(group)]
        punches_ingest(city=self.city, rows=rows, source=PunchSource.DEVICE, device=device,
                       now=_zone_at(self.city, self.days[-1], 23, 59))
        self.cases.append(PlantedCase("machine_burst", group[0].employee_id))

    def sidak_of_proxies(self) -> None:
        proxied = {p.employee_id for p in self.people if p.suspicious_slot is not None}
        lead = (get_user_model().objects.filter(role_assignments__role=Role.INSPECTOR, is_active=True,
                                                role_assignments__city=self.city).order_by("pk").first())
        if not proxied or lead is None or len(self.days) < 4:
            return
        units = list(Unit.objects.filter(employees__in=proxied).distinct().order_by("path"))
        for day in (self.days[len(self.days) // 3], self.days[-2]):
            started = _zone_at(self.city, day, 9, self.rng.randint(0, 40))
            inspection = inspections.inspection_start(actor=lead, units=units, title="Sidak ulang Inspektorat",
                                                      started_at=started, now=started)
            entries = list(inspection.entries.order_by("pk"))
            marks = [{"uuid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "employee": e.employee_id,
                      "observation": Observation.NOT_FOUND if e.employee_id in proxied else Observation.PRESENT,
                      "observed_at": started + dt.timedelta(seconds=30 * (i + 1)),
                      "note": "Tidak ada di ruangan." if e.employee_id in proxied else ""}
                     for i, e in enumerate(entries)]
            closed = started + dt.timedelta(seconds=30 * len(entries) + 900)
            inspections.marks_submit(actor=lead, inspection=inspection, items=marks,
                                     now=closed - dt.timedelta(minutes=5))
            inspections.inspection_close(actor=lead, inspection=inspection, now=closed, note="Sidak ulang unit ini.")
        self.cases += [PlantedCase("sidak_proxy_repeat", e) for e in sorted(proxied)]

    def sidak_then_absent(self) -> None:
        """A sidak of a unit without planted staff nine work days before the end; afterwards the HR admin excludes,
        as corrections, what colleagues had punched for half of its staff, so its attendance drops."""
        lead = (get_user_model().objects.filter(role_assignments__role=Role.INSPECTOR, is_active=True,
                                                role_assignments__city=self.city).order_by("pk").first())
        admin = (get_user_model().objects.filter(role_assignments__role=Role.HR_ADMIN, is_active=True,
                                                 role_assignments__city=self.city).order_by("pk").first())
        if lead is None or admin is None or len(self.days) < MIN_WORK_DAYS:
            return
        ordinary = {p.employee_id for p in self.people if p.team is None and p.suspicious_slot is None
                    and p.employee_id not in self.used}
        units = Unit.objects.filter(city=self.city).only("pk", "path")
        staff_paths = list(Employee.objects.filter(unit__city=self.city, active=True).order_by("pk")
                           .values_list("pk", "unit__path"))
        trees = {u.pk: [e for e, p in staff_paths if u.contains_path(p)] for u in units}
        candidates = sorted((len(staff), u) for u, staff in trees.items()
                            if 8 <= len(staff) <= 40 and set(staff) <= ordinary)
        if not candidates:
            return
        unit = Unit.objects.get(pk=candidates[0][1])
        staff = trees[unit.pk]
        self.used |= set(staff)
        day = self.days[-9]
        started = _zone_at(self.city, day, 9, self.rng.randint(0, 40))
        inspection = inspections.inspection_start(actor=lead, units=[unit], title="Sidak Inspektorat",
                                                  started_at=started, now=started)
        entries = list(inspection.entries.order_by("pk"))
        marks = [{"uuid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "employee": e.employee_id,
                  "observation": Observation.PRESENT, "observed_at": started + dt.timedelta(seconds=30 * (i + 1)),
                  "note": ""} for i, e in enumerate(entries)]
        closed = started + dt.timedelta(seconds=30 * len(entries) + 900)
        inspections.marks_submit(actor=lead, inspection=inspection, items=marks, now=closed - dt.timedelta(minutes=5))
        inspections.inspection_close(actor=lead, inspection=inspection, now=closed, note="Sidak unit ini.")
        gone = self.rng.sample(staff, len(staff) // 2)
        after = [d for d in self.days if d > day]
        start = dt.datetime.combine(after[0], dt.time(), self.city.zone)
        for punch in (Punch.objects.filter(employee_id__in=gone, at__gte=start, excluded=False)
                      .select_related("employee__unit__city").order_by("employee_id", "at")):
            punch_correct(actor=admin, employee=punch.employee, kind=EXCLUDE, punch=punch,
                          reason="Direkam rekan untuknya (temuan setelah sidak)")
        self.cases.append(PlantedCase("attendance_after_sidak", unit_id=unit.pk))

    def desks(self) -> None:
        counters = list(Counter.objects.filter(kelurahan__kecamatan__city=self.city, active=True)
                        .select_related("kelurahan").order_by("kelurahan_id", "number"))
        offices = {c.kelurahan_id for c in counters}
        served = sorted(set(Ticket.objects.filter(kelurahan_id__in=offices, date__in=self.days[-10:])
                            .values_list("kelurahan_id", "date")))
        if len({k for k, _day in served}) < 2:
            return
        quick = self.rng.choice(served)
        ikm = self.rng.choice([pair for pair in served if pair[0] != quick[0]])
        self._tickets(*quick, counters, seconds=(6, 15), scores=None, step=180)
        self.cases.append(PlantedCase("quick_tickets", kelurahan_id=quick[0]))
        self._tickets(*ikm, counters, seconds=(300, 600), scores=(4,) * 9, step=20)
        self.cases.append(PlantedCase("ikm_max_burst", kelurahan_id=ikm[0]))
        address = self.rng.choice([pair for pair in served if pair[0] not in {quick[0], ikm[0]}])
        phone = f"36.{self.rng.randint(64, 95)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
        self._tickets(*address, counters, seconds=(300, 600), scores=(4,) * 9, step=300, rating_address=phone)
        self.cases.append(PlantedCase("ikm_max_address", kelurahan_id=address[0]))
        self._closing_desk(counters, taken={quick[0], ikm[0], address[0]})

    def _closing_desk(self, counters: list, *, taken: set[int]) -> None:
        """The quietest desk of an office without a camera closes ten tickets in the last twenty minutes before
        closing, on every planting day it served."""
        watched = set(Camera.objects.filter(city=self.city, kelurahan__isnull=False).values_list("kelurahan_id",
                                                                                                 flat=True))
        served = dict(Ticket.objects.filter(counter__in=counters, date__in=self.days, status=TicketStatus.DONE)
                      .values("counter_id").annotate(n=Count("id")).values_list("counter_id", "n"))
        pool = [c for c in counters if c.pk in served and c.kelurahan_id not in taken | watched] or [
            c for c in counters if c.pk in served and c.kelurahan_id not in taken]
        if not pool:
            return
        counter = min(pool, key=lambda c: (served[c.pk], c.pk))
        for day in sorted(set(Ticket.objects.filter(counter=counter, date__in=self.days).values_list("date",
                                                                                                   flat=True))):
            hours = hours_on(kelurahan=counter.kelurahan, date=day)
            if hours is None:
                continue
            closes = dt.datetime.combine(day, hours[1], self.city.zone).astimezone(dt.UTC)
            finished = [closes - dt.timedelta(minutes=19 - 2 * i, seconds=self.rng.randint(0, 50)) for i in range(10)]
            self._tickets_at(counter, day, finished, seconds=(240, 600), scores=None)
        self.cases.append(PlantedCase("tickets_before_closing", kelurahan_id=counter.kelurahan_id))

    def _tickets(self, kelurahan_id: int, day: dt.date, counters: list, *, seconds, scores, step: int,
                 rating_address: str = "") -> None:
        """Twelve tickets issued from 14:30 of `day` and finished from 15:20, continuing the day's numbering."""
        counter = next(c for c in counters if c.kelurahan_id == kelurahan_id)
        finish = _zone_at(self.city, day, 15, 20)
        self._tickets_at(counter, day, [finish + dt.timedelta(seconds=step * i) for i in range(12)], seconds=seconds,
                         scores=scores, rating_address=rating_address)

    def _tickets_at(self, counter: Counter, day: dt.date, finished_at: list[dt.datetime], *, seconds, scores,
                    rating_address: str = "") -> None:
        """Tickets of `counter` finished at the given times, issued from 14:30, continuing the day's numbering; rated
        (`scores`) from `rating_address` when given."""
        kelurahan_id = counter.kelurahan_id
        # The day's first service, by its own prefix: a transferred ticket keeps its number and prefix but not its
        # service, so the first ticket's prefix need not be its service's.
        service = Ticket.objects.filter(kelurahan_id=kelurahan_id, date=day).order_by("pk").first().service
        last = TicketSequence.objects.filter(kelurahan_id=kelurahan_id, date=day, prefix=service.prefix).first()
        number = max(last.last_number if last else 0, Ticket.objects.filter(
            kelurahan_id=kelurahan_id, date=day, prefix=service.prefix).aggregate(n=Max("number"))["n"] or 0)
        rows = []
        for i, finished in enumerate(finished_at):
            serving = finished - dt.timedelta(seconds=self.rng.randint(*seconds))
            issued = _zone_at(self.city, day, 14, 30 + i)
            rows.append(TicketRow(kelurahan_id=kelurahan_id, service_id=service.pk, prefix=service.prefix,
                                  number=number + i + 1, date=day, status=TicketStatus.DONE, issued_at=issued,
                                  called_at=serving - dt.timedelta(seconds=30), serving_at=serving,
                                  finished_at=finished, counter_id=counter.pk, scores=scores,
                                  rating_address=rating_address))
        tickets_import(rows=rows)

    def waiting_without_tickets(self) -> None:
        cameras = list(Camera.objects.filter(city=self.city, kelurahan__isnull=False, placement="service_area")
                       .order_by("pk"))
        if not cameras or len(self.days) < 5:
            return
        camera = self.rng.choice(cameras)
        day = self.days[-5]
        made = 0
        for hour in (15, 16, 17):
            issued = KelurahanHour.objects.filter(kelurahan_id=camera.kelurahan_id, date=day, hour=hour,
                                                  issued__gt=0).exists()
            if issued:
                continue
            at = _zone_at(self.city, day, hour, 0)
            PeopleHourly.objects.update_or_create(camera=camera, hour=at, defaults={
                "kelurahan_id": camera.kelurahan_id, "samples": 240, "total": 240 * self.rng.randint(3, 6),
                "peak": 7})
            made += 1
        if made >= 2:
            self.cases.append(PlantedCase("camera_no_tickets", kelurahan_id=camera.kelurahan_id))

    def camera_sees_nobody(self) -> None:
        """A kelurahan whose camera saw nobody for the busiest hours of a day its desk served visitors."""
        cameras = {c.kelurahan_id: c for c in Camera.objects.filter(
            city=self.city, kelurahan__isnull=False, placement="service_area").order_by("pk")}
        planted = {c.kelurahan_id for c in self.cases}
        hours = list(KelurahanHour.objects.filter(kelurahan_id__in=set(cameras) - planted, date__in=self.days[-8:],
                                                  served__gte=3).order_by("kelurahan_id", "date", "hour")
                     .values_list("kelurahan_id", "date", "hour"))
        days: dict[tuple[int, dt.date], list[int]] = {}
        for kelurahan_id, day, hour in hours:
            days.setdefault((kelurahan_id, day), []).append(hour)
        busy = sorted(key for key, found in days.items() if len(found) >= 3)
        if not busy:
            return
        kelurahan_id, day = self.rng.choice(busy)
        for hour in sorted(set(days[(kelurahan_id, day)]))[:3]:
            PeopleHourly.objects.update_or_create(camera=cameras[kelurahan_id], hour=_zone_at(self.city, day, hour, 0),
                                                  defaults={"kelurahan_id": kelurahan_id, "samples": 240, "total": 0,
                                                            "peak": 0, "dwell_count": 0})
        self.cases.append(PlantedCase("camera_empty_desk", kelurahan_id=kelurahan_id))


def integrity_cases_plant(*, city: City, seed: int, end: dt.date, days: int) -> list[PlantedCase]:
    planter = _Planter(city=city, seed=seed, end=end, days=days)
    if len(planter.days) < MIN_WORK_DAYS:
        return []
    planter.history_proxies()
    planter.machine_group()
    planter.leave_on_punch_days()
    planter.far_check_ins()
    planter.frozen_positions()
    planter.still_positions()
    planter.shared_phone()
    planter.fence_edges()
    planter.flagged_positions()
    planter.sidak_of_proxies()
    planter.sidak_then_absent()
    planter.desks()
    planter.waiting_without_tickets()
    planter.camera_sees_nobody()
    return planter.cases


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> str:
    from satulayar.integrity.services import findings_run

    cases = integrity_cases_plant(city=city, seed=seed, end=end, days=days)
    if not cases:
        return "Sinyal integritas: riwayat terlalu pendek, tidak ada kasus yang ditanam"
    result = findings_run(actor=None, city=city, start=end - dt.timedelta(days=min(days, PLANT_DAYS + 7) - 1), end=end)
    return (f"Sinyal integritas: {len(cases)} kasus ditanam; {sum(result.found.values())} sinyal dalam "
            f"{min(days, PLANT_DAYS + 7)} hari terakhir")


@dataclass
class PlantedScore:
    """How a run's findings compare with the planted cases."""

    found: int  # planted cases with a finding
    cases: int
    in_top: int  # planted cases with a finding in the top `top`
    top: int
    top_unplanted: int  # findings in the top `top` that match no planted case
    per_rule: dict[str, dict[str, float | int]]

    @property
    def recall(self) -> float:
        return self.found / self.cases if self.cases else 1.0


def _matches(case: PlantedCase, finding) -> bool:
    if case.rule != finding.rule:
        return False
    if case.kelurahan_id is not None:
        return finding.kelurahan_id == case.kelurahan_id
    if case.unit_id is not None:
        return finding.unit_id == case.unit_id
    return finding.employee_id == case.employee_id


def planted_score(*, findings: list, cases: list[PlantedCase], top: int = 50) -> PlantedScore:
    """`findings` ranked best first (anything with rule, employee_id, kelurahan_id, unit_id)."""
    ranked = list(findings)
    first = ranked[:top]
    true = [any(_matches(c, f) for c in cases) for f in ranked]
    per_rule = {}
    for rule in sorted({c.rule for c in cases} | {f.rule for f in ranked}):
        mine = [(f, t) for f, t in zip(ranked, true, strict=True) if f.rule == rule]
        rule_cases = [c for c in cases if c.rule == rule]
        hit = [c for c in rule_cases if any(_matches(c, f) for f, _t in mine)]
        per_rule[rule] = {"findings": len(mine), "true": sum(t for _f, t in mine), "cases": len(rule_cases),
                          "found": len(hit),
                          "precision": sum(t for _f, t in mine) / len(mine) if mine else 1.0,
                          "recall": len(hit) / len(rule_cases) if rule_cases else 1.0}
    return PlantedScore(
        found=sum(any(_matches(c, f) for f in ranked) for c in cases), cases=len(cases),
        in_top=sum(any(_matches(c, f) for f in first) for c in cases), top=len(first),
        top_unplanted=sum(not t for t in true[:top]), per_rule=per_rule)
