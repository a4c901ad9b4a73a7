"""Attendance kiosks: shared tablets at office doors, registered and retired by those who look after a site's machines.

A kiosk proves itself by the secret link shown once when it is registered (only its hash is kept, as the ticket
kiosks of kelurahan offices do); an unknown or retired link opens nothing.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.attendance.devices import can_manage_devices
from satulayar.attendance.models import Kiosk
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.core.events import attendance_channel, event_publish
from satulayar.org import access
from satulayar.org.models import Site

SEEN_WRITE_INTERVAL = dt.timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def kiosk_sites_for(user) -> QuerySet[Site]:
    """The sites where the user may register kiosks: those of the machines they look after."""
    if not can_manage_devices(user):
        return Site.objects.none()
    return access.sites_for(user).order_by("name")


def kiosks_for(user) -> QuerySet[Kiosk]:
    return Kiosk.objects.filter(site__in=kiosk_sites_for(user)).select_related("site")


def _require_site_manager(actor, site: Site) -> None:
    """`actor` None is the system itself (the demo seed, a management command), as for the machines."""
    if actor is not None and not kiosk_sites_for(actor).filter(pk=site.pk).exists():
        raise PermissionDenied(_("Anda tidak berwenang mengelola anjungan presensi di %(site)s.")
                               % {"site": site.name})


@transaction.atomic
def kiosk_register(*, actor, site: Site, name: str) -> tuple[Kiosk, str]:
    """Registers a kiosk at the site; returns it and its secret link token (shown once, only its hash is kept)."""
    _require_site_manager(actor, site)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Nama anjungan wajib diisi, mis. Lobi Dinas Kesehatan.")})
    token = secrets.token_urlsafe(24)
    kiosk = Kiosk(city_id=site.city_id, site=site, name=name, token_hash=token_hash(token), created_by=actor)
    kiosk.full_clean()
    kiosk.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=kiosk, after={"name": kiosk.name, "site": site.name})
    event_publish(channel=attendance_channel(site.city), kind="terminal.registered",
                  data={"kiosk": kiosk.pk, "site": site.pk})
    return kiosk, token


@transaction.atomic
def kiosk_retire(*, actor, kiosk: Kiosk) -> Kiosk:
    """A retired kiosk's link opens nothing any more; its punches stay."""
    _require_site_manager(actor, kiosk.site)
    if not kiosk.active:
        raise ValidationError(_("Anjungan %(name)s sudah dinonaktifkan.") % {"name": kiosk.name})
    kiosk.active = False
    kiosk.save(update_fields=["active"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=kiosk, before={"active": True}, after={"active": False})
    event_publish(channel=attendance_channel(kiosk.site.city), kind="terminal.retired",
                  data={"kiosk": kiosk.pk, "site": kiosk.site_id})
    return kiosk


def kiosk_get_for_user(*, user, pk) -> Kiosk:
    try:
        return kiosks_for(user).get(pk=pk)
    except (Kiosk.DoesNotExist, ValueError, TypeError):
        raise Http404(f"kiosk {pk}") from None


def kiosk_by_token(token: str) -> Kiosk:
    """The active kiosk of that link; 404 for an unknown or retired one."""
    kiosk = Kiosk.objects.select_related("site__city").filter(token_hash=token_hash(token), active=True).first()
    if kiosk is None:
        raise Http404("kiosk")
    return kiosk


def kiosk_seen(*, kiosk: Kiosk, now: dt.datetime | None = None) -> None:
    """Notes that the kiosk is in use, at most once a minute (its page reloads and each check-in call)."""
    now = now or timezone.now()
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at >= SEEN_WRITE_INTERVAL:
        Kiosk.objects.filter(pk=kiosk.pk).update(last_seen_at=now)
        kiosk.last_seen_at = now
