"""The TPP rule table of a city (the Perwali's cuts) edited by the city's HR admin: one bracket per row.

The recap (`recap.tpp_month`) reads the table as it is at the time; a change applies to every month shown
afterwards, so each change is audited with its before and after.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.attendance.choices import TppViolation
from satulayar.attendance.models import TppRule
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import City


def may_edit_tpp_rules(user) -> bool:
    scope = access.scope_for(user)
    return scope.city_wide and scope.can("manage_units")


def _require_city_admin(actor) -> None:
    if actor is not None and not may_edit_tpp_rules(actor):
        raise PermissionDenied(_("Hanya admin kepegawaian kota yang dapat mengubah aturan potongan TPP."))


def _repr(rule: TppRule) -> str:
    return f"{rule.get_violation_display()} {rule.min_minutes}–{rule.max_minutes or '…'}: {rule.percent} %"


@transaction.atomic
def tpp_rule_save(*, actor, city: City, violation: str, min_minutes: int, max_minutes: int | None,
                  percent: Decimal, rule: TppRule | None = None) -> TppRule:
    """Add a bracket or change one. Brackets of one violation may not overlap."""
    _require_city_admin(actor)
    errors = {}
    if violation not in TppViolation.values:
        errors["violation"] = [_("Jenis pelanggaran tidak dikenal.")]
    if max_minutes is not None and max_minutes < min_minutes:
        errors["max_minutes"] = [_("Batas atas tidak boleh kurang dari batas bawah.")]
    if not Decimal(0) <= percent <= Decimal(100):
        errors["percent"] = [_("Potongan harus antara 0 dan 100 %.")]
    if not errors:
        top = max_minutes if max_minutes is not None else 10**9
        for other in TppRule.objects.filter(city=city, violation=violation).exclude(pk=getattr(rule, "pk", None)):
            other_top = other.max_minutes if other.max_minutes is not None else 10**9
            if other.min_minutes <= top and min_minutes <= other_top:
                errors["min_minutes"] = [_("Rentang menit bertumpang tindih dengan aturan %(rule)s.")
                                         % {"rule": _repr(other)}]
                break
    if errors:
        raise ValidationError(errors)
    before = snapshot(rule) if rule else None
    rule = rule or TppRule(city=city)
    rule.violation, rule.min_minutes, rule.max_minutes, rule.percent = violation, min_minutes, max_minutes, percent
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=rule,
                 object_repr=_repr(rule), before=before, after=snapshot(rule))
    event_publish(channel=attendance_channel(city), kind="tpp.rule_saved",
                  data={"rule": rule.pk, "violation": rule.violation})
    return rule


@transaction.atomic
def tpp_rule_delete(*, actor, rule: TppRule) -> None:
    _require_city_admin(actor)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=rule, object_repr=_repr(rule), before=snapshot(rule))
    event_publish(channel=attendance_channel(rule.city_id), kind="tpp.rule_deleted",
                  data={"rule": rule.pk, "violation": rule.violation})
    rule.delete()
