"""Working hours: which hours an employee is expected at work on a date, and the writes that set them.

The answer comes from, in order: the employee's rostered Shift (units whose schedule is a shift roster;
holidays do not apply to them), otherwise the unit's fixed schedule — the newest WorkSchedule in force on
the unit or its nearest ancestor, or the city default below — with the work calendar (holidays, cuti
bersama, city days, special work days) and special hours such as Ramadan laid over it.

The reads (`WorkPlan`, `expected_hours`, `schedule_for_unit`) live in `plan`, which the status engines import;
they are re-exported here. This module holds the writes, which recompute the statuses they touch.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.attendance.choices import ScheduleKind
from satulayar.attendance.models import ScheduleDay, Shift, SpecialHours, WorkSchedule
from satulayar.attendance.plan import (
    DEFAULT_DAYS,
    DEFAULT_GRACE_MINUTES,
    DEFAULT_SCHEDULE,
    DEFAULT_SCHEDULE_NAME,
    HOLIDAY_KINDS,
    SHIFT_EARLY,
    SHIFT_LATE,
    UTC,
    Hours,
    PlannedDay,
    ResolvedSchedule,
    WorkPlan,
    expected_hours,
    schedule_for_unit,
)
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.core.time import local_date, local_instant
from satulayar.org import access
from satulayar.org.models import City, Employee, Unit, subtree_q

# The reads come from `plan` and are re-exported for the callers that know them here.
__all__ = [
    "DEFAULT_DAYS", "DEFAULT_GRACE_MINUTES", "DEFAULT_SCHEDULE", "DEFAULT_SCHEDULE_NAME", "HOLIDAY_KINDS",
    "SHIFT_EARLY", "SHIFT_LATE", "UTC", "Hours", "PlannedDay", "ResolvedSchedule", "WorkPlan", "expected_hours",
    "schedule_create_default", "schedule_for_unit", "shift_set", "special_hours_set", "work_schedule_set",
]


# --- writes ------------------------------------------------------------------------------------------------

def _require_unit_admin(actor, unit: Unit) -> None:
    if actor is None:
        return  # the system itself (seeding, the demo)
    scope = access.scope_for(actor)
    if not (scope.can("manage_employees") and access.can_place_in_unit(actor, unit)):
        raise PermissionDenied(_("Anda tidak berwenang mengatur jam kerja %(unit)s.") % {"unit": unit})


def _require_city_admin(actor) -> None:
    if actor is None:
        return
    scope = access.scope_for(actor)
    if not (scope.city_wide and scope.can("manage_units")):
        raise PermissionDenied(_("Hanya admin kepegawaian kota yang dapat mengatur jam kerja khusus."))


def _schedule_picture(schedule: WorkSchedule) -> dict:
    picture = snapshot(schedule)
    picture["days"] = {str(d.weekday): [d.start_time.isoformat(), d.end_time.isoformat()]
                       for d in schedule.days.all()}
    return picture


@transaction.atomic
def work_schedule_set(*, actor, unit: Unit, name: str, effective_from: dt.date,
                      days: dict[int, tuple[dt.time, dt.time]] | None = None, grace_minutes: int = 0,
                      kind: str = ScheduleKind.FIXED) -> WorkSchedule:
    """Give a unit (and, by inheritance, its sub-units) working hours from a date on.

    `days` maps weekday (0 Monday … 6 Sunday) to local (start, end); a missing weekday is a day off.
    A shift schedule has no days: its hours come from the roster (`shift_set`). Setting a schedule on the
    same unit and date again replaces it.
    """
    _require_unit_admin(actor, unit)
    days = days or {}
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("Nama jadwal wajib diisi.")]
    if kind == ScheduleKind.FIXED and not days:
        errors["days"] = [_("Jadwal tetap membutuhkan sedikitnya satu hari kerja.")]
    if kind == ScheduleKind.SHIFT and days:
        errors["days"] = [_("Jadwal sif tidak memakai jam per hari; jamnya diambil dari daftar sif.")]
    for weekday, (start, end) in sorted(days.items()):
        if not 0 <= weekday <= 6:
            errors["days"] = [_("Hari %(day)s tidak dikenal (0 Senin … 6 Minggu).") % {"day": weekday}]
        elif end <= start:
            errors["days"] = [_("Jam pulang harus setelah jam masuk (hari %(day)s).") % {"day": weekday}]
    if grace_minutes < 0 or grace_minutes > 120:
        errors["grace_minutes"] = [_("Toleransi harus antara 0 dan 120 menit.")]
    if errors:
        raise ValidationError(errors)
    existing = WorkSchedule.objects.filter(unit=unit, effective_from=effective_from).first()
    before = _schedule_picture(existing) if existing else None
    schedule = existing or WorkSchedule(unit=unit, effective_from=effective_from)
    schedule.name, schedule.kind, schedule.grace_minutes = name.strip(), kind, grace_minutes
    schedule.full_clean()
    schedule.save()
    schedule.days.all().delete()
    ScheduleDay.objects.bulk_create([ScheduleDay(schedule=schedule, weekday=w, start_time=s, end_time=e)
                                     for w, (s, e) in sorted(days.items())])
    audit_record(actor=actor, action=AuditAction.UPDATE if existing else AuditAction.CREATE, obj=schedule,
                 object_repr=f"{unit}: {schedule.name} ({effective_from.isoformat()})", unit_path=unit.path,
                 before=before, after=_schedule_picture(schedule))
    _refresh_existing_statuses(unit_path=unit.path, start=effective_from)
    event_publish(channel=attendance_channel(unit.city_id), kind="schedule.set",
                  data={"schedule": schedule.pk, "unit": unit.pk, "effective_from": effective_from.isoformat()})
    return schedule


def schedule_create_default(*, city: City, effective_from: dt.date = dt.date(2000, 1, 1)) -> int:
    """Write the city default (Mon-Thu 07:30-16:00, Fri 07:30-11:00) on every root unit that has no
    schedule, so it shows and can be edited. Returns how many schedules were created."""
    created = 0
    for unit in Unit.objects.filter(city=city, parent__isnull=True, schedules__isnull=True):
        work_schedule_set(actor=None, unit=unit, name=DEFAULT_SCHEDULE_NAME, effective_from=effective_from,
                          days=DEFAULT_DAYS, grace_minutes=DEFAULT_GRACE_MINUTES)
        created += 1
    return created


@transaction.atomic
def special_hours_set(*, actor, city: City, name: str, start_date: dt.date, end_date: dt.date,
                      start_time: dt.time, end_time: dt.time, friday_end_time: dt.time) -> SpecialHours:
    """Shorter hours for a period (Ramadan: for example 08:00-14:00, Friday 08:00-11:00) for every fixed
    schedule of the city."""
    _require_city_admin(actor)
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("Nama periode wajib diisi.")]
    if end_date < start_date:
        errors["end_date"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    if end_time <= start_time or friday_end_time <= start_time:
        errors["end_time"] = [_("Jam pulang harus setelah jam masuk.")]
    if SpecialHours.objects.filter(city=city, start_date__lte=end_date, end_date__gte=start_date).exists():
        errors["start_date"] = [_("Periode ini bertumpang tindih dengan jam kerja khusus yang sudah ada.")]
    if errors:
        raise ValidationError(errors)
    special = SpecialHours.objects.create(city=city, name=name.strip(), start_date=start_date, end_date=end_date,
                                          start_time=start_time, end_time=end_time, friday_end_time=friday_end_time)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=special, after=snapshot(special),
                 object_repr=f"{special.name} ({start_date.isoformat()}–{end_date.isoformat()})")
    _refresh_existing_statuses(city=city, start=start_date, end=end_date)
    event_publish(channel=attendance_channel(city), kind="schedule.special_hours_set",
                  data={"special_hours": special.pk, "start_date": start_date.isoformat(),
                        "end_date": end_date.isoformat()})
    return special


@transaction.atomic
def shift_set(*, actor, employee: Employee, date: dt.date, start: dt.time, end: dt.time) -> Shift:
    """Roster one shift in local time; an end at or before the start falls on the next day (a night shift)."""
    _require_unit_admin(actor, employee.unit)
    zone = employee.unit.city.zone
    start_at = local_instant(date, start, zone)
    end_at = local_instant(date + dt.timedelta(days=1) if end <= start else date, end, zone)
    existing = Shift.objects.filter(employee=employee, date=date).first()
    before = snapshot(existing) if existing else None
    shift = existing or Shift(employee=employee, date=date)
    shift.start_at, shift.end_at = start_at, end_at
    shift.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if existing else AuditAction.CREATE, obj=shift,
                 object_repr=f"{employee} {date.isoformat()}", unit_path=employee.unit.path, before=before,
                 after=snapshot(shift))
    from satulayar.attendance.status import daily_status_refresh

    pairs = {(employee.pk, date + dt.timedelta(days=offset)) for offset in (-1, 0, 1)}
    daily_status_refresh(pairs=pairs)
    event_publish(channel=attendance_channel(employee.unit.city_id), kind="shift.set",
                  data={"shift": shift.pk, "employee": employee.pk, "unit": employee.unit_id,
                        "date": date.isoformat()})
    return shift


def _refresh_existing_statuses(*, unit_path: str = "", city: City | None = None, start: dt.date,
                               end: dt.date | None = None) -> None:
    """After a schedule change, recompute the statuses already written for the days it touches, and, where today
    is open (kept for every scheduled employee), today's of everyone it covers: a day off may have become a work
    day. A day not open yet is opened with the new schedule."""
    from satulayar.attendance.models import DailyStatus, OpenDay
    from satulayar.attendance.status import daily_status_refresh

    rows = DailyStatus.objects.filter(date__gte=start)
    staff = Employee.objects.filter(active=True).select_related("unit__city")
    if end:
        rows = rows.filter(date__lte=end)
    if unit_path:
        rows, staff = (rows.filter(subtree_q(unit_path, via="employee__unit")),
                       staff.filter(subtree_q(unit_path, via="unit")))
    if city:
        rows, staff = rows.filter(employee__unit__city=city), staff.filter(unit__city=city)
    pairs = set(rows.values_list("employee_id", "date"))
    open_days = set(OpenDay.objects.filter(date__gte=start).values_list("city_id", "date"))
    for employee in staff if open_days else ():
        today = local_date(employee.unit.city)
        if (employee.unit.city_id, today) in open_days and (end is None or today <= end):
            pairs.add((employee.pk, today))
    if pairs:
        daily_status_refresh(pairs=pairs)
