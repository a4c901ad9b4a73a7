"""Where a camera source may point: http, https or rtsp, never cloud metadata or link-local addresses.

Checked when a camera is saved (the literal host, against the addresses that are never allowed) and again at every
grab by core.outbound (the resolved address, against OUTBOUND_ALLOWED_NETWORKS and OUTBOUND_PRIVATE_FOR), so a name
that later resolves to 169.254.169.254, or to this server's loopback, is still refused.
"""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from satulayar.cctv.choices import SourceKind
from satulayar.core.outbound import address_refusal, host_refusal

SCHEMES = {SourceKind.SNAPSHOT: {"http", "https"}, SourceKind.MJPEG: {"http", "https"}, SourceKind.RTSP: {"rtsp"}}


def source_url_validate(url: str, kind: str) -> str:
    """The URL, stripped, or a ValidationError saying in Indonesian what is wrong with it."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValidationError({"url": _("Alamat sumber tidak dapat dibaca sebagai URL.")}) from None
    allowed = SCHEMES.get(kind, set())
    if parts.scheme.lower() not in allowed:
        raise ValidationError({"url": _("Skema “%(scheme)s” tidak diizinkan untuk sumber %(kind)s; gunakan "
                                        "%(allowed)s.") % {"scheme": parts.scheme or "-",
                                                           "kind": SourceKind(kind).label if kind in SourceKind.values
                                                           else kind, "allowed": " / ".join(sorted(allowed)) or "-"}})
    if not parts.hostname:
        raise ValidationError({"url": _("Alamat sumber tidak menyebut host kamera.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Jangan menaruh nama pengguna atau kata sandi di URL; isi kolom kredensial "
                                        "agar tersimpan terenkripsi.")})
    if reason := host_refusal(parts.hostname):
        raise ValidationError({"url": _("Alamat sumber ditolak: %(reason)s.") % {"reason": reason}})
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return url
    if reason := address_refusal(address, purpose=None):
        raise ValidationError({"url": _("Alamat sumber ditolak: %(reason)s.") % {"reason": reason}})
    return url

