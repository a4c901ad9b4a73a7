"""Public pages, no login: take a ticket, follow it, rate the service, and the office's queue display (TV).

Nothing here shows personal data: tickets appear by their number only, and a ticket's own page is reached
by its unguessable token.
"""

import datetime as dt
import hashlib
import secrets

import segno
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from satulayar.core.decorators import is_htmx
from satulayar.core.events import event_last_id, queue_channel, sse_stream
from satulayar.core.time import local_date
from satulayar.org.models import Kelurahan
from satulayar.visits import bookings, office, selectors, services
from satulayar.visits.choices import OPEN_STATUSES, TicketChannel, TicketStatus
from satulayar.visits.forms import PublicTicketForm, RatingForm
from satulayar.visits.models import Rating, Ticket

BROWSER_COOKIE = "sl_peramban"
BROWSER_COOKIE_AGE = 365 * 24 * 3600


def _browser(request) -> str:
    """The hash of this browser's own token (a cookie the public pages set), or "" on its first visit."""
    token = request.COOKIES.get(BROWSER_COOKIE, "")
    return hashlib.sha256(token.encode()).hexdigest() if 16 <= len(token) <= 64 else ""


def _with_browser_token(request, response):
    if not _browser(request):
        response.set_cookie(BROWSER_COOKIE, secrets.token_urlsafe(24), max_age=BROWSER_COOKIE_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure())
    return response


def _office_context(kelurahan: Kelurahan) -> dict:
    today = local_date(kelurahan.kecamatan.city)
    hours = office.office_hours(kelurahan=kelurahan)
    return {"hours": [(office.WEEKDAYS[day], hours.get(day)) for day in range(7)],
            "closed_days": office.closed_days(kelurahan=kelurahan, start=today),
            "closed_now": office.office_closed_reason(kelurahan=kelurahan),
            "queues": services.queues_by_service(kelurahan=kelurahan)}


def _kelurahan(code: str) -> Kelurahan:
    return get_object_or_404(Kelurahan.objects.select_related("kecamatan__city"), code=code)


def _ticket(token: str) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("kelurahan__kecamatan__city", "service", "counter"),
                             token=token)


@require_http_methods(["GET", "POST"])
def take(request, code: str):
    """Choose a service and take a number (what the QR code at the office opens)."""
    kelurahan = _kelurahan(code)
    offered = services.services_offered(kelurahan=kelurahan)
    via = TicketChannel.KIOSK_QR if request.GET.get("via") == "qr" else TicketChannel.ONLINE
    form = PublicTicketForm(request.POST or None, offered=offered, initial={"via": via})
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ticket = services.ticket_issue(kelurahan=kelurahan, service=form.cleaned_data["service"],
                                               channel=form.channel(), ip=request.META.get("REMOTE_ADDR"),
                                               browser=_browser(request))
            except services.TicketRateLimited as exc:
                error, status = " ".join(exc.messages), 429
            except ValidationError as exc:
                error, status = " ".join(exc.messages), 422
            else:
                return redirect("visits_public:ticket", token=ticket.token)
        else:
            error, status = _("Pilih layanan yang tersedia."), 422
    board = services.queue_board(kelurahan=kelurahan)
    response = render(request, "visits/public_take.html", {
        "kelurahan": kelurahan, "offered": offered, "via": via, "error": error, "waiting": board["waiting"],
        **_office_context(kelurahan)}, status=status)
    return _with_browser_token(request, response)


def _take_url(request, kelurahan: Kelurahan) -> str:
    """What the office's QR codes open; ?via=qr counts those tickets as taken at the office."""
    return request.build_absolute_uri(reverse("visits_public:take", args=[kelurahan.code])) + "?via=qr"


@require_GET
def qr_poster(request, code: str):
    """A printable poster for the office wall: the QR code opens the take-a-ticket page."""
    kelurahan = _kelurahan(code)
    url = _take_url(request, kelurahan)
    return render(request, "visits/public_qr.html", {
        "kelurahan": kelurahan, "url": url, "qr_svg": segno.make(url, error="m").svg_inline(scale=12, border=4),
    })


def _ticket_context(ticket: Ticket) -> dict:
    today = local_date(ticket.kelurahan.kecamatan.city)
    expired = ticket.date != today and ticket.status in OPEN_STATUSES
    position = None if expired else services.queue_position(ticket=ticket)
    rated = Rating.objects.filter(ticket=ticket).exists()
    return {
        "ticket": ticket, "position": position, "expired": expired, "rated": rated,
        "estimate": services.wait_estimate_minutes(ticket=ticket, position=position),
        "live": ticket.status in OPEN_STATUSES and not expired, "statuses": TicketStatus,
        "can_rate": ticket.status == TicketStatus.DONE and not rated, "form": RatingForm(),
        "version": event_last_id(channels=[queue_channel(ticket.kelurahan)]),
    }


@never_cache
@require_GET
def ticket_page(request, token: str):
    """The citizen's ticket: number, position and estimated wait (refreshing), then the IKM survey."""
    ticket = _ticket(token)
    context = _ticket_context(ticket)
    if is_htmx(request):
        if request.GET.get("v") == str(context["version"]):
            return HttpResponse(status=204)  # nothing changed in this office's queue: keep the screen as it is
        return render(request, "visits/_public_ticket_status.html", context)
    return render(request, "visits/public_ticket.html", context)


@require_POST
def ticket_rate(request, token: str):
    ticket = _ticket(token)
    form = RatingForm(request.POST)
    error, status = "", 422
    if form.is_valid():
        try:
            services.rating_submit(ticket=ticket, scores=form.scores(), comment=form.cleaned_data["comment"],
                                   address=request.META.get("REMOTE_ADDR") or "")
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 409 if getattr(exc, "code", None) == "already_rated" else 422
        else:
            return redirect(reverse("visits_public:ticket", args=[token]) + "#penilaian")
    else:
        error = _("Lengkapi penilaian: setiap unsur perlu satu nilai.")
    context = {**_ticket_context(ticket), "form": form, "rating_error": error}
    return render(request, "visits/public_ticket.html", context, status=status)


@require_POST
def ticket_cancel(request, token: str):
    """The citizen gives up their place (only while waiting)."""
    ticket = _ticket(token)
    error = ""
    if ticket.status == TicketStatus.WAITING:
        try:
            services.ticket_cancel(actor=None, ticket=ticket, note=_("Dibatalkan oleh pengunjung."))
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Hanya tiket yang masih menunggu dapat dibatalkan sendiri; silakan hubungi petugas loket.")
    if error:
        ticket.refresh_from_db()
        return render(request, "visits/public_ticket.html", {**_ticket_context(ticket), "cancel_error": error},
                      status=422)
    return redirect("visits_public:ticket", token=token)


@require_GET
def display(request, code: str):
    """The queue display for the TV in the office: full screen, live through SSE."""
    kelurahan = _kelurahan(code)
    return render(request, "visits/display.html", {
        "kelurahan": kelurahan, "board": services.queue_board(kelurahan=kelurahan), "last_event": event_last_id(),
        "now": timezone.now(), "take_qr": segno.make(_take_url(request, kelurahan), error="m").svg_inline(
            scale=3, border=3, dark="#000", light="#fff"),
    })


@never_cache
@require_GET
def display_board(request, code: str):
    """The display's content, fetched again after each live event."""
    kelurahan = _kelurahan(code)
    return render(request, "visits/_display_board.html", {"kelurahan": kelurahan,
                                                          "board": services.queue_board(kelurahan=kelurahan)})


@require_GET
def display_stream(request, code: str):
    kelurahan = _kelurahan(code)
    return sse_stream(request, channels=[queue_channel(kelurahan)])


# --- bookings ------------------------------------------------------------------------------------------------------


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def book(request, code: str):
    """Book a place for a later day: choose the service, the day and the hour (with the places left)."""
    kelurahan = _kelurahan(code)
    offered = services.services_offered(kelurahan=kelurahan)
    by_pk = {str(o.pk): o for o in offered}
    asked = request.POST.get("service") or request.GET.get("layanan", "")
    chosen = by_pk.get(asked) if asked else (offered[0] if offered else None)
    today = local_date(kelurahan.kecamatan.city)
    date = _parse_day(request.POST.get("date") or request.GET.get("tanggal", "")) or today + dt.timedelta(days=1)
    error, status = "", 200
    if request.method == "POST":
        try:
            hour = int(request.POST.get("hour", ""))
            if chosen is None:
                raise ValidationError(_("Pilih layanan yang tersedia."))
            booking = bookings.booking_create(kelurahan=kelurahan, service=chosen.service, date=date, hour=hour,
                                              visitor_name=request.POST.get("name", ""), browser=_browser(request))
        except ValueError:
            error, status = _("Pilih jam kedatangan."), 422
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 422
        else:
            return redirect("visits_public:booking", code=booking.code)
    slots = bookings.slots(kelurahan=kelurahan, service=chosen.service, date=date) if chosen else []
    response = render(request, "visits/public_book.html", {
        "kelurahan": kelurahan, "offered": offered, "chosen": chosen, "date": date, "slots": slots, "error": error,
        "min_date": today + dt.timedelta(days=1), "max_date": today + dt.timedelta(days=bookings.days_ahead()),
        **_office_context(kelurahan)}, status=status)
    return _with_browser_token(request, response)


@require_http_methods(["GET", "POST"])
def booking_page(request, code: str):
    """The citizen's booking: its code to show at the kiosk or desk; it may be cancelled before the day."""
    booking = bookings.booking_by_code(code=code)
    if booking is None:
        raise Http404("booking")
    error = ""
    if request.method == "POST":
        try:
            bookings.booking_cancel(booking=booking)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("visits_public:booking", code=booking.code)
    return render(request, "visits/public_booking.html", {
        "booking": booking, "kelurahan": booking.kelurahan, "error": error,
        "no_show": selectors.is_no_show(booking, timezone.now()),
    }, status=422 if error else 200)
