"""Writes of the integrity app: a run's findings (with their audit and live event), an inspector's judgement of a
finding, and a city's tuning of a rule. Each validates, audits and emits one live event."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import event_publish, integrity_channel
from satulayar.integrity.access import may_review
from satulayar.integrity.choices import FindingStatus
from satulayar.integrity.engine import RunResult, rules_run
from satulayar.integrity.models import Finding, Review, RuleSetting
from satulayar.integrity.rules import RULES
from satulayar.org.models import City

MAX_RANGE_DAYS = 400


def _require_reviewer(actor) -> None:
    if actor is not None and not may_review(actor):
        raise PermissionDenied(_("Hanya inspektur dan pimpinan daerah yang dapat menilai sinyal integritas."))


@transaction.atomic
def findings_run(*, actor, city: City, start: dt.date, end: dt.date) -> RunResult:
    """Runs every enabled rule over the city's days [start, end]; `actor` None for the nightly job."""
    _require_reviewer(actor)
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError(_("Rentang tanggal tidak sah (paling panjang %(n)s hari).") % {"n": MAX_RANGE_DAYS})
    result = rules_run(city=city, start=start, end=end)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="integrity.run", object_id=str(city.pk),
                 object_repr=f"{city} {start}–{end}", after={"found": result.found, "new": result.created},
                 note=_("sinyal integritas dijalankan"))
    event_publish(channel=integrity_channel(city), kind="integrity.run",
                  data={"start": start, "end": end, "new": result.created, "found": sum(result.found.values())})
    return result


@transaction.atomic
def finding_judge(*, actor, finding: Finding, status: str, note: str = "") -> Finding:
    """Records an inspector's judgement (ditinjau, benar, keliru); the finding takes it as its status."""
    _require_reviewer(actor)
    if status not in FindingStatus.values or status == FindingStatus.NEW:
        raise ValidationError({"status": _("Pilih ditinjau, benar atau keliru.")})
    note = (note or "").strip()
    if status == FindingStatus.REJECTED and not note:
        raise ValidationError({"note": _("Tulis alasan mengapa sinyal ini keliru.")})
    before = snapshot(finding)
    review = Review(finding=finding, status=status, note=note[:500], reviewer=actor)
    review.full_clean()
    review.save()
    finding.status = status
    finding.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=finding, before={"status": before["status"]},
                 after={"status": status}, note=note or _("dinilai %(s)s") % {"s": FindingStatus(status).label})
    event_publish(channel=integrity_channel(finding.city), kind="integrity.judged",
                  data={"finding": finding.pk, "rule": finding.rule, "status": status})
    return finding


def _clean_params(code: str, params: dict) -> dict:
    defaults, clean, errors = RULES[code].DEFAULTS, {}, {}
    for name, default in defaults.items():
        raw = params.get(name, default)
        try:
            value = type(default)(str(raw).replace(",", "."))
        except (TypeError, ValueError):
            errors[name] = _("Bukan angka.")
            continue
        if value < 0 or ("share" in name and value > 1):
            errors[name] = _("Di luar rentang yang sah (bagian: 0–1; lainnya: tidak negatif).")
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def rule_tune(*, actor, city: City, rule: str, enabled: bool, params: dict) -> RuleSetting:
    """Switches a rule on or off for the city and sets its thresholds; takes effect from the next run."""
    _require_reviewer(actor)
    if rule not in RULES:
        raise ValidationError({"rule": _("Aturan tidak dikenal.")})
    clean = _clean_params(rule, params)
    setting, _created = RuleSetting.objects.get_or_create(city=city, rule=rule)
    before = snapshot(setting)
    setting.enabled, setting.params = enabled, clean
    setting.full_clean()
    setting.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=setting, object_repr=f"{city} · {rule}", before=before,
                 after=snapshot(setting), note=_("aturan sinyal integritas disetel"))
    event_publish(channel=integrity_channel(city), kind="integrity.tuned",
                  data={"rule": rule, "enabled": enabled})
    return setting
