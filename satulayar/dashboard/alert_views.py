"""Alerts: the open ones and their history, acknowledgement, checking now, and the rules (for the city-wide roles)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from satulayar.core.decorators import capability_required
from satulayar.core.vault import SecretUnreadable
from satulayar.dashboard import alerts as services
from satulayar.dashboard.access import alert_get_for_user, alerts_for, can_manage_rules, rule_get_for_user, rules_for
from satulayar.dashboard.charts import csv_response
from satulayar.dashboard.choices import AlertKind, AlertState
from satulayar.dashboard.forms import AcknowledgeForm, AlertRuleForm

STATES = {"terbuka": {"resolved_at__isnull": True}, "selesai": {"resolved_at__isnull": False}, "semua": {}}


@capability_required("view_units")
@require_http_methods(["GET"])
def alerts(request):
    state = request.GET.get("status", "terbuka")
    found = alerts_for(request.user).filter(**STATES.get(state, STATES["terbuka"])).select_related(
        "rule", "acknowledged_by")
    kind = request.GET.get("jenis", "")
    if kind in AlertKind.values:
        found = found.filter(kind=kind)
    if request.GET.get("unduh") == "csv":
        return csv_response(filename="peringatan", columns=[
            _("Mulai"), _("Selesai"), _("Jenis"), _("Aturan"), _("Subjek"), _("Pesan"), _("Nilai"), _("Diketahui"),
            _("Diketahui oleh")], rows=[
            [a.opened_at.isoformat(), a.resolved_at.isoformat() if a.resolved_at else "", a.get_kind_display(),
             a.rule.name, a.subject_label, a.message, a.value, a.acknowledged_at.isoformat() if a.acknowledged_at
             else "", a.acknowledged_by.get_username() if a.acknowledged_by else ""] for a in found[:10000]])
    page = Paginator(found, 50).get_page(request.GET.get("halaman"))
    return render(request, "dashboard/alerts.html", {
        "page": page, "state": state if state in STATES else "terbuka", "kind": kind, "kinds": AlertKind,
        "states": AlertState, "can_manage_rules": can_manage_rules(request.user), "form": AcknowledgeForm()})


def _back(request, default: str = "dashboard:alerts"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@capability_required("view_units")
@require_POST
def alert_ack(request, pk: int):
    alert = alert_get_for_user(user=request.user, pk=pk)
    form = AcknowledgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.alert_acknowledge(actor=request.user, alert=alert, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Peringatan ditandai sudah diketahui."))
    return _back(request)


@capability_required("view_units")
@require_POST
def alerts_ack_many(request):
    """Acknowledge the ticked alerts at once (a morning's queue alerts), each through the service: audited, one
    live event each; those already acknowledged are skipped and counted."""
    form = AcknowledgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    ids = [int(pk) for pk in request.POST.getlist("alert") if pk.isdigit()][:200]
    done = skipped = 0
    for pk in ids:
        try:
            services.alert_acknowledge(actor=request.user, alert=alert_get_for_user(user=request.user, pk=pk),
                                       note=note)
            done += 1
        except ValidationError:
            skipped += 1
    if not ids:
        messages.error(request, _("Pilih dulu peringatan yang akan ditandai diketahui."))
    else:
        messages.success(request, _("%(done)d peringatan ditandai diketahui; %(skipped)d sudah diketahui "
                                    "sebelumnya.") % {"done": done, "skipped": skipped})
    return _back(request)


@capability_required("view_units")
@require_POST
def alerts_check_now(request):
    if not can_manage_rules(request.user):
        raise PermissionDenied(_("Hanya pimpinan, pusat komando, dan admin kepegawaian yang memeriksa aturan."))
    result = services.alerts_evaluate(city=request.city)
    messages.success(request, _("%(rules)d aturan diperiksa: %(opened)d peringatan baru, %(resolved)d selesai, "
                                "%(open)d masih terbuka.") % vars(result))
    return _back(request)


def _require_rules(request):
    if not can_manage_rules(request.user):
        raise PermissionDenied(_("Hanya pimpinan, pusat komando, dan admin kepegawaian yang mengatur peringatan."))


@capability_required("view_units")
@require_http_methods(["GET", "POST"])
def rules(request):
    _require_rules(request)
    form = AlertRuleForm(request.POST or None, city=request.city)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            rule = services.rule_save(actor=request.user, city=request.city, data=form.cleaned_data)
            messages.success(request, _("Aturan %(name)s disimpan.") % {"name": rule.name})
            return redirect("dashboard:rules")
        status = 422
    found = rules_for(request.user).select_related("unit", "kelurahan")
    return render(request, "dashboard/rules.html", {"rules": found, "form": form, "kinds": AlertKind}, status=status)


@capability_required("view_units")
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    _require_rules(request)
    rule = rule_get_for_user(user=request.user, pk=pk)
    form = AlertRuleForm(request.POST or None, instance=rule, city=request.city)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # The form changed `rule` while validating; the audit's "before" comes from a fresh copy.
            services.rule_save(actor=request.user, city=request.city, data=form.cleaned_data,
                               rule=rule_get_for_user(user=request.user, pk=pk))
            messages.success(request, _("Aturan %(name)s diubah.") % {"name": rule.name})
            return redirect("dashboard:rules")
        status = 422
    return render(request, "dashboard/rule_edit.html", {"rule": rule, "form": form, **_signing(rule)}, status=status)


def _signing(rule) -> dict:
    if not rule.webhook_url:
        return {}
    try:
        return {"webhook_secret": services.rule_webhook_secret(rule)}
    except SecretUnreadable as exc:
        return {"webhook_secret_problem": str(exc)}
