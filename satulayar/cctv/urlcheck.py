"""Where a camera source may point: http, https or rtsp, never cloud metadata or link-local addresses.

Checked when a camera is saved (the literal host) and again before every grab (the resolved address), so a
name that later resolves to 169.254.169.254 is still refused. Loopback and private networks stay allowed:
cameras live on office LANs, and the demo's simulated camera listens on 127.0.0.1.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from satulayar.cctv.choices import SourceKind

SCHEMES = {SourceKind.SNAPSHOT: {"http", "https"}, SourceKind.MJPEG: {"http", "https"}, SourceKind.RTSP: {"rtsp"}}
METADATA_HOSTS = {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}


class SourceRefused(Exception):
    """A source address the poller will not contact."""


def _address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_link_local:
        return _("alamat link-local/metadata (%(ip)s) tidak diizinkan") % {"ip": address}
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return _("alamat %(ip)s bukan alamat kamera") % {"ip": address}
    mapped = getattr(address, "ipv4_mapped", None)
    return _address_refusal(mapped) if mapped else ""


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
    host = parts.hostname.lower().rstrip(".")
    if host in METADATA_HOSTS:
        raise ValidationError({"url": _("Host %(host)s adalah layanan metadata; tidak diizinkan.") % {"host": host}})
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url
    if reason := _address_refusal(address):
        raise ValidationError({"url": _("Alamat sumber ditolak: %(reason)s.") % {"reason": reason}})
    return url


def resolved_address_check(host: str, port: int | None) -> None:
    """Raise SourceRefused when `host` resolves to an address cameras may not have."""
    if host.lower().rstrip(".") in METADATA_HOSTS:
        raise SourceRefused(_("host metadata tidak diizinkan"))
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OSError(_("nama host %(host)s tidak ditemukan (%(error)s)") % {"host": host, "error": exc}) from None
    for info in infos:
        if reason := _address_refusal(ipaddress.ip_address(info[4][0].split("%")[0])):
            raise SourceRefused(reason)
