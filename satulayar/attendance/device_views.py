"""Fingerprint machines as pages for those who look after them: the city's machines with their health, and per
machine a command to queue (`devices.device_command_queue`), a re-upload of a period's logs
(`devices.device_request_reupload`) and the recent commands with what the machine answered."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from satulayar.attendance import device_clock, device_sync, devices, kiosks, pull
from satulayar.attendance.choices import CommandStatus, DeviceMode, DeviceStatus
from satulayar.attendance.kiosk_forms import KioskRegisterForm
from satulayar.attendance.settings_forms import DeviceCommandForm, ReuploadForm
from satulayar.core.forms import form_errors_add

COMMANDS_SHOWN = 20
UPLOADS_SHOWN = 5
STATUS_COLOURS = {CommandStatus.QUEUED: "secondary", CommandStatus.SENT: "blue", CommandStatus.DONE: "green",
                  CommandStatus.FAILED: "red"}


def _require_manager(request) -> None:
    if not devices.can_manage_devices(request.user):
        raise PermissionDenied


@login_required
def devices_page(request):
    _require_manager(request)
    rows = list(devices.devices_for(request.user).order_by("name", "serial_number"))
    now = timezone.now()
    for row in rows:
        row.health = devices.device_health(row, now)
    return render(request, "attendance/devices.html", {
        "devices": rows, "kiosks": kiosks.kiosks_for(request.user).filter(active=True),
        "kiosk_form": KioskRegisterForm(user=request.user)})


@require_http_methods(["GET", "POST"])
@login_required
def device_page(request, pk: int):
    _require_manager(request)
    device = devices.device_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action")
    command_form = DeviceCommandForm(request.POST if action == "command" else None)
    reupload_form = ReuploadForm(request.POST if action == "reupload" else None)
    queued = False
    if action == "pull" and device.mode == DeviceMode.PULL and device.host and device.status == DeviceStatus.APPROVED:
        return _pull_now(request, device)
    if action == "command" and command_form.is_valid():
        queued = _queue(request, command_form, lambda: devices.device_command_queue(
            actor=request.user, device=device, command=command_form.cleaned_data["command"]))
    if action == "reupload" and reupload_form.is_valid():
        zone = device_clock.device_zone(device)
        start, end = (_aware(reupload_form.cleaned_data[name], zone) for name in ("start", "end"))
        queued = _queue(request, reupload_form, lambda: devices.device_request_reupload(
            actor=request.user, device=device, start=start, end=end))
    if queued:
        return redirect("attendance:device", pk=device.pk)
    commands = list(device.commands.select_related("created_by").order_by("-created_at", "-id")[:COMMANDS_SHOWN])
    for command in commands:
        command.colour = STATUS_COLOURS.get(command.status, "secondary")
    uploads = list(device.uploads.order_by("-received_at", "-id")[:UPLOADS_SHOWN])
    return render(request, "attendance/device.html", {
        "device": device, "health": devices.device_health(device), "commands": commands, "uploads": uploads,
        "command_form": command_form, "reupload_form": reupload_form, "zone": device_clock.device_zone(device),
        "held": device_sync.device_holdings(device),
    }, status=422 if command_form.errors or reupload_form.errors else 200)


def _pull_now(request, device):
    """A pull-mode machine read now instead of at its next turn (attendance.pull)."""
    upload = pull.device_pull(device=device)
    if upload is None:
        device.refresh_from_db()
        messages.error(request, _("Mesin tidak terjangkau: %(error)s") % {"error": device.pull_error})
    else:
        messages.success(request, _("Ditarik: %(accepted)d rekaman baru, %(duplicates)d sudah ada, "
                                    "%(rejected)d ditolak.") % {"accepted": upload.accepted,
                                                               "duplicates": upload.duplicates,
                                                               "rejected": upload.rejected})
    return redirect("attendance:device", pk=device.pk)


def _aware(value: dt.datetime, zone) -> dt.datetime:
    """A datetime-local field means the machine's local time."""
    return value.replace(tzinfo=zone) if timezone.is_naive(value) else value.astimezone(zone)


def _queue(request, form, queue) -> bool:
    try:
        queued = queue()
    except ValidationError as exc:
        form_errors_add(form, exc, fields={"command": "command" if "command" in form.fields else None,
                                           "device": None})
        return False
    messages.success(request, _("Perintah %(command)s masuk antrean; mesin mengambilnya saat menghubungi server.")
                     % {"command": queued.command})
    return True
