"""Leave and permit requests as pages: an employee asks and follows their requests; the unit head (of their unit
or one above it) and the unit or HR admins in scope decide. The rules are in `leave`; here only who sees what."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from satulayar.attendance import leave
from satulayar.attendance.access import awaits_bkpsdm, decidable_requests_for, leave_requests_for, may_approve_leave
from satulayar.attendance.choices import RequestStatus
from satulayar.attendance.forms import LeaveDecisionForm, LeavePaperForm, LeaveRequestForm
from satulayar.attendance.leave_balance import annual_leave_balance
from satulayar.attendance.leave_papers import max_bytes
from satulayar.attendance.models import LeaveAttachment, LeaveRequest
from satulayar.core.decorators import is_htmx
from satulayar.core.forms import form_errors_add
from satulayar.core.time import local_date
from satulayar.org import access
from satulayar.org.models import Employee

STATUS_FILTERS = [*RequestStatus.choices, ("semua", gettext_lazy("Semua"))]


def _dress(requests, decidable_ids: set[int]) -> list[LeaveRequest]:
    """Adds what a row shows: its colour, its length in days, its papers and approval step, and whether the user
    may act on it."""
    rows = list(requests)
    papers = defaultdict(list)
    for paper in LeaveAttachment.objects.filter(request__in=rows).order_by("uploaded_at", "pk"):
        papers[paper.request_id].append(paper)
    for row in rows:
        row.colour = RequestStatus(row.status).colour
        row.days = (row.end_date - row.start_date).days + 1
        row.may_decide = row.pk in decidable_ids and row.status == RequestStatus.PENDING
        row.papers = papers[row.pk]
        row.waits_bkpsdm = row.status == RequestStatus.PENDING and awaits_bkpsdm(row)
        row.papers_open = row.status == RequestStatus.PENDING
    return rows


def _decidable_ids(user, requests) -> set[int]:
    return set(decidable_requests_for(user).filter(pk__in=[r.pk for r in requests]).values_list("pk", flat=True))


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- pages -----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def leave_page(request):
    """My requests and the form to ask; for a unit head also the requests waiting for them."""
    scope = access.scope_for(request.user)
    if not scope.can("view_self"):
        if scope.can("view_employees"):
            return redirect("attendance:leave_approvals")
        raise PermissionDenied
    employee = access.employee_get_for_user(user=request.user, pk=scope.employee_id)
    form = LeaveRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = _create(request, form, employee)
        if created:
            messages.success(request, _("Pengajuan %(kind)s %(start)s s.d. %(end)s terkirim dan menunggu "
                                        "persetujuan.") % {
                "kind": created.get_kind_display().lower(), "start": created.start_date.strftime("%d-%m-%Y"),
                "end": created.end_date.strftime("%d-%m-%Y")})
            return redirect("attendance:leave")
    mine = leave_requests_for(request.user).filter(employee=employee).order_by("-created_at", "-pk")
    waiting = list(decidable_requests_for(request.user).filter(status=RequestStatus.PENDING)
                   .order_by("start_date", "pk")[:50])
    waiting = _dress(waiting, {row.pk for row in waiting})
    return render(request, "attendance/leave.html", {
        "employee": employee, "form": form, "mine": _dress(mine, set()), "waiting": waiting,
        "open_statuses": leave.OPEN_STATUSES, "can_see_all": may_approve_leave(request.user),
        "balance": annual_leave_balance(employee=employee, year=local_date(employee.unit.city).year),
        "paper_form": LeavePaperForm(), "paper_max_mb": max_bytes() // (1024 * 1024),
    }, status=422 if form.errors else 200)


def _create(request, form, employee: Employee) -> LeaveRequest | None:
    data = form.cleaned_data
    try:
        return leave.leave_request_create(actor=request.user, employee=employee, kind=data["kind"],
                                          start_date=data["start_date"], end_date=data["end_date"],
                                          reason=data["reason"], attachments=data["attachments"])
    except ValidationError as exc:
        form_errors_add(form, exc)
    return None


@login_required
def leave_approvals(request):
    """The requests of the staff in scope, by status; the user decides those they may."""
    if not may_approve_leave(request.user):
        raise PermissionDenied
    status = request.GET.get("status") or RequestStatus.PENDING
    if status not in dict(STATUS_FILTERS):
        status = RequestStatus.PENDING
    own = access.scope_for(request.user).employee_id
    requests = leave_requests_for(request.user).exclude(employee_id=own)
    if status != "semua":
        requests = requests.filter(status=status)
    ordering = ["start_date", "pk"] if status == RequestStatus.PENDING else ["-start_date", "-pk"]
    page = Paginator(requests.order_by(*ordering), 50).get_page(request.GET.get("page"))
    rows = _dress(page.object_list, _decidable_ids(request.user, page.object_list))
    counts = dict(leave_requests_for(request.user).exclude(employee_id=own).order_by().values_list("status")
                  .annotate(n=Count("pk")))
    counts["semua"] = sum(counts.values())
    filters = [(value, label, counts.get(value, 0)) for value, label in STATUS_FILTERS]
    return render(request, "attendance/leave_approvals.html", {"rows": rows, "page": page, "status": status,
                                                               "filters": filters})


@require_POST
@login_required
def leave_decide(request, pk: int):
    item = get_object_or_404(leave_requests_for(request.user), pk=pk)
    form = LeaveDecisionForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Pilih setujui atau tolak.")
    else:
        try:
            item = leave.leave_request_decide(actor=request.user, request=item, approve=form.approve,
                                              note=form.cleaned_data["note"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if is_htmx(request):
        item = leave_requests_for(request.user).get(pk=item.pk)
        row = _dress([item], _decidable_ids(request.user, [item]))[0]
        return render(request, "attendance/_leave_row.html", {
            "row": row, "error": error, "note": request.POST.get("note", "") if error else "",
            "back": _next_url(request, ""), "show_employee": True})
    if error:
        messages.error(request, _("%(name)s: %(error)s") % {"name": item.employee, "error": error})
    else:
        messages.success(request, _("Pengajuan %(name)s %(status)s.") % {
            "name": item.employee, "status": item.get_status_display().lower()})
    return redirect(_next_url(request, reverse("attendance:leave_approvals")))


@require_POST
@login_required
def leave_cancel(request, pk: int):
    item = get_object_or_404(leave_requests_for(request.user), pk=pk)
    try:
        leave.leave_request_cancel(actor=request.user, request=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pengajuan %(kind)s %(start)s s.d. %(end)s dibatalkan.") % {
            "kind": item.get_kind_display().lower(), "start": item.start_date.strftime("%d-%m-%Y"),
            "end": item.end_date.strftime("%d-%m-%Y")})
    return redirect(_next_url(request, reverse("attendance:leave")))

