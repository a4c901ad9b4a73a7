"""The rules against a small demo city with planted cases among its ordinary noise: every planted case is found,
at least 90 % of them in the top 50, and at most 10 % of the top 50 are not planted."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction

from satulayar.demo.cctv import seed_demo as cameras_seed
from satulayar.demo.generator import seed_city
from satulayar.demo.integrity import _matches, integrity_cases_plant, planted_score
from satulayar.demo.users import create_demo_users
from satulayar.demo.visits_history import visits_history_seed
from satulayar.integrity.engine import rules_run
from satulayar.integrity.models import Finding
from satulayar.org.models import City

EMPLOYEES = 300
DAYS = 35
SEED = 2018
END = dt.date(2026, 11, 27)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def planted(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_city(city_slug="banjarmasin", employees=EMPLOYEES, days=DAYS, seed=SEED, on=END)
        city = City.objects.get(slug="banjarmasin")
        create_demo_users(city=city, seed=SEED)
        visits_history_seed(city=city, days=DAYS, seed=SEED, end_date=END)
        cameras_seed(city=city, days=DAYS, seed=SEED, end=END, progress=lambda m: None)
        cases = integrity_cases_plant(city=city, seed=SEED, end=END, days=DAYS)
        result = rules_run(city=city, start=END - dt.timedelta(days=DAYS - 1), end=END)
        findings = [SimpleNamespace(rule=f.rule, employee_id=f.employee_id, kelurahan_id=f.kelurahan_id,
                                    unit_id=f.unit_id, score=f.score, summary=f.summary, evidence=len(f.evidence))
                    for f in Finding.objects.filter(city=city).order_by("-score", "-last_date", "pk")]
        transaction.set_rollback(True)
    return SimpleNamespace(cases=cases, findings=findings, result=result)


def test_every_rule_has_a_planted_case(planted):
    assert {c.rule for c in planted.cases} == set(planted.result.found)


def test_every_planted_case_is_found(planted):
    score = planted_score(findings=planted.findings, cases=planted.cases)
    missed = [c for c in planted.cases if not any(_matches(c, f) for f in planted.findings)]
    assert not missed, missed
    assert score.found == score.cases


def test_planted_cases_rank_high_and_noise_stays_low(planted):
    score = planted_score(findings=planted.findings, cases=planted.cases, top=50)
    assert score.in_top >= 0.9 * score.cases, score
    assert score.top_unplanted <= 0.1 * score.top, [(f.rule, f.summary, f.score) for f in planted.findings[:50]]


def test_every_finding_explains_itself_with_evidence(planted):
    assert all(f.summary and f.evidence for f in planted.findings)
