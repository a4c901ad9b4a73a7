"""Integrity pages: the ranked list with each rule's precision, a finding with its evidence and judgement, the
rules with their switches and thresholds, and a run over a date range. Inspectors and executives only; every
page view is audited (who looked at which suspicions)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.decorators import capability_required
from satulayar.integrity import selectors, services
from satulayar.integrity.access import INSPECT, finding_get_for_user
from satulayar.integrity.choices import FindingStatus
from satulayar.integrity.forms import JudgeForm, RunForm
from satulayar.integrity.rules import RULES

PAGE_SIZE = 50


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@capability_required(INSPECT)
@require_GET
def finding_list(request):
    rule, status = request.GET.get("aturan", ""), request.GET.get("status", "")
    findings = selectors.findings_list(user=request.user, city=request.city, rule=rule, status=status)
    audit_record(actor=request.user, action=AuditAction.VIEW, object_type="integrity.list",
                 object_repr=_("daftar sinyal integritas"), note=f"aturan={rule} status={status}")
    return render(request, "integrity/list.html", {
        "findings": findings[:PAGE_SIZE], "total": findings.count(), "rule": rule, "status": status,
        "statuses": FindingStatus, "stats": selectors.rule_stats(user=request.user, city=request.city),
        "run_form": RunForm()})


@capability_required(INSPECT)
@require_GET
def badge(request):
    """The one screen's count of new findings, fetched again after each `integrity.` live event."""
    return render(request, "integrity/_badge.html", {"new": selectors.new_count(user=request.user,
                                                                               city=request.city)})


@capability_required(INSPECT)
@require_GET
def finding_detail(request, pk: int):
    finding = finding_get_for_user(user=request.user, pk=pk)
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=finding, note=_("sinyal integritas dibuka"))
    return render(request, "integrity/finding.html", {
        "finding": finding, "rule": RULES.get(finding.rule), "evidence": selectors.evidence_rows(finding=finding),
        "reviews": finding.reviews.select_related("reviewer"), "form": JudgeForm()})


@capability_required(INSPECT)
@require_POST
def finding_judge(request, pk: int):
    finding = finding_get_for_user(user=request.user, pk=pk)
    form = JudgeForm(request.POST)
    if form.is_valid():
        try:
            services.finding_judge(actor=request.user, finding=finding, status=form.cleaned_data["status"],
                                   note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Penilaian disimpan."))
    else:
        messages.error(request, _("Pilih penilaian."))
    return redirect("integrity:finding", pk=pk)


@capability_required(INSPECT)
@require_GET
def rules(request):
    audit_record(actor=request.user, action=AuditAction.VIEW, object_type="integrity.rules",
                 object_repr=_("aturan sinyal integritas"))
    return render(request, "integrity/rules.html", {"stats": selectors.rule_stats(user=request.user,
                                                                                  city=request.city)})


@capability_required(INSPECT)
@require_POST
def rule_tune(request, code: str):
    if code not in RULES:
        raise Http404(code)
    params = {name: request.POST.get(name, "") for name in RULES[code].DEFAULTS}
    try:
        services.rule_tune(actor=request.user, city=request.city, rule=code,
                           enabled=request.POST.get("enabled") == "on", params=params)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Aturan \"%(rule)s\" disimpan; berlaku pada penjalanan berikutnya.")
                         % {"rule": RULES[code].TITLE})
    return redirect("integrity:rules")


@capability_required(INSPECT)
@require_POST
def run(request):
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi tanggal mulai dan sampai."))
        return redirect("integrity:list")
    try:
        result = services.findings_run(actor=request.user, city=request.city, start=form.cleaned_data["start"],
                                       end=form.cleaned_data["end"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Selesai: %(n)s sinyal, %(new)s baru.") % {
            "n": sum(result.found.values()), "new": result.created})
    return redirect("integrity:list")
