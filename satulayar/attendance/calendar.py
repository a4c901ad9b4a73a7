"""The work calendar of a city: holidays, cuti bersama, city days and special work days.

National holidays (category PUBLIC of the `holidays` package) and cuti bersama (its GOVERNMENT category)
are seeded into CalendarDay; from then on the table is the truth and admins edit it. To cancel a seeded
holiday, change its kind to "hari kerja khusus" rather than deleting it: seeding again only adds dates
the table does not have yet, so edits and special work days survive, but a deleted day would come back.
"""

import datetime as dt
from collections.abc import Iterable

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay, DailyStatus
from satulayar.attendance.plan import WorkPlan
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import City, Unit

COUNTRY = "ID"


def holidays_from_package(*, years: Iterable[int]) -> list[tuple[dt.date, str, str]]:
    """(date, Indonesian name, kind) for every national holiday and cuti bersama of those years.

    A date can carry two holidays (2021-05-13: Kenaikan Yesus Kristus and Idul Fitri); each is a row.
    """
    found = holidays.country_holidays(COUNTRY, years=sorted(set(years)), language="id",
                                      categories=(holidays.PUBLIC, holidays.GOVERNMENT))
    rows = []
    for date in sorted(found):
        for name in found.get_list(date):
            kind = CalendarDayKind.COLLECTIVE_LEAVE if "cuti bersama" in name.lower() \
                else CalendarDayKind.NATIONAL_HOLIDAY
            rows.append((date, name[:200], kind))
    return rows


@transaction.atomic
def calendar_seed(*, city: City, years: Iterable[int]) -> int:
    """Add the package's holidays of those years that the city's calendar lacks. Returns rows added."""
    years = sorted(set(years))
    known = set(CalendarDay.objects.filter(city=city, date__year__in=years).values_list("date", flat=True))
    new = [CalendarDay(city=city, date=date, name=name, kind=kind)
           for date, name, kind in holidays_from_package(years=years) if date not in known]
    CalendarDay.objects.bulk_create(new)
    if new:
        audit_record(actor=None, action=AuditAction.CREATE, object_type=CalendarDay._meta.label_lower,
                     object_repr=_("Kalender kerja %(city)s") % {"city": city},
                     note=_("%(n)s hari libur dan cuti bersama %(years)s dari paket holidays %(version)s")
                     % {"n": len(new), "years": f"{years[0]}–{years[-1]}", "version": holidays.__version__})
        _refresh_dates(city=city, dates={day.date for day in new}, rebuild=False)
    return len(new)


def is_work_day(*, city: City, date: dt.date, unit: Unit | None = None) -> bool:
    """Is this a work day for the city's fixed schedules (the unit's own when given)? Reads the calendar
    table; weekends come from the schedule. A shift-roster unit works every day."""
    plan = WorkPlan(start=date, end=date, units=[unit] if unit else [], city_ids=[city.pk])
    return plan.is_work_day(city_id=city.pk, unit=unit, date=date)


def calendar_days(*, city: City, start: dt.date, end: dt.date) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(city=city, date__range=(start, end)))


def _require_calendar_admin(actor) -> None:
    if actor is None:
        return
    scope = access.scope_for(actor)
    if not (scope.city_wide and scope.can("manage_units")):
        raise PermissionDenied(_("Hanya admin kepegawaian kota yang dapat mengubah kalender kerja."))


@transaction.atomic
def calendar_day_save(*, actor, city: City, date: dt.date, kind: str, name: str,
                      day: CalendarDay | None = None) -> CalendarDay:
    """Add a calendar day (a city holiday — libur daerah —, a special work day) or change one."""
    _require_calendar_admin(actor)
    if not (name or "").strip():
        raise ValidationError({"name": [_("Nama hari wajib diisi.")]})
    if kind not in CalendarDayKind.values:
        raise ValidationError({"kind": [_("Jenis hari tidak dikenal.")]})
    before = snapshot(day) if day else None
    old_date = day.date if day else date
    day = day or CalendarDay(city=city)
    day.date, day.kind, day.name = date, kind, name.strip()
    if CalendarDay.objects.filter(city=city, date=date, name=day.name).exclude(pk=day.pk).exists():
        raise ValidationError({"name": [_("Hari %(name)s pada tanggal itu sudah ada.") % {"name": day.name}]})
    day.full_clean(validate_unique=False, validate_constraints=False)
    day.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=day,
                 object_repr=f"{day.date.isoformat()} {day.name}", before=before, after=snapshot(day))
    _refresh_dates(city=city, dates={old_date, date})
    _publish("calendar.day_saved", day)
    return day


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    _require_calendar_admin(actor)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=day, object_repr=f"{day.date.isoformat()} {day.name}",
                 before=snapshot(day))
    city, date = day.city, day.date
    _publish("calendar.day_deleted", day)
    day.delete()
    _refresh_dates(city=city, dates={date})


def _publish(kind: str, day: CalendarDay) -> None:
    event_publish(channel=attendance_channel(day.city_id), kind=kind,
                  data={"day": day.pk, "date": day.date.isoformat(), "kind": day.kind})


def _refresh_dates(*, city: City, dates: set[dt.date], rebuild: bool = True) -> None:
    """Statuses follow the calendar. A day that may have become a work day needs every employee's status
    (`rebuild`); a day that only became a holiday changes just the rows already written."""
    from satulayar.attendance.status import daily_status_rebuild, daily_status_refresh

    if rebuild:
        for date in sorted(dates):
            daily_status_rebuild(city=city, start=date, end=date)
        return
    pairs = set(DailyStatus.objects.filter(employee__unit__city=city, date__in=dates)
                .values_list("employee_id", "date"))
    if pairs:
        daily_status_refresh(pairs=pairs)
