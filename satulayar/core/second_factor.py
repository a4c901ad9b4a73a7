"""TOTP second factor: enrol a device (shown as a QR code), confirm it with a first code, verify at each login."""

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record

DEVICE_NAME = "Aplikasi autentikator"


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed device, made on first call; its key is shown until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1d273b")


def totp_has_device(*, user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=request.user, action=AuditAction.CREATE, obj=device, note="TOTP device enrolled")
    _verified(request, device)
    return True


def totp_verify(*, request, token: str) -> bool:
    for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
        if device.verify_token(token):
            _verified(request, device)
            return True
    return False


def _verified(request, device: TOTPDevice) -> None:
    request.session.cycle_key()  # a new session id once the second factor is passed too
    otp_login(request, device)
