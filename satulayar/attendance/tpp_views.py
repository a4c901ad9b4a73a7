"""The TPP rule table as a page for the city's HR admin: the brackets of each violation, added, changed or removed
through `tpp_rules`; the recap's TPP column reads the table."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from satulayar.attendance import tpp_rules
from satulayar.attendance.access import rules_city_for
from satulayar.attendance.choices import TppViolation
from satulayar.attendance.models import TppPolicy, TppRule
from satulayar.attendance.settings_forms import TppRuleForm
from satulayar.core.forms import form_errors_add


@require_http_methods(["GET", "POST"])
@login_required
def tpp_page(request, pk: int | None = None):
    city = rules_city_for(request, may_edit=tpp_rules.may_edit_tpp_rules)
    rule = get_object_or_404(TppRule, pk=pk, city=city) if pk else None
    initial = ({"violation": rule.violation, "min_minutes": rule.min_minutes, "max_minutes": rule.max_minutes,
                "percent": rule.percent} if rule else None)
    form = TppRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = tpp_rules.tpp_rule_save(actor=request.user, city=city, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Aturan potongan %(violation)s tersimpan.") % {
                "violation": saved.get_violation_display().lower()})
            return redirect("attendance:tpp")
    rules = list(TppRule.objects.filter(city=city).order_by("violation", "min_minutes"))
    for row in rules:
        row.colour = TppViolation(row.violation).colour
    policy = TppPolicy.objects.filter(city=city).first()
    return render(request, "attendance/tpp.html", {"city": city, "rules": rules, "form": form, "editing": rule,
                                                   "policy": policy}, status=422 if form.errors else 200)


@require_POST
@login_required
def tpp_rule_delete(request, pk: int):
    city = rules_city_for(request, may_edit=tpp_rules.may_edit_tpp_rules)
    rule = get_object_or_404(TppRule, pk=pk, city=city)
    tpp_rules.tpp_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Aturan potongan dihapus."))
    return redirect(reverse("attendance:tpp"))
