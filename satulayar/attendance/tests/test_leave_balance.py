"""Annual leave balances: 12 working days a year less cuti bersama, carried over up to 6 (12 after two untouched
years), used and pending days counted in working days of the city calendar; a request beyond them is refused
with the numbers."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from satulayar.attendance.choices import CalendarDayKind, LeaveKind, RequestStatus
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.leave_balance import annual_leave_balance, carried_days
from satulayar.attendance.leave_rules import leave_rule_save
from satulayar.attendance.models import CalendarDay


def annual(employee, start, end, approve=False):
    request = leave_request_create(actor=None, employee=employee, kind=LeaveKind.ANNUAL, start_date=start,
                                   end_date=end, reason="Cuti tahunan")
    while approve and request.status == RequestStatus.PENDING:  # BKPSDM decides requests over 12 days
        request = leave_request_decide(actor=None, request=request, approve=True)
    return request


def collective(city, *dates):
    for date in dates:
        CalendarDay.objects.create(city=city, date=date, kind=CalendarDayKind.COLLECTIVE_LEAVE, name="Cuti bersama")


@pytest.fixture
def appointed_2017(org):
    """Rahmadi was appointed in June 2017: 2016 is not his, so nothing is carried from it."""
    employee = org.staff.p2p
    employee.appointed_on = dt.date(2017, 6, 1)
    employee.save()
    return employee


@pytest.mark.parametrize(("last", "before", "untouched", "carried"), [
    (12, 12, False, 6), (3, 12, False, 3), (0, 0, False, 0), (12, 12, True, 12), (5, 4, True, 9), (12, 10, True, 12),
])
def test_the_carry_over_rule(last, before, untouched, carried):
    assert carried_days(unused_last_year=last, unused_year_before=before, untouched_two_years=untouched) == carried


def test_cuti_bersama_are_not_counted_as_leave_and_reduce_the_entitlement_only_where_the_city_says(
        org, personas, appointed_2017):
    # Two cuti bersama on weekdays and one on a Saturday (not a working day: it takes nothing).
    collective(org.city, dt.date(2018, 6, 11), dt.date(2018, 6, 12), dt.date(2018, 6, 16))
    balance = annual_leave_balance(employee=appointed_2017, year=2018)
    assert (balance.entitlement, balance.carried, balance.available) == (12, 6, 18)  # Keppres since 2021
    annual(appointed_2017, dt.date(2018, 6, 8), dt.date(2018, 6, 13), approve=True)  # Fri–Wed: Fri and Wed
    assert annual_leave_balance(employee=appointed_2017, year=2018).used == 2
    leave_rule_save(actor=personas.admin_bkpsdm, city=org.city, kind=LeaveKind.ANNUAL, attachment_over_days=None,
                    bkpsdm_over_days=12, collective_leave_deducted=True)
    balance = annual_leave_balance(employee=appointed_2017, year=2018)
    assert (balance.entitlement, balance.available, balance.remaining) == (10, 16, 14)


def test_two_untouched_years_carry_up_to_twelve_and_one_taken_day_limits_it_to_six(org):
    employee = org.staff.p2p  # no appointment date: every year counts
    assert annual_leave_balance(employee=employee, year=2018).available == 24
    annual(employee, dt.date(2015, 3, 9), dt.date(2015, 3, 9), approve=True)
    assert annual_leave_balance(employee=employee, year=2018).available == 24  # 2015 is not one of the two
    annual(employee, dt.date(2017, 3, 6), dt.date(2017, 3, 6), approve=True)
    balance = annual_leave_balance(employee=employee, year=2018)
    assert (balance.carried, balance.available) == (6, 18)


def test_a_request_beyond_the_balance_is_refused_with_the_numbers(org, appointed_2017):
    annual(appointed_2017, dt.date(2018, 1, 8), dt.date(2018, 1, 26), approve=True)  # 15 working days of 18
    with pytest.raises(ValidationError) as excinfo:
        annual(appointed_2017, dt.date(2018, 2, 5), dt.date(2018, 2, 9))
    assert excinfo.value.message_dict == {
        "start_date": ["Sisa cuti tahunan 2018: 3 hari kerja; yang diminta 5 hari kerja."]}
    pending = annual(appointed_2017, dt.date(2018, 2, 5), dt.date(2018, 2, 7))  # the last 3 days, still pending
    balance = annual_leave_balance(employee=appointed_2017, year=2018)
    assert (balance.used, balance.pending, balance.remaining) == (15, 3, 0)
    with pytest.raises(ValidationError, match="Sisa cuti tahunan 2018: 0 hari kerja; yang diminta 1 hari kerja"):
        annual(appointed_2017, dt.date(2018, 2, 12), dt.date(2018, 2, 12))
    leave_request_decide(actor=None, request=pending, approve=False, note="Ada audit")
    annual(appointed_2017, dt.date(2018, 2, 12), dt.date(2018, 2, 12))  # a refusal gives the days back


def test_a_request_without_a_working_day_is_refused(org):
    with pytest.raises(ValidationError) as excinfo:
        annual(org.staff.p2p, dt.date(2018, 1, 13), dt.date(2018, 1, 14))
    assert excinfo.value.message_dict == {"start_date": ["Rentang 13-01-2018 s.d. 14-01-2018 tidak memuat hari kerja."]}


def test_a_request_across_the_new_year_counts_each_year_apart(org, appointed_2017):
    request = annual(appointed_2017, dt.date(2018, 12, 31), dt.date(2019, 1, 2), approve=True)
    assert request.status == RequestStatus.APPROVED
    assert annual_leave_balance(employee=appointed_2017, year=2018).used == 1
    assert annual_leave_balance(employee=appointed_2017, year=2019).used == 2


def test_the_leave_page_shows_this_years_balance(client_for, org):
    page = re.sub(r"\s+", " ", client_for("pegawai_dinkes").get("/kehadiran/cuti/").content.decode())
    assert 'data-testid="leave-balance"' in page and "sisa 24 hari kerja" in page
    assert "Hak tahun ini" in page and "Sisa dibawa" in page and "Menunggu keputusan" in page
