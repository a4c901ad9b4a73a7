"""The city's leave rule table as a page for the city HR admin: per leave kind, when papers are required and when
BKPSDM approves after the superior (`leave_rules`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from satulayar.attendance import leave_rules
from satulayar.attendance.access import rules_city_for
from satulayar.attendance.choices import LeaveKind
from satulayar.attendance.forms import LeaveRuleForm
from satulayar.core.forms import form_errors_add


@require_http_methods(["GET", "POST"])
@login_required
def leave_rules_page(request):
    """One form per kind; a POST names its kind and saves that row only."""
    city = rules_city_for(request, may_edit=leave_rules.may_edit_leave_rules)
    posted = request.POST.get("kind") if request.method == "POST" else None
    if posted is not None and posted not in LeaveKind.values:
        raise PermissionDenied
    rows = []
    for rule in leave_rules.leave_rules_for(city=city):
        initial = {"attachment_over_days": rule.attachment_over_days, "bkpsdm_over_days": rule.bkpsdm_over_days,
                   "collective_leave_deducted": rule.collective_leave_deducted}
        form = LeaveRuleForm(request.POST if posted == rule.kind else None, initial=initial, prefix=rule.kind,
                             annual=rule.kind == LeaveKind.ANNUAL)
        if posted == rule.kind and form.is_valid():
            try:
                leave_rules.leave_rule_save(actor=request.user, city=city, kind=rule.kind, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Aturan %(kind)s tersimpan.") % {"kind": rule.get_kind_display().lower()})
                return redirect("attendance:leave_rules")
        rows.append((rule, form))
    invalid = any(form.errors for _rule, form in rows)
    return render(request, "attendance/leave_rules.html", {"city": city, "rows": rows},
                  status=422 if invalid else 200)
