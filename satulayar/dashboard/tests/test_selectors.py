"""The overview's numbers: today's attendance beside a normal day (the same weekday's median by the same hour)."""

import datetime as dt
import zoneinfo

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.status import daily_status_rebuild
from satulayar.dashboard.selectors import attendance_today

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 11, 24, 9, 30, tzinfo=WITA)  # a Tuesday


def arrive(org, date: dt.date, arrivals: dict):
    rows = [PunchRow(employee_id=e.pk, at=dt.datetime.combine(date, t, WITA)) for e, t in arrivals.items()]
    punches_ingest(city=org.city, rows=rows, source=PunchSource.API, refresh_statuses=False,
                   now=dt.datetime.combine(date, dt.time(23), WITA))
    daily_status_rebuild(city=org.city, start=date, end=date, now=dt.datetime.combine(date, dt.time(23), WITA))


def test_a_normal_day_is_the_median_share_in_by_this_hour_on_the_same_weekday(org, personas):
    s = org.staff
    everyone = [s.dinkes, s.p2p, s.kominfo, s.pemerintahan, s.kelurahan]
    arrive(org, dt.date(2026, 11, 17), {e: dt.time(7, 40) for e in everyone[:4]} | {s.kelurahan: dt.time(10, 0)})
    arrive(org, dt.date(2026, 11, 10), {e: dt.time(7, 50) for e in everyone})
    arrive(org, dt.date(2026, 11, 3), {s.dinkes: dt.time(8, 0), s.p2p: dt.time(9, 0)})
    arrive(org, NOW.date(), {s.dinkes: dt.time(7, 20), s.kominfo: dt.time(8, 5)})

    today = attendance_today(user=personas.walikota, city=org.city, now=NOW)
    # By 09:30: 4 of 5 on 17 Nov, 5 of 5 on 10 Nov, 2 of 5 on 3 Nov -> 80, 100, 40; the median is 80.
    assert today.normal_total == 80
    assert (today.total.expected, today.total.present, today.total.late) == (5, 2, 1)
    assert today.total.present_rate == 40
    dinkes = next(row for row in today.rows if row.unit == org.dinkes)
    assert (dinkes.expected, dinkes.present, dinkes.normal_rate) == (2, 1, 100)  # 2/2, 2/2, 2/2 on normal days
    assert [(e.name, minutes) for e, minutes in today.late] == [("Muhammad Iqbal, S.Kom.", 35)]


def test_a_department_head_drills_into_their_own_sub_units(org, personas):
    today = attendance_today(user=personas.admin_dinas_kesehatan, city=org.city, now=NOW)
    assert today.parent == org.dinkes
    assert [row.unit for row in today.rows] == [org.dinkes, org.p2p]
    assert today.total.employees == 2


def test_the_command_centre_gets_the_city_rates_without_names(org, city):
    from satulayar.org.choices import Role
    from tests.factories import make_user

    walikota = attendance_today(user=make_user("wk", Role.EXECUTIVE, city), city=org.city, now=NOW)
    centre = attendance_today(user=make_user("cc", Role.COMMAND_CENTRE, city), city=org.city, now=NOW)
    assert centre.total.expected == walikota.total.expected > 0
    assert centre.total.present == walikota.total.present and centre.late == []


def test_no_attendance_for_a_role_without_it(org, city):
    from satulayar.org.choices import Role
    from tests.factories import make_user

    assert attendance_today(user=make_user("lurah2", Role.INTEGRATION_ADMIN, city), city=org.city, now=NOW) is None
