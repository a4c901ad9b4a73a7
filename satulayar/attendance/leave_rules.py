"""The city's leave rule table: per leave kind, when a request needs its papers and when BKPSDM approves it after
the direct superior. The city HR admin edits it (`leave_rule_save`); a kind without a stored row follows
`DEFAULT_RULES`, read without writing anything.

The defaults follow PP 11/2017 (Pasal 309–341) and Peraturan BKN 24/2017 as far as the kinds here go:
- cuti tahunan: no papers; the head of the unit grants it as delegated by the PPK, except a request longer than
  the 12 days of one year (it uses carried days), which goes to BKPSDM;
- sakit: one day needs only notice to the superior; longer needs a surat keterangan dokter; longer than 14 days
  (a government doctor's letter) goes to BKPSDM too;
- izin: a short permit of the unit, no papers;
- dinas luar: the unit's own surat tugas, attached where the city asks for it (off by default);
- tugas belajar: the decision letter (SK tugas belajar) is attached and BKPSDM approves every request.
Cuti bersama do not reduce the cuti tahunan entitlement by default: the Keppres on cuti bersama ASN (since Keppres
7/2021) say so, where the earlier reading of Peraturan BKN 24/2017 took them from it; a city that follows the
earlier reading sets `collective_leave_deducted` on its cuti tahunan rule.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.attendance.choices import LeaveKind
from satulayar.attendance.models import LeaveRule
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import City

MAX_DAYS = 365


@dataclass(frozen=True)
class Limits:
    attachment_over_days: int | None  # papers required above this many working days (0: always; None: never)
    bkpsdm_over_days: int | None  # BKPSDM approves after the superior above this many working days


DEFAULT_RULES: dict[str, Limits] = {
    LeaveKind.ANNUAL: Limits(attachment_over_days=None, bkpsdm_over_days=12),
    LeaveKind.SICK: Limits(attachment_over_days=1, bkpsdm_over_days=14),
    LeaveKind.PERMIT: Limits(attachment_over_days=None, bkpsdm_over_days=None),
    LeaveKind.FIELD_DUTY: Limits(attachment_over_days=None, bkpsdm_over_days=None),
    LeaveKind.STUDY: Limits(attachment_over_days=0, bkpsdm_over_days=0),
}


def _over(limit: int | None, days: int) -> bool:
    return limit is not None and days > limit


def leave_rule_for(*, city_id: int, kind: str) -> LeaveRule:
    """The stored rule of that kind, or the default one (unsaved)."""
    rule = LeaveRule.objects.filter(city_id=city_id, kind=kind).first()
    if rule is None:
        limits = DEFAULT_RULES[kind]
        rule = LeaveRule(city_id=city_id, kind=kind, attachment_over_days=limits.attachment_over_days,
                         bkpsdm_over_days=limits.bkpsdm_over_days)
    return rule


def leave_rules_for(*, city: City) -> list[LeaveRule]:
    return [leave_rule_for(city_id=city.pk, kind=kind) for kind in LeaveKind.values]


def needs_attachment(rule: LeaveRule, work_days: int) -> bool:
    return _over(rule.attachment_over_days, work_days)


def needs_bkpsdm(rule: LeaveRule, work_days: int) -> bool:
    return _over(rule.bkpsdm_over_days, work_days)


def may_edit_leave_rules(user) -> bool:
    scope = access.scope_for(user)
    return scope.city_wide and scope.can("manage_units")


def _repr(rule: LeaveRule) -> str:
    return _("Aturan %(kind)s: lampiran di atas %(attachment)s, BKPSDM di atas %(bkpsdm)s hari kerja") % {
        "kind": rule.get_kind_display().lower(), "attachment": _limit_text(rule.attachment_over_days),
        "bkpsdm": _limit_text(rule.bkpsdm_over_days)}


def _limit_text(limit: int | None) -> str:
    return "–" if limit is None else str(limit)


@transaction.atomic
def leave_rule_save(*, actor, city: City, kind: str, attachment_over_days: int | None,
                    bkpsdm_over_days: int | None, collective_leave_deducted: bool = False) -> LeaveRule:
    """Store the city's rule for one kind. Requests already made keep the approval path they were given."""
    if actor is not None and not may_edit_leave_rules(actor):
        raise PermissionDenied(_("Hanya admin kepegawaian kota yang dapat mengubah aturan cuti."))
    errors = {}
    if kind not in LeaveKind.values:
        errors["kind"] = [_("Jenis cuti/izin tidak dikenal.")]
    for field, value in (("attachment_over_days", attachment_over_days), ("bkpsdm_over_days", bkpsdm_over_days)):
        if value is not None and not 0 <= value <= MAX_DAYS:
            errors[field] = [_("Batas harus antara 0 dan %(max)s hari kerja, atau kosong.") % {"max": MAX_DAYS}]
    if collective_leave_deducted and kind != LeaveKind.ANNUAL:
        errors["collective_leave_deducted"] = [_("Pengurangan karena cuti bersama hanya berlaku untuk cuti tahunan.")]
    if errors:
        raise ValidationError(errors)
    rule = LeaveRule.objects.select_for_update().filter(city=city, kind=kind).first()
    before = snapshot(rule) if rule else None
    rule = rule or LeaveRule(city=city, kind=kind)
    rule.attachment_over_days, rule.bkpsdm_over_days = attachment_over_days, bkpsdm_over_days
    rule.collective_leave_deducted = collective_leave_deducted
    rule.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=rule,
                 object_repr=_repr(rule), before=before, after=snapshot(rule))
    event_publish(channel=attendance_channel(city), kind="leave.rule_saved", data={"rule": rule.pk, "kind": kind})
    return rule
