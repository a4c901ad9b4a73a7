"""The front desk (loket) for kelurahan officers: issue tickets, call the next, serve, finish."""

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from satulayar.core.decorators import capability_required, is_htmx
from satulayar.core.events import event_last_id, queue_channel
from satulayar.core.forms import form_errors_add
from satulayar.core.time import local_date
from satulayar.org.identity import mask_nik
from satulayar.visits import bookings, office, services
from satulayar.visits.access import kelurahan_for_desk, kelurahan_for_metrics
from satulayar.visits.choices import TicketChannel, TicketResult, TicketStatus
from satulayar.visits.forms import TicketIssueForm
from satulayar.visits.kiosk_views import print_context
from satulayar.visits.models import Service, ServiceOutcome, Ticket

ACTIONS = {
    "mulai": services.ticket_start,
    "selesai": services.ticket_finish,
    "tidak-hadir": services.ticket_no_show,
    "batal": services.ticket_cancel,
    "panggil-ulang": services.ticket_recall,
}
SESSION_COUNTER = "visits_desk_counter"


def _desk(request, code: str, counter_number: int | None = None):
    """The kelurahan (404 outside the user's scope, 403 where they may only view) and the counter."""
    kelurahan = kelurahan_for_metrics(request.user).select_related("kecamatan__city").filter(code=code).first()
    if kelurahan is None:
        raise Http404(f"kelurahan {code}")
    if not kelurahan_for_desk(request.user).filter(pk=kelurahan.pk).exists():
        raise PermissionDenied(_("Anda tidak bertugas di loket Kelurahan %(name)s.") % {"name": kelurahan.name})
    if counter_number is None:
        return kelurahan, None
    try:
        counter = services.counter_ensure(actor=request.user, kelurahan=kelurahan, number=counter_number)
    except ValidationError:
        raise Http404(f"loket {counter_number}") from None
    return kelurahan, counter


def _queue_context(kelurahan, counter) -> dict:
    tickets = list(services.tickets_today(kelurahan=kelurahan))
    for ticket in tickets:
        ticket.nik_masked = mask_nik(ticket.visitor_nik)
        ticket.colour = TicketStatus(ticket.status).colour
    counts = {status: 0 for status in TicketStatus.values}
    for ticket in tickets:
        counts[ticket.status] += 1
    current = next((t for t in tickets if t.counter_id == counter.pk
                    and t.status in (TicketStatus.CALLED, TicketStatus.SERVING)), None)
    return {"tickets": tickets, "counts": counts, "current": current,
            "open_tickets": [t for t in tickets if t.status in (TicketStatus.WAITING, TicketStatus.CALLED,
                                                                TicketStatus.SERVING)],
            "closed_tickets": [t for t in reversed(tickets) if t.status not in (TicketStatus.WAITING,
                                                                                TicketStatus.CALLED,
                                                                                TicketStatus.SERVING)]}


def _base_context(request, kelurahan, counter) -> dict:
    return {"kelurahan": kelurahan, "counter": counter, "version": _version(kelurahan),
            "counters": services.counters_for_desk(kelurahan=kelurahan),
            "offered": services.services_offered(kelurahan=kelurahan),
            "priorities": services.priority_groups(city=kelurahan.kecamatan.city),
            "results": TicketResult.choices,
            "bookings_today": bookings.bookings_of_day(kelurahan=kelurahan, date=local_date(kelurahan.kecamatan.city)),
            "desk_kelurahan": kelurahan_for_desk(request.user).order_by("name"),
            "statuses": TicketStatus, **_queue_context(kelurahan, counter)}


def _version(kelurahan) -> int:
    """Every change to a queue publishes an event, so the channel's last event id versions the queue."""
    return event_last_id(channels=[queue_channel(kelurahan)])


def _issue_form(kelurahan, data=None) -> TicketIssueForm:
    return TicketIssueForm(data, offered=services.services_offered(kelurahan=kelurahan),
                           priorities=services.priority_groups(city=kelurahan.kecamatan.city))


def _desk_url(kelurahan, counter) -> str:
    return reverse("visits:desk", args=[kelurahan.code, counter.number])


def _ticket_qr(request, ticket) -> str:
    url = request.build_absolute_uri(reverse("visits_public:ticket", args=[ticket.token]))
    return segno.make(url, error="m").svg_inline(scale=3, border=2)


@capability_required("view_regions")
@require_GET
def desk_home(request):
    """Straight to the desk for an officer of one kelurahan; otherwise today's queues of the user's kelurahan."""
    desk = list(kelurahan_for_desk(request.user).values_list("code", flat=True)[:2])
    if len(desk) == 1:
        kelurahan = kelurahan_for_desk(request.user).get()
        return redirect("visits:desk_counter_pick", code=kelurahan.code)
    today = timezone.localdate()
    rows = (kelurahan_for_metrics(request.user).select_related("kecamatan").order_by("kecamatan__name", "name")
            .annotate(waiting=Count("tickets", filter=Q(tickets__date=today, tickets__status=TicketStatus.WAITING)),
                      served=Count("tickets", filter=Q(tickets__date=today, tickets__status=TicketStatus.DONE)),
                      issued=Count("tickets", filter=Q(tickets__date=today))))
    desk_ids = set(kelurahan_for_desk(request.user).values_list("pk", flat=True))
    return render(request, "visits/desk_home.html", {"rows": rows, "desk_ids": desk_ids, "date": today})


@capability_required("view_regions")
@require_GET
def desk_counter_pick(request, code: str):
    kelurahan, _counter = _desk(request, code)
    numbers = [n for n, _label in services.counters_for_desk(kelurahan=kelurahan)]
    if not numbers:
        raise Http404(f"no active counter in {code}")
    last = request.session.get(SESSION_COUNTER, {}).get(code)
    return redirect("visits:desk", code=code, counter=last if last in numbers else numbers[0])


@capability_required("view_regions")
@require_GET
def desk(request, code: str, counter: int):
    kelurahan, counter = _desk(request, code, counter)
    request.session[SESSION_COUNTER] = {**request.session.get(SESSION_COUNTER, {}), code: counter.number}
    context = _base_context(request, kelurahan, counter)
    context["form"] = _issue_form(kelurahan)
    return render(request, "visits/desk.html", context)


def _fragment(request, code: str, counter: int, template: str):
    kelurahan, counter = _desk(request, code, counter)
    if request.GET.get("v") == str(_version(kelurahan)):
        return HttpResponse(status=204)  # unchanged: htmx keeps what is on screen (and an opened list open)
    return render(request, template, _base_context(request, kelurahan, counter))


@capability_required("view_regions")
@require_GET
def desk_queue(request, code: str, counter: int):
    """The live part of the desk (today's queue and counts), polled by htmx."""
    return _fragment(request, code, counter, "visits/_desk_queue.html")


@capability_required("view_regions")
@require_GET
def desk_counter_panel(request, code: str, counter: int):
    """The counter's own panel, refreshed when the queue changes (another desk, a citizen's new ticket)."""
    return _fragment(request, code, counter, "visits/_desk_counter.html")


def _counter_panel(request, kelurahan, counter, *, message: str = "", error: str = ""):
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        elif message:
            messages.success(request, message)
        return redirect(_desk_url(kelurahan, counter))
    context = {**_base_context(request, kelurahan, counter), "message": message, "error": error}
    response = render(request, "visits/_desk_counter.html", context)
    response["HX-Trigger-After-Settle"] = "queue-changed"  # the other parts of the desk refresh themselves
    return response


@capability_required("view_regions")
@require_POST
def desk_issue(request, code: str, counter: int):
    kelurahan, counter = _desk(request, code, counter)
    form = _issue_form(kelurahan, request.POST)
    issued = None
    if form.is_valid():
        try:
            issued = services.ticket_issue(kelurahan=kelurahan, service=form.cleaned_data["service"],
                                           channel=TicketChannel.DESK,
                                           visitor_name=form.cleaned_data["visitor_name"],
                                           visitor_nik=form.cleaned_data["visitor_nik"],
                                           priority=form.cleaned_data["priority"], actor=request.user)
        except ValidationError as exc:
            form_errors_add(form, exc)
    if not is_htmx(request):
        if issued:
            messages.success(request, _("Nomor %(code)s diterbitkan.") % {"code": issued.code})
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_desk_url(kelurahan, counter))
    context = {"kelurahan": kelurahan, "counter": counter, "issued": issued,
               "form": _issue_form(kelurahan) if issued else form,
               "issued_qr": _ticket_qr(request, issued) if issued else ""}
    response = render(request, "visits/_desk_issue.html", context)
    if issued:
        response["HX-Trigger-After-Settle"] = "queue-changed"
    return response


@capability_required("view_regions")
@require_POST
def desk_call_next(request, code: str, counter: int):
    kelurahan, counter = _desk(request, code, counter)
    try:
        ticket = services.ticket_call_next(actor=request.user, kelurahan=kelurahan, counter=counter)
    except ValidationError as exc:
        return _counter_panel(request, kelurahan, counter, error=" ".join(exc.messages))
    if ticket is None:
        return _counter_panel(request, kelurahan, counter, error=_("Tidak ada antrean yang menunggu."))
    return _counter_panel(request, kelurahan, counter,
                          message=_("%(code)s dipanggil ke %(counter)s.") % {"code": ticket.code, "counter": counter})


def _finish(request, ticket):
    result = request.POST.get("result", "")
    if not result and ticket.status == TicketStatus.SERVING:  # a ticket in another state: the service says why
        raise ValidationError(_("Pilih hasil layanan sebelum menyelesaikan %(code)s.") % {"code": ticket.code})
    outcome = ServiceOutcome.objects.filter(pk=request.POST.get("outcome") or None).first()
    return services.ticket_finish(actor=request.user, ticket=ticket, result=result, outcome=outcome)


def _transfer(request, ticket):
    service = Service.objects.filter(pk=request.POST.get("service") or None).first()
    if service is None:
        raise ValidationError(_("Pilih layanan tujuan."))
    counter = None
    if request.POST.get("counter", "").isdigit():  # opened the first time a ticket is sent to it
        counter = services.counter_ensure(actor=request.user, kelurahan=ticket.kelurahan,
                                          number=int(request.POST["counter"]))
    return services.ticket_transfer(actor=request.user, ticket=ticket, service=service, counter=counter)


def _priority(request, ticket):
    return services.ticket_priority_set(actor=request.user, ticket=ticket, priority=request.POST.get("priority", ""))


FORM_ACTIONS = {"selesai": _finish, "pindah": _transfer, "prioritas": _priority}


@capability_required("view_regions")
@require_POST
def desk_ticket_action(request, code: str, counter: int, pk: int, action: str):
    kelurahan, counter = _desk(request, code, counter)
    ticket = get_object_or_404(Ticket, pk=pk, kelurahan=kelurahan)
    if action in FORM_ACTIONS:
        run = FORM_ACTIONS[action]
    elif action in ACTIONS:
        run = lambda request, ticket: ACTIONS[action](actor=request.user, ticket=ticket)  # noqa: E731
    else:
        raise Http404(action)
    try:
        ticket = run(request, ticket)
    except ValidationError as exc:
        return _counter_panel(request, kelurahan, counter, error=" ".join(exc.messages))
    return _counter_panel(request, kelurahan, counter, message=_("%(code)s: %(status)s.") % {
        "code": ticket.code, "status": ticket.get_status_display()})


@capability_required("view_regions")
@require_POST
def desk_reprint(request, code: str, counter: int, pk: int):
    """The officer prints a ticket again (a lost slip, a kiosk out of paper): the same print page."""
    kelurahan, counter = _desk(request, code, counter)
    ticket = get_object_or_404(Ticket, pk=pk, kelurahan=kelurahan)
    ticket = services.ticket_print_record(actor=request.user, ticket=ticket)
    roll = 80 if request.POST.get("gulungan") == "80" else 58
    context = {**print_context(request, ticket, roll), "back": _desk_url(kelurahan, counter)}
    return render(request, "visits/ticket_print.html", context)


@capability_required("view_regions")
@require_POST
def desk_booking_check_in(request, code: str, counter: int):
    kelurahan, counter = _desk(request, code, counter)
    try:
        ticket = bookings.booking_check_in(code=request.POST.get("code", ""), kelurahan=kelurahan,
                                           actor=request.user)
    except ValidationError as exc:
        return _counter_panel(request, kelurahan, counter, error=" ".join(exc.messages))
    return _counter_panel(request, kelurahan, counter, message=_("Pemesanan %(booking)s hadir: nomor %(code)s.")
                          % {"booking": ticket.booking.code, "code": ticket.code})


@capability_required("view_regions")
@require_http_methods(["GET", "POST"])
def booking_capacity(request, code: str):
    """The office's booking quota per service and hour: every cell checked first, then all saved together."""
    kelurahan, _counter = _desk(request, code)
    hours, rows = bookings.capacity_grid(kelurahan=kelurahan, today=local_date(kelurahan.kecamatan.city))
    entered, errors, changes = {}, {}, []
    if request.method == "POST":
        for service, capacities in rows:
            for hour, current in capacities.items():
                key = _quota_key(service, hour)
                raw = request.POST.get(key, "").strip()
                if not raw:  # left empty (or not sent): unchanged
                    continue
                entered[key] = raw
                value = int(raw) if raw.isdigit() else None
                if value is None or value > bookings.MAX_CAPACITY:
                    errors[key] = _("Isi angka 0–%(max)s.") % {"max": bookings.MAX_CAPACITY}
                elif value != current:
                    changes.append((service, hour, value))
        if not errors:
            with transaction.atomic():
                for service, hour, value in changes:
                    bookings.booking_capacity_set(actor=request.user, kelurahan=kelurahan, service=service,
                                                  hour=hour, capacity=value)
            messages.success(request, _("Kuota pemesanan Kelurahan %(name)s tersimpan (%(n)s diubah).")
                             % {"name": kelurahan.name, "n": len(changes)})
            return redirect("visits:booking_capacity", code=kelurahan.code)
    grid = [(service, [_cell(service, hour, value, entered, errors) for hour, value in capacities.items()])
            for service, capacities in rows]
    return render(request, "visits/booking_capacity.html", {
        "kelurahan": kelurahan, "hours": hours, "grid": grid, "errors": len(errors),
        "default": bookings.default_capacity(), "days_ahead": bookings.days_ahead(),
    }, status=422 if errors else 200)


def _quota_key(service, hour: int) -> str:
    return f"kuota-{service.pk}-{hour}"


def _cell(service, hour: int, value: int, entered: dict, errors: dict) -> dict:
    key = _quota_key(service, hour)
    return {"hour": hour, "key": key, "value": entered.get(key, value), "error": errors.get(key)}


@capability_required("view_regions")
@require_POST
def desk_kiosk_register(request, code: str, counter: int):
    """Register this office's kiosk; its link is shown once, to be opened on the kiosk itself."""
    kelurahan, counter = _desk(request, code, counter)
    roll = 80 if request.POST.get("roll") == "80" else 58
    kiosk, token = office.kiosk_register(actor=request.user, kelurahan=kelurahan,
                                         name=request.POST.get("name", ""), roll_mm=roll)
    link = request.build_absolute_uri(reverse("visits_public:kiosk", args=[token]))
    messages.success(request, _("Anjungan %(name)s terdaftar. Buka tautan ini di perangkat anjungan (hanya "
                                "ditampilkan sekali): %(link)s") % {"name": kiosk.name, "link": link})
    return redirect(_desk_url(kelurahan, counter))
