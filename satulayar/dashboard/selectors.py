"""Reads behind the one screen. Every number comes from the app that owns it; this module only gathers and rolls up.

- attendance: `attendance.reports.units_today` (the maintained unit-days of today) summed up the tree into SKPDs
  or a unit's sub-units, the late list a page of status rows (`late_today`), beside
  a normal day: the median, over the same weekday of recent weeks, of the share present by this time of day;
- kelurahan services: `visits.selectors` (visit_metrics, queue_now, ikm_by);
- cameras, indicators and inspections: the CCTV, integration hub and sidak apps' own selectors.

Everything takes the user and is limited to what org.access lets them see.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from satulayar.attendance import rollups
from satulayar.attendance.reports import UnitToday, late_today, rollup_units_for, units_today
from satulayar.cctv import selectors as cctv
from satulayar.core.time import local_date, local_now
from satulayar.inspections import selectors as sidak
from satulayar.integrations import selectors as hub
from satulayar.org import access
from satulayar.org.models import City, Kelurahan, Unit, subtree_q
from satulayar.org.ordering import city_order
from satulayar.visits import selectors as visits
from satulayar.visits.access import kelurahan_for_metrics

NORMAL_WEEKS = 6
LATE_SHOWN = 8
IKM_DAYS = 30


# --- attendance ----------------------------------------------------------------------------------------------------


@dataclass
class AttendanceToday:
    parent: Unit | None  # None: the SKPDs at the top of what the user sees
    rows: list[UnitToday]  # one per SKPD or sub-unit (the parent's own staff first), subtrees summed
    total: UnitToday
    normal: dict[int | None, Decimal | None] = field(default_factory=dict)  # unit id (None: total) -> rate
    late: list[tuple] = field(default_factory=list)  # (employee, minutes), latest first, one page

    @property
    def normal_total(self) -> Decimal | None:
        return self.normal.get(None)


def _groups(units: list[Unit], parent: Unit | None) -> list[Unit]:
    if parent is not None:
        return [parent] + [u for u in units if u.parent_id == parent.pk]
    visible = {u.pk for u in units}
    return [u for u in units if u.parent_id not in visible]


def _group_of(groups: list[Unit], parent: Unit | None, unit_id: int, path: str) -> Unit | None:
    if parent is not None and unit_id == parent.pk:
        return parent
    return next((g for g in groups if g is not parent and g.contains_path(path)), None)


def attendance_today(*, user, city: City, parent: Unit | None = None, now: dt.datetime | None = None,
                     with_normal: bool = True, late_limit: int = LATE_SHOWN) -> AttendanceToday | None:
    """Today per SKPD (or per sub-unit of `parent`); None for a user who may not see employees' attendance."""
    scope = access.scope_for(user)
    if not (scope.can("view_employees") or scope.can("view_attendance_rates")):
        return None
    now = now or timezone.now()
    units = access.units_for(user).filter(active=True, pk__in=rollup_units_for(user, counted=True).values("pk"))
    units = units.order_by("path")
    employees = access.attendance_employees_for(user).filter(active=True)
    if parent is not None:  # one unit's page costs that unit's staff, not the city's
        units, employees = units.subtree(parent), employees.filter(subtree_q(parent, via="unit"))
    rows = units_today(units=units, employees=employees, now=now)
    units = [row.unit for row in rows]
    groups = _groups(units, parent)
    if parent is None and len(groups) == 1:  # a department head: straight to their sub-units
        parent, groups = groups[0], _groups(units, groups[0])
    rolled = {g.pk: UnitToday(unit=g) for g in groups}
    total = UnitToday(unit=parent)
    for row in rows:
        group = _group_of(groups, parent, row.unit.pk, row.unit.path)
        if group is not None:
            rolled[group.pk].add(row)
            total.add(row)
    late = late_today(unit_ids=[unit.pk for unit in units], date=local_date(city, now),
                      limit=late_limit) if scope.can("view_employees") and total.late else []
    parents = Unit.objects.in_bulk({e.unit.parent_id for e, _m in late if e.unit.parent_id})
    for employee, _minutes in late:  # unit.label names the parent SKPD: one query, not one per person
        if employee.unit.parent_id:
            employee.unit.parent = parents[employee.unit.parent_id]
    groups = sorted(groups, key=lambda g: (g is not parent, *city_order(g)))
    result = AttendanceToday(parent=parent, rows=[rolled[g.pk] for g in groups if rolled[g.pk].employees],
                             total=total, late=late)
    if with_normal:
        result.normal = attendance_normal(user=user, city=city, groups=groups, parent=parent, now=now)
    for row in result.rows:
        row.normal_rate = result.normal.get(row.unit.pk)
    return result


def normal_dates(*, today: dt.date, weeks: int = NORMAL_WEEKS) -> list[dt.date]:
    return [today - dt.timedelta(weeks=k) for k in range(1, weeks + 1)]


def attendance_normal(*, user, city: City, groups: list[Unit], parent: Unit | None,
                      now: dt.datetime | None = None, weeks: int = NORMAL_WEEKS) -> dict[int | None, Decimal | None]:
    """A normal day for each group and in total: the median, over the same weekday of the last `weeks` weeks that
    were work days, of present / expected by the same minute of the day. Read from the unit-day rollups (present
    by then = arrivals up to this local minute), so it costs units × weeks rows however long the history."""
    local = local_now(city, now)
    minute = local.hour * 60 + local.minute
    units = rollup_units_for(user, counted=True)
    if parent is not None:
        units = units.subtree(parent)
    days: dict[int | None, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rollups.unit_days(unit_ids=units.values("pk"), dates=normal_dates(today=local.date(), weeks=weeks)):
        group = _group_of(groups, parent, row.unit_id, row.path)
        for key in ([group.pk] if group else []) + [None]:
            counts = days[key][row.date]
            counts[0] += rollups.present_by(row.arrivals, minute)
            counts[1] += row.expected
    return {key: _median_rate(per_date.values()) for key, per_date in days.items()}


def _median_rate(counts) -> Decimal | None:
    rates = [Decimal(100) * present / expected for present, expected in counts if expected]
    return Decimal(statistics.median(rates)).quantize(Decimal("0.1")) if rates else None


# --- kelurahan services ----------------------------------------------------------------------------------------------


@dataclass
class KelurahanToday:
    kelurahan: Kelurahan
    metrics: visits.VisitMetrics
    queue: visits.QueueNow
    ikm: visits.Ikm

    @property
    def longest_wait_min(self) -> float | None:
        return None if self.queue.longest_wait_s is None else self.queue.longest_wait_s / 60


@dataclass
class ServicesToday:
    date: dt.date
    rows: list[KelurahanToday]  # busiest first
    ikm: visits.Ikm  # over all the user's kelurahan, last IKM_DAYS days

    @property
    def visits(self) -> int:
        return sum(row.metrics.visits for row in self.rows)

    @property
    def served(self) -> int:
        return sum(row.metrics.served for row in self.rows)

    @property
    def waiting(self) -> int:
        return sum(row.queue.waiting for row in self.rows)

    @property
    def longest_wait_min(self) -> float | None:
        waits = [row.longest_wait_min for row in self.rows if row.longest_wait_min is not None]
        return max(waits) if waits else None


def ikm_total(parts) -> visits.Ikm:
    """The IKM over several groups' ratings: the element sums added up, then the one formula of visits.selectors."""
    parts = [p for p in parts if p.respondents]
    respondents = sum(p.respondents for p in parts)
    if not respondents:
        return visits.Ikm()
    sums = [round(sum(p.element_means[i] * p.respondents for p in parts)) for i in range(len(parts[0].element_means))]
    return visits.Ikm(respondents=respondents, element_means=tuple(s / respondents for s in sums),
                      index=visits.ikm_index(element_sums=sums, respondents=respondents))


def services_today(*, user, city: City, kelurahan_ids=None, now: dt.datetime | None = None) -> ServicesToday:
    """Today's visits, the queue now and the 30-day IKM per kelurahan the user may read."""
    kelurahan = kelurahan_for_metrics(user).select_related("kecamatan")
    if kelurahan_ids is not None:
        kelurahan = kelurahan.filter(pk__in=kelurahan_ids)
    kelurahan = {k.pk: k for k in kelurahan}
    today = local_now(city, now).date()
    ids = list(kelurahan)
    metrics = {m.kelurahan_id: m for m in visits.visit_metrics(kelurahan_ids=ids, start=today, end=today)}
    queues = {q.kelurahan_id: q for q in visits.queue_now(kelurahan_ids=ids, now=now)}
    ikm = {key[0]: value for key, value in visits.ikm_by(
        kelurahan_ids=ids, start=today - dt.timedelta(days=IKM_DAYS - 1), end=today).items()}
    rows = [KelurahanToday(kelurahan=k, metrics=metrics.get(pk) or visits.VisitMetrics(kelurahan_id=pk),
                           queue=queues.get(pk) or visits.QueueNow(kelurahan_id=pk), ikm=ikm.get(pk) or visits.Ikm())
            for pk, k in kelurahan.items()]
    rows.sort(key=lambda r: (-r.metrics.visits, -r.queue.waiting, r.kelurahan.name))
    return ServicesToday(date=today, rows=rows, ikm=ikm_total(ikm.values()))


# --- the other apps ------------------------------------------------------------------------------------------------


def cameras(*, user, city: City) -> list[dict]:
    return cctv.dashboard_cameras(user=user, city=city)


def indicators(*, user, city: City) -> list[dict]:
    return hub.indicators_latest(user=user, city=city)


def inspections(*, user, city: City, limit: int = 5) -> list[dict]:
    return sidak.inspections_recent(user=user, city=city, limit=limit)
