"""Reads of the integrity app: the ranked list, each rule's counts and precision as judged, the evidence rows
with their people and places, and the small count of new findings for the one screen."""

from django.db.models import Count, Q, QuerySet

from satulayar.integrity.access import findings_for
from satulayar.integrity.choices import FindingStatus
from satulayar.integrity.engine import rule_params
from satulayar.integrity.models import Finding
from satulayar.integrity.rules import RULES
from satulayar.org.models import City, Employee, Kelurahan, Unit


def findings_list(*, user, city: City, rule: str = "", status: str = "") -> QuerySet[Finding]:
    findings = findings_for(user).filter(city=city).select_related("employee__unit", "kelurahan")
    if rule in RULES:
        findings = findings.filter(rule=rule)
    if status in FindingStatus.values:
        findings = findings.filter(status=status)
    return findings.order_by("-score", "-last_date", "pk")


def new_count(*, user, city: City) -> int:
    return findings_for(user).filter(city=city, status=FindingStatus.NEW).count()


def rule_stats(*, user, city: City) -> list[dict]:
    """Per rule: its switch, thresholds, findings by status and precision (benar / (benar + keliru))."""
    counts = {row["rule"]: row for row in findings_for(user).filter(city=city).values("rule").annotate(
        total=Count("id"), new=Count("id", filter=Q(status=FindingStatus.NEW)),
        confirmed=Count("id", filter=Q(status=FindingStatus.CONFIRMED)),
        rejected=Count("id", filter=Q(status=FindingStatus.REJECTED)))}
    stats = []
    for code, (enabled, params) in rule_params(city=city).items():
        module, row = RULES[code], counts.get(code, {})
        judged = row.get("confirmed", 0) + row.get("rejected", 0)
        stats.append({"code": code, "module": module, "title": module.TITLE, "domain": module.DOMAIN,
                      "description": module.DESCRIPTION, "enabled": enabled,
                      "params": [(name, module.PARAM_LABELS.get(name, name), value) for name, value in params.items()],
                      "total": row.get("total", 0), "new": row.get("new", 0), "confirmed": row.get("confirmed", 0),
                      "rejected": row.get("rejected", 0), "judged": judged,
                      "precision": row.get("confirmed", 0) / judged if judged else None})
    return stats


def evidence_rows(*, finding: Finding) -> list[dict]:
    """The finding's evidence with the names of the people, kelurahan and units it points at."""
    employee_ids = {e.get("employee") for e in finding.evidence if e.get("employee")}
    kelurahan_ids = {e.get("kelurahan") for e in finding.evidence if e.get("kelurahan")}
    unit_ids = {e.get("unit") for e in finding.evidence if e.get("unit")}
    names = dict(Employee.objects.filter(pk__in=employee_ids).values_list("pk", "name"))
    places = dict(Kelurahan.objects.filter(pk__in=kelurahan_ids).values_list("pk", "name"))
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    return [{**e, "employee_name": names.get(e.get("employee"), ""),
             "kelurahan_name": places.get(e.get("kelurahan"), ""), "unit_name": units.get(e.get("unit"), "")}
            for e in finding.evidence]
