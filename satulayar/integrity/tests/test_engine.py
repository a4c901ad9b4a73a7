"""The engine over a real punch on approved leave: the command for a date range finds it, a rerun keeps its
judgement, a rule switched off finds nothing, and the nightly task reads the weeks up to yesterday. Nothing
the run does changes a daily status."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from satulayar.attendance.choices import LeaveKind, PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.models import DailyStatus
from satulayar.integrity.choices import FindingStatus
from satulayar.integrity.models import Finding
from satulayar.integrity.services import finding_judge, rule_tune
from satulayar.integrity.tasks import integrity_nightly_run

DAY = dt.date(2026, 11, 18)  # a Wednesday


@pytest.fixture
def leave_punch(org):
    employee = org.staff.p2p
    request = leave_request_create(actor=None, employee=employee, kind=LeaveKind.ANNUAL, start_date=DAY, end_date=DAY,
                                   reason="Cuti tahunan")
    leave_request_decide(actor=None, request=request, approve=True)
    at = dt.datetime.combine(DAY, dt.time(7, 31), ZoneInfo("Asia/Makassar"))
    punches_ingest(city=org.city, rows=[PunchRow(employee.pk, at)], source=PunchSource.API,
                   now=at + dt.timedelta(hours=1))
    return employee


def _statuses():
    return list(DailyStatus.objects.order_by("pk").values_list("employee_id", "date", "status", "first_in"))


def test_the_command_finds_the_punch_on_leave_and_a_rerun_keeps_the_judgement(leave_punch, personas, capsys):
    before = _statuses()
    call_command("integrity_run", "2026-11-01", "2026-11-30")
    finding = Finding.objects.get(rule="punch_on_leave")
    assert finding.employee == leave_punch and finding.first_date == DAY
    assert "cuti tahunan" in finding.explanation and {e["kind"] for e in finding.evidence} == {"leave", "punch"}
    finding_judge(actor=personas.inspektur, finding=finding, status=FindingStatus.CONFIRMED, note="Benar.")
    call_command("integrity_run", "2026-11-01", "2026-11-30")
    assert Finding.objects.filter(rule="punch_on_leave").count() == 1
    assert Finding.objects.get(rule="punch_on_leave").status == FindingStatus.CONFIRMED
    assert _statuses() == before
    assert "punch_on_leave 1" in capsys.readouterr().out


def test_a_rule_switched_off_finds_nothing(leave_punch, org, personas):
    rule_tune(actor=personas.inspektur, city=org.city, rule="punch_on_leave", enabled=False, params={})
    call_command("integrity_run", "2026-11-01", "2026-11-30")
    assert not Finding.objects.filter(rule="punch_on_leave").exists()


def test_the_nightly_run_reads_the_weeks_up_to_yesterday(leave_punch):
    integrity_nightly_run(today=DAY + dt.timedelta(days=10))
    assert Finding.objects.filter(rule="punch_on_leave", employee=leave_punch).exists()
    Finding.objects.all().delete()
    integrity_nightly_run(today=DAY)  # the punch is today's: not read yet
    assert not Finding.objects.exists()


def test_tuning_refuses_a_share_above_one_and_an_unknown_rule(org, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="rentang"):
        rule_tune(actor=personas.inspektur, city=org.city, rule="geofence_edge", enabled=True, params={"min_share": 2})
    with pytest.raises(ValidationError):
        rule_tune(actor=personas.inspektur, city=org.city, rule="tidak_ada", enabled=True, params={})
