"""Runs the rules over a city's days and stores what they find.

Each rule reads the window set-based and returns its signals; the engine upserts them by (city, rule, key): a
finding seen again gets the new score and evidence and keeps its status and judgements. A rule switched off for
the city is skipped. Nothing here writes outside this app: no daily status, no TPP deduction is touched.
"""

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import transaction

from satulayar.integrity.models import Finding, RuleSetting
from satulayar.integrity.rules import RULES
from satulayar.integrity.rules.base import Signal, Window
from satulayar.org.models import City

NIGHTLY_DAYS = 35  # the nightly run looks back five weeks: patterns need days, the recent ones matter


@dataclass
class RunResult:
    city_id: int
    start: dt.date
    end: dt.date
    found: dict[str, int] = field(default_factory=dict)
    created: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def rule_params(*, city: City) -> dict[str, tuple[bool, dict]]:
    """Each rule's switch and thresholds for the city: its defaults, overridden by the city's setting."""
    saved = {s.rule: s for s in RuleSetting.objects.filter(city=city)}
    result = {}
    for code, module in RULES.items():
        setting = saved.get(code)
        params = {**module.DEFAULTS, **{k: v for k, v in (setting.params if setting else {}).items()
                                        if k in module.DEFAULTS}}
        result[code] = (setting.enabled if setting else True, params)
    return result


def rules_run(*, city: City, start: dt.date, end: dt.date) -> RunResult:
    window = Window(city=city, start=start, end=end)
    result = RunResult(city_id=city.pk, start=start, end=end)
    for code, (enabled, params) in rule_params(city=city).items():
        if not enabled:
            continue
        began = time.monotonic()
        signals = RULES[code].detect(window, params)
        result.created += _store(city, code, signals)
        result.found[code] = len(signals)
        result.seconds[code] = round(time.monotonic() - began, 2)
    return result


def _fields(signal: Signal) -> dict:
    return {"score": signal.score, "summary": signal.summary[:300], "explanation": signal.explanation,
            "first_date": signal.first_date, "last_date": signal.last_date, "evidence": signal.evidence,
            "employee_id": signal.employee_id, "unit_id": signal.unit_id, "kelurahan_id": signal.kelurahan_id}


@transaction.atomic
def _store(city: City, code: str, signals: list[Signal]) -> int:
    """Upserts the signals; returns how many findings are new."""
    existing = {f.key: f for f in Finding.objects.filter(city=city, rule=code, key__in=[s.key for s in signals])}
    new, changed = [], []
    for signal in signals:
        finding = existing.get(signal.key)
        if finding is None:
            new.append(Finding(city=city, rule=code, key=signal.key, **_fields(signal)))
        else:
            for name, value in _fields(signal).items():
                setattr(finding, name, value)
            changed.append(finding)
    Finding.objects.bulk_create(new, batch_size=500)
    if changed:
        Finding.objects.bulk_update(changed, [*_fields(signals[0]), "updated_at"], batch_size=500)
    return len(new)
