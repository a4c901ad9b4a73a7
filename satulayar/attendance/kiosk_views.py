"""The attendance kiosk: a tablet at an office door opens its secret link, full screen, no login; employees check
in with their NIP or PIN and a selfie (kiosk_punch). Registered and retired from the machines page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from satulayar.attendance import kiosk_punch, kiosks
from satulayar.attendance.kiosk_forms import KioskPunchForm, KioskRegisterForm
from satulayar.attendance.kiosk_punch import KioskPunch, KioskThrottled

RESULT_SECONDS = 6


@never_cache
@require_GET
def kiosk_page(request, token: str):
    kiosk = kiosks.kiosk_by_token(token)
    kiosks.kiosk_seen(kiosk=kiosk)
    city = kiosk.site.city
    return render(request, "attendance/kiosk.html", {
        "kiosk": kiosk, "site": kiosk.site, "zone": city.timezone, "now": timezone.localtime(timezone.now(), city.zone),
        "punch_url": reverse("attendance:kiosk_punch", args=[token]), "result_seconds": RESULT_SECONDS})


# The link's token is the kiosk's credential, sent in the path by a page without a login or a session: there is
# no cookie for a forged cross-site request to ride on, and a page reopened offline has no fresh CSRF token.
@csrf_exempt
@require_POST
def kiosk_punch_post(request, token: str):
    kiosk = kiosks.kiosk_by_token(token)
    form = KioskPunchForm(request.POST, request.FILES)
    if not form.is_valid():
        reasons = [message for errors in form.errors.values() for message in errors]
        return JsonResponse({"detail": " ".join(reasons), "code": "bad_request"}, status=422)
    data = form.cleaned_data
    try:
        outcome = kiosk_punch.kiosk_punch_record(kiosk=kiosk, identity=data["identity"], selfie=data["selfie"],
                                                 client_uuid=data["client_uuid"], device_at=data["device_at"],
                                                 confirm_early=data["confirm_early"])
    except KioskThrottled as exc:
        response = JsonResponse({"detail": " ".join(exc.messages), "code": "throttled"}, status=429)
        response["Retry-After"] = str(exc.seconds)
        return response
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages), "code": exc.code or "refused"}, status=422)
    return JsonResponse(_outcome_json(outcome, kiosk.site.city.zone))


def _outcome_json(outcome: KioskPunch, zone) -> dict:
    time = formats.time_format(timezone.localtime(outcome.punch.at, zone), "TIME_FORMAT")
    if outcome.already_recorded:
        heading = _("Sudah tercatat pukul %(time)s") % {"time": time}
    elif outcome.arrival:
        heading = _("Masuk %(time)s") % {"time": time}
    else:
        heading = _("Pulang %(time)s") % {"time": time}
    return {"ok": True, "name": kiosk_punch.masked_name(outcome.employee.name), "heading": heading,
            "detail": _detail(outcome), "arrival": outcome.arrival, "already_recorded": outcome.already_recorded,
            "late_minutes": outcome.late_minutes, "early_minutes": outcome.early_minutes,
            "sent_late": outcome.punch.sent_late}


def _detail(outcome: KioskPunch) -> str:
    minutes = outcome.late_minutes or outcome.early_minutes
    amount = formats.number_format(minutes, decimal_pos=0, force_grouping=True)
    if outcome.already_recorded:
        return _("Presensi tidak disimpan lagi.")
    if outcome.late_minutes:
        return _("Terlambat %(minutes)s menit") % {"minutes": amount}
    if outcome.early_minutes:
        return _("Pulang %(minutes)s menit lebih awal") % {"minutes": amount}
    return _("Tepat waktu") if outcome.arrival else _("Selamat beristirahat")


@require_POST
@login_required
def kiosk_register(request):
    """Registers a kiosk at a site; its link is shown once, to be opened on the tablet itself."""
    form = KioskRegisterForm(request.POST, user=request.user)
    if not kiosks.kiosk_sites_for(request.user).exists():
        raise PermissionDenied
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("attendance:devices")
    try:
        kiosk, token = kiosks.kiosk_register(actor=request.user, site=form.cleaned_data["site"],
                                             name=form.cleaned_data["name"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("attendance:devices")
    link = request.build_absolute_uri(reverse("attendance:kiosk", args=[token]))
    messages.success(request, _("Anjungan presensi %(name)s terdaftar. Buka tautan ini di tablet anjungan (hanya "
                                "ditampilkan sekali): %(link)s") % {"name": kiosk.name, "link": link})
    return redirect("attendance:devices")


@require_POST
@login_required
def kiosk_retire(request, pk: int):
    kiosk = kiosks.kiosk_get_for_user(user=request.user, pk=pk)
    try:
        kiosks.kiosk_retire(actor=request.user, kiosk=kiosk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Anjungan presensi %(name)s dinonaktifkan; tautannya tidak dapat dibuka lagi.")
                         % {"name": kiosk.name})
    return redirect("attendance:devices")
