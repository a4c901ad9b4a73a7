"""The demo opens with leave still to decide: cuti tahunan waiting for the unit heads (the `pegawai` login's own
among them) and two long requests that the head approved and BKPSDM has still to decide, with their papers."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from satulayar.attendance.access import awaits_bkpsdm, decidable_requests_for
from satulayar.attendance.choices import LeaveKind, RequestStatus
from satulayar.attendance.models import LeaveRequest
from satulayar.demo import leave_waiting
from satulayar.demo.generator import seed_city
from satulayar.demo.users import create_demo_users
from satulayar.org.models import City

END = dt.date(2026, 11, 27)


@pytest.fixture
def waiting(db):
    seed_city(city_slug="banjarmasin", employees=300, days=7, seed=2018, on=END)
    city = City.objects.get()
    create_demo_users(city=city, seed=2018)
    line = leave_waiting.seed_demo(city=city, days=7, seed=2018, end=END, progress=print)
    return line, LeaveRequest.objects.filter(start_date__gt=END)


def test_the_demo_opens_with_leave_waiting_for_heads_and_for_bkpsdm(waiting):
    line, requests = waiting
    assert line == "Cuti menunggu: 7 pengajuan menunggu atasan, 2 menunggu BKPSDM"
    assert set(requests.values_list("status", flat=True)) == {RequestStatus.PENDING}
    for_heads = [r for r in requests if not awaits_bkpsdm(r)]
    assert len(for_heads) == 7 and {r.kind for r in for_heads} == {LeaveKind.ANNUAL}
    assert "pegawai" in {r.employee.user.username for r in for_heads if r.employee.user}
    for_bkpsdm = [r for r in requests if awaits_bkpsdm(r)]
    assert {r.kind for r in for_bkpsdm} == {LeaveKind.STUDY, LeaveKind.SICK}
    assert all(r.needs_bkpsdm and r.attachments.count() == 1 for r in for_bkpsdm)
    bkpsdm = get_user_model().objects.get(username="admin_bkpsdm")
    assert set(decidable_requests_for(bkpsdm).filter(start_date__gt=END)) >= set(for_bkpsdm)
