"""Sidak pages: the list, starting one, the roster to mark on a phone, the report with its PDF and XLSX,
conflicts, sign-off, findings with their follow-up, and history. Thin: access, then services/selectors."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from satulayar.core.decorators import capability_required
from satulayar.core.forms import form_errors_add
from satulayar.inspections import exports, selectors, services
from satulayar.inspections.access import (
    INSPECT,
    finding_get_for_user,
    inspection_get_for_user,
    may_inspect,
    may_see_follow_ups,
)
from satulayar.inspections.choices import FindingKind, FollowUpStatus, InspectionStatus, Observation
from satulayar.inspections.forms import AssignForm, CloseForm, FollowUpForm, ResolveForm, StartForm
from satulayar.inspections.models import Mark, RosterEntry
from satulayar.org import access
from satulayar.org.models import Unit


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@capability_required(INSPECT)
@require_GET
def inspection_list(request):
    status = request.GET.get("status", "")
    return render(request, "inspections/list.html", {
        "inspections": selectors.inspections_list(user=request.user, status=status), "status": status,
        "statuses": InspectionStatus, "offenders": selectors.repeat_offenders(user=request.user)[:5]})


@capability_required(INSPECT)
@require_http_methods(["GET", "POST"])
def inspection_start(request):
    units = access.units_for(request.user).filter(active=True).order_by("path")
    form = StartForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_start(
                actor=request.user, units=list(form.cleaned_data["units"]), title=form.cleaned_data["title"],
                started_at=form.started_at(form.cleaned_data["units"][0].city.zone))
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            return redirect("inspections:roster", pk=inspection.pk)
    return render(request, "inspections/start.html", {"form": form}, status=422 if form.errors else 200)


def _inspection(request, pk):
    if not request.user.is_authenticated:
        raise PermissionDenied
    return inspection_get_for_user(user=request.user, pk=pk)


@capability_required(INSPECT)
@require_GET
def inspection_roster(request, pk: int):
    """The phone page: the roster by sub-unit, marks queued in the browser and sent when online."""
    inspection = _inspection(request, pk)
    if not inspection.is_open:
        return redirect("inspections:report", pk=pk)
    report = selectors.inspection_report(inspection=inspection)
    mine = _my_marks(report, request.user)
    for row in report.rows:
        row.mine = mine.get(row.entry.employee_id, "")
    context = {"inspection": inspection, "report": report, "is_lead": request.user.pk == inspection.lead_id,
               "observation_choices": [(o.value, o.label, o.colour) for o in Observation],
               "request_limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    template = "inspections/_roster.html" if request.GET.get("partial") else "inspections/roster.html"
    return render(request, template, context)


def _my_marks(report, user) -> dict[int, str]:
    """Each person's latest observation by this inspector (the buttons show it pressed)."""
    mine = {}
    for row in report.rows:
        for mark in row.marks:
            if mark.inspector_id == user.pk:
                mine[row.entry.employee_id] = mark.observation
    return mine


@capability_required(INSPECT)
@require_POST
def conflict_resolve(request, pk: int, entry_id: int):
    inspection = _inspection(request, pk)
    entry = get_object_or_404(RosterEntry, pk=entry_id, inspection=inspection)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih pengamatan yang berlaku."))
    else:
        try:
            services.conflict_resolve(actor=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("Perbedaan pengamatan atas %(name)s diselesaikan.") % {"name": entry.employee})
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return redirect(reverse("inspections:roster", args=[pk]) + f"#entry-{entry.pk}")


@capability_required(INSPECT)
@require_POST
def inspection_close(request, pk: int):
    inspection = _inspection(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(reverse("inspections:roster", args=[pk]) + "#sign-off")
    try:
        services.inspection_close(actor=request.user, inspection=inspection, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(reverse("inspections:roster", args=[pk]) + "#sign-off")
    messages.success(request, _("Sidak ditutup dan ditandatangani."))
    return redirect("inspections:report", pk=pk)


@capability_required(INSPECT)
@require_GET
def inspection_report(request, pk: int):
    inspection = _inspection(request, pk)
    report = selectors.inspection_report(inspection=inspection)
    return render(request, "inspections/report.html", {"inspection": inspection, "report": report})


@capability_required(INSPECT)
@require_GET
def inspection_pdf(request, pk: int):
    inspection = _inspection(request, pk)
    pdf = exports.report_pdf(request=request, inspection=inspection)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(inspection, "pdf")}"'
    return response


@capability_required(INSPECT)
@require_GET
def inspection_xlsx(request, pk: int):
    inspection = _inspection(request, pk)
    response = HttpResponse(exports.report_xlsx(inspection=inspection),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(inspection, "xlsx")}"'
    return response


@capability_required(INSPECT)
@require_GET
def mark_photo(request, uuid):
    mark = get_object_or_404(Mark.objects.select_related("entry__inspection"), uuid=uuid)
    _inspection(request, mark.entry.inspection_id)
    if not mark.photo:
        raise Http404("no photo")
    return FileResponse(mark.photo.open("rb"))


# --- findings, follow-up, history -----------------------------------------------------------------------------

def _follow_up_gate(request) -> None:
    if not may_see_follow_ups(request.user):
        raise PermissionDenied


@require_GET
@login_required
def finding_list(request):
    """Inspectors see every finding; a unit admin or unit head those assigned to their units."""
    _follow_up_gate(request)
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    unit = employee = None
    if request.GET.get("unit", "").isdigit():
        unit = access.unit_get_for_user(user=request.user, pk=request.GET["unit"])
    if request.GET.get("employee", "").isdigit():
        employee = access.employee_get_for_user(user=request.user, pk=request.GET["employee"])
    findings = selectors.findings_list(user=request.user, unit=unit, employee=employee, status=status, kind=kind)
    inspector = may_inspect(request.user)
    return render(request, "inspections/findings.html", {
        "findings": findings, "status": status, "kind": kind, "unit": unit, "employee": employee,
        "statuses": FollowUpStatus, "kinds": FindingKind, "inspector": inspector, "today": timezone.localdate(),
        "offenders": selectors.repeat_offenders(user=request.user, unit=unit) if inspector and not employee else [],
        "history": selectors.unit_history(user=request.user, unit=unit) if inspector and unit else []})


@require_http_methods(["GET", "POST"])
@login_required
def finding_detail(request, pk: int):
    _follow_up_gate(request)
    finding = finding_get_for_user(user=request.user, pk=pk)
    inspector = may_inspect(request.user)
    ancestors = finding.unit.ancestor_ids
    assign_form = AssignForm(initial={"unit": finding.assigned_unit_id or finding.unit_id,
                                      "due_date": finding.due_date or finding.inspection.date + dt.timedelta(days=14),
                                      "note": finding.follow_up_note},
                             units=Unit.objects.filter(Q(pk__in=ancestors)).order_by("path")) if inspector else None
    follow_form = FollowUpForm(initial={"status": FollowUpStatus.IN_PROGRESS})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "assign" and inspector:
                assign_form = AssignForm(request.POST, units=assign_form.fields["unit"].queryset)
                if assign_form.is_valid():
                    services.finding_assign(actor=request.user, finding=finding, **assign_form.cleaned_data)
                    messages.success(request, _("Temuan ditugaskan ke %(unit)s.") % {
                        "unit": assign_form.cleaned_data["unit"].label})
                    return redirect("inspections:finding", pk=pk)
            elif request.POST.get("action") == "follow_up":
                follow_form = FollowUpForm(request.POST)
                if follow_form.is_valid():
                    services.finding_follow_up(actor=request.user, finding=finding, **follow_form.cleaned_data)
                    messages.success(request, _("Tindak lanjut disimpan."))
                    return redirect("inspections:finding", pk=pk)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return render(request, "inspections/finding.html", {
        "finding": finding, "inspector": inspector, "assign_form": assign_form, "follow_form": follow_form,
        "others": selectors.findings_list(user=request.user, employee=finding.employee) if inspector else []},
        status=422 if request.method == "POST" else 200)
