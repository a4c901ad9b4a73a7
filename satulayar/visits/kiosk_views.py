"""The office kiosk (anjungan): a registered device opens its secret link, full screen, no login. Citizens take a
number with large buttons (or check in a booking by its code) and the ticket prints through the browser's print
dialog on a 58 or 80 mm thermal roll (print CSS sized for the roll). Officers reprint from the desk."""

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from satulayar.visits import bookings, services
from satulayar.visits.choices import TicketChannel
from satulayar.visits.models import Ticket
from satulayar.visits.office import kiosk_by_token, office_closed_reason

ROLLS = (58, 80)


def _roll(request, default: int) -> int:
    roll = request.GET.get("gulungan", "")
    return int(roll) if roll.isdigit() and int(roll) in ROLLS else default


def print_context(request, ticket: Ticket, roll: int) -> dict:
    url = request.build_absolute_uri(reverse("visits_public:ticket", args=[ticket.token]))
    return {"ticket": ticket, "roll": roll, "qr_svg": segno.make(url, error="m").svg_inline(scale=3, border=2),
            "url": url, "printed_at": timezone.now()}


def _page(request, kiosk, *, error: str = "", status: int = 200):
    kelurahan = kiosk.kelurahan
    return render(request, "visits/kiosk.html", {
        "kiosk": kiosk, "kelurahan": kelurahan, "offered": services.services_offered(kelurahan=kelurahan),
        "priorities": services.priority_groups(city=kelurahan.kecamatan.city), "error": error,
        "closed": office_closed_reason(kelurahan=kelurahan), "token": request.resolver_match.kwargs["token"],
    }, status=status)


@never_cache
@require_GET
def kiosk(request, token: str):
    return _page(request, kiosk_by_token(token))


def _printed(request, kiosk, token: str, ticket: Ticket):
    services.ticket_print_record(actor=None, ticket=ticket, kiosk=kiosk)
    return redirect(reverse("visits_public:kiosk_print", args=[token, ticket.token]) + f"?gulungan={kiosk.roll_mm}")


@require_POST
def kiosk_take(request, token: str):
    device = kiosk_by_token(token)
    kelurahan = device.kelurahan
    offered = {str(o.pk): o for o in services.services_offered(kelurahan=kelurahan)}
    chosen = offered.get(request.POST.get("service", ""))
    if chosen is None:
        return _page(request, device, error=_("Pilih layanan yang tersedia."), status=422)
    try:
        ticket = services.ticket_issue(kelurahan=kelurahan, service=chosen.service, channel=TicketChannel.KIOSK,
                                       kiosk=device, priority=request.POST.get("priority", ""))
    except (ValidationError, PermissionDenied) as exc:
        return _page(request, device, error=" ".join(getattr(exc, "messages", [str(exc)])), status=422)
    return _printed(request, device, token, ticket)


@require_POST
def kiosk_check_in(request, token: str):
    device = kiosk_by_token(token)
    try:
        ticket = bookings.booking_check_in(code=request.POST.get("code", ""), kelurahan=device.kelurahan,
                                           kiosk=device)
    except (ValidationError, PermissionDenied) as exc:
        return _page(request, device, error=" ".join(getattr(exc, "messages", [str(exc)])), status=422)
    return _printed(request, device, token, ticket)


@never_cache
@require_GET
def kiosk_print(request, token: str, ticket_token: str):
    """The ticket as it prints: the kiosk's own tickets only."""
    device = kiosk_by_token(token)
    ticket = get_object_or_404(Ticket.objects.select_related("kelurahan__kecamatan__city", "service", "counter"),
                               token=ticket_token, kiosk=device)
    context = print_context(request, ticket, _roll(request, device.roll_mm))
    context["back"] = reverse("visits_public:kiosk", args=[token])
    return render(request, "visits/ticket_print.html", context)

