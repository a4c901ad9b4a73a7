"""Every request Satu Layar makes to another machine: camera grabs, connector pulls, alert webhooks.

The address comes from an admin's form, so it may name the cloud metadata service, this server's own loopback or
the office network. Here a name is resolved once, every address it gives is checked, and the connection goes to
the checked address (a second lookup could answer differently: DNS rebinding); each redirect is checked again,
bodies and waits are bounded, and headers that steer a proxy or a metadata service cannot be set by configuration.

Link-local, metadata, multicast and unspecified addresses are always refused. Loopback and private ranges are
refused unless OUTBOUND_ALLOWED_NETWORKS lists them, or, for private ranges, OUTBOUND_PRIVATE_FOR names the kind of
request (by default cameras, which live on office LANs).
"""

import functools
import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_HOSTS = {"metadata", "metadata.google.internal", "metadata.goog", "instance-data",
                  "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com"}
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "fd00:ec2::23", "100.100.100.200", "192.0.0.192")}
FORBIDDEN_HEADERS = {"host", "metadata", "metadata-flavor", "x-google-metadata-request", "connection",
                     "content-length", "transfer-encoding", "te", "upgrade", "forwarded", "expect"}
FORBIDDEN_PREFIXES = ("x-aws-", "x-amz-", "x-forwarded-", "proxy-", "x-real-ip")
SAFE_ACROSS_ORIGINS = {"Accept", "User-agent", "Content-type"}
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Purpose:
    """A kind of outbound request: its name in OUTBOUND_PRIVATE_FOR and the schemes it may use."""

    name: str
    label: str
    schemes: frozenset[str]


CCTV = Purpose("cctv", gettext_lazy("kamera"), frozenset({"http", "https", "rtsp"}))
INTEGRATIONS = Purpose("integrations", gettext_lazy("konektor"), frozenset({"http", "https"}))
ALERTS = Purpose("alerts", gettext_lazy("webhook peringatan"), frozenset({"http", "https"}))
PURPOSES = {p.name: p for p in (CCTV, INTEGRATIONS, ALERTS)}


class OutboundRefused(Exception):
    """An address, scheme, redirect or header this server will not use; the message says why, in Indonesian."""


class ResponseTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(_("jawaban lebih besar dari batas %(n)s bita") % {"n": limit})
        self.limit = limit


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str


# --- addresses -------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def allowed_networks() -> tuple:
    return _networks(tuple(settings.OUTBOUND_ALLOWED_NETWORKS))


def _embedded_ipv4(address: Address) -> Address:
    if address.version == 6:
        if address.ipv4_mapped or address.sixtofour:
            return address.ipv4_mapped or address.sixtofour
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _never_reason(address: Address) -> str:
    if address in METADATA_ADDRESSES or address.is_link_local:
        return _("alamat link-local/metadata (%(ip)s) tidak diizinkan") % {"ip": address}
    if address.is_multicast or address.is_unspecified or address in THIS_NETWORK or (
            address.is_reserved and not address.is_loopback):
        return _("alamat %(ip)s tidak dapat dipakai sebagai tujuan") % {"ip": address}
    return ""


def address_refusal(address: Address, *, purpose: Purpose | None) -> str:
    """Why `address` may not be contacted for `purpose` ('' when it may). Without a purpose only the addresses that
    are never allowed are refused (a form checking a literal address before the setting applies)."""
    address = _embedded_ipv4(address)
    if reason := _never_reason(address):
        return reason
    if purpose is None or any(address in network for network in allowed_networks()):
        return ""
    if address.is_loopback:
        return _("alamat loopback (%(ip)s), yaitu server ini sendiri, tidak diizinkan") % {"ip": address}
    if not address.is_global and purpose.name not in settings.OUTBOUND_PRIVATE_FOR:
        return _("alamat jaringan privat (%(ip)s) tidak diizinkan untuk %(what)s") % {"ip": address,
                                                                                      "what": purpose.label}
    return ""


def host_refusal(host: str) -> str:
    if host.lower().rstrip(".") in METADATA_HOSTS:
        return _("host %(host)s adalah layanan metadata; tidak diizinkan") % {"host": host}
    return ""


def host_resolve(host: str, port: int, *, purpose: Purpose) -> str:
    """The one address to connect to for `host`: resolved once, every answer checked (a name that also answers a
    refused address is refused as a whole). OutboundRefused, or OSError when the name does not resolve."""
    if reason := host_refusal(host):
        raise OutboundRefused(reason)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(_("nama host %(host)s tidak ditemukan (%(error)s)") % {"host": host, "error": exc}) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if reason := address_refusal(address, purpose=purpose):
            raise OutboundRefused(reason)
    return str(addresses[0])


def url_check(url: str, *, purpose: Purpose) -> None:
    """OutboundRefused unless `url` has an allowed scheme, a host, no credentials and no refused literal address."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise OutboundRefused(_("alamat tidak dapat dibaca sebagai URL")) from None
    if parts.scheme.lower() not in purpose.schemes:
        raise OutboundRefused(_("skema “%(scheme)s” tidak diizinkan; gunakan %(allowed)s") % {
            "scheme": parts.scheme or "-", "allowed": " / ".join(sorted(purpose.schemes))})
    if not parts.hostname:
        raise OutboundRefused(_("alamat tidak menyebut host"))
    if parts.username or parts.password:
        raise OutboundRefused(_("nama pengguna atau kata sandi tidak boleh ditaruh di alamat"))
    if reason := host_refusal(parts.hostname):
        raise OutboundRefused(reason)
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if reason := address_refusal(literal, purpose=purpose):
        raise OutboundRefused(reason)


def headers_check(headers: dict) -> None:
    for name in headers:
        lowered = name.strip().lower()
        if lowered in FORBIDDEN_HEADERS or lowered.startswith(FORBIDDEN_PREFIXES):
            raise OutboundRefused(_("header %(name)s tidak boleh diatur") % {"name": name})


# --- connections -----------------------------------------------------------------------------------------------------


class _Guarded:
    purpose: Purpose

    def __init__(self, *args, purpose: Purpose, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        self._create_connection = self._connect_checked

    def _connect_checked(self, address, timeout, source_address=None):
        host, port = address
        return socket.create_connection((host_resolve(host, port, purpose=self.purpose), port), timeout,
                                        source_address)


class _GuardedHTTPConnection(_Guarded, http.client.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, http.client.HTTPSConnection):
    pass  # TLS still verifies the certificate against the name, not the pinned address


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, purpose: Purpose):
        super().__init__()
        self.purpose = purpose

    def http_open(self, req):
        return self.do_open(functools.partial(_GuardedHTTPConnection, purpose=self.purpose), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, purpose: Purpose):
        super().__init__()
        self.purpose = purpose

    def https_open(self, req):
        return self.do_open(functools.partial(_GuardedHTTPSConnection, purpose=self.purpose), req,
                            context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Each hop is checked like the first; credentials in headers do not follow a hop to another origin."""

    def __init__(self, purpose: Purpose, limit: int):
        self.purpose, self.limit = purpose, limit

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        hops = getattr(req, "hops", 0) + 1
        if hops > self.limit:
            raise OutboundRefused(_("pengalihan (HTTP %(code)s) ke %(url)s tidak diikuti: paling banyak %(n)s")
                                  % {"code": code, "url": newurl[:200], "n": self.limit})
        url_check(newurl, purpose=self.purpose)
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.hops = hops
            if _origin(newurl) != _origin(req.full_url):
                new.headers = {k: v for k, v in new.headers.items() if k in SAFE_ACROSS_ORIGINS}
        return new


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _opener(purpose: Purpose, url: str, credentials: tuple[str, str] | None, max_redirects: int):
    opener = urllib.request.OpenerDirector()
    handlers = [urllib.request.UnknownHandler(), urllib.request.HTTPDefaultErrorHandler(),
                urllib.request.HTTPErrorProcessor(), _HTTPHandler(purpose), _HTTPSHandler(purpose),
                _Redirects(purpose, max_redirects)]
    if credentials and any(credentials):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *credentials)
        handlers += [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def max_redirects_default() -> int:
    return int(settings.OUTBOUND_MAX_REDIRECTS)


@contextmanager
def outbound_open(url: str, *, purpose: Purpose, timeout: float, method: str = "GET", headers: dict | None = None,
                  data: bytes | None = None, credentials: tuple[str, str] | None = None,
                  max_redirects: int | None = None):
    """The open response of a checked request (read it with `body_read`). Raises OutboundRefused, urllib's
    HTTPError for an HTTP error status, URLError/OSError/TimeoutError when the other side cannot be reached."""
    url_check(url, purpose=purpose)
    headers = headers or {}
    headers_check(headers)
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    limit = max_redirects_default() if max_redirects is None else max_redirects
    with _opener(purpose, url, credentials, limit).open(request, timeout=timeout) as response:
        yield response


def body_read(response, *, max_bytes: int, deadline: float, done: Callable[[bytes], bool] | None = None,
              chunk: int = 64 * 1024) -> bytes:
    """The body, read until the end (or until `done` says enough); ResponseTooLarge past `max_bytes`,
    TimeoutError past `deadline` (time.monotonic()), however slowly the other side trickles."""
    data = b""
    while not (done and done(data)):
        if time.monotonic() > deadline:
            raise TimeoutError(_("jawaban tidak selesai dalam batas waktu"))
        piece = response.read1(chunk) if hasattr(response, "read1") else response.read(chunk)
        if not piece:
            break
        data += piece
        if len(data) > max_bytes:
            raise ResponseTooLarge(max_bytes)
    return data


def outbound_fetch(url: str, *, purpose: Purpose, timeout: float, max_bytes: int, **options) -> Reply:
    """One checked request, its whole body read within `timeout` seconds and `max_bytes`."""
    deadline = time.monotonic() + timeout
    with outbound_open(url, purpose=purpose, timeout=timeout, **options) as response:
        body = body_read(response, max_bytes=max_bytes, deadline=deadline)
        return Reply(status=response.status, headers=response.headers, body=body, url=response.url)


def url_pin(url: str, *, purpose: Purpose, default_port: int) -> str:
    """`url` with its host replaced by the checked address, for clients that resolve names themselves (OpenCV)."""
    url_check(url, purpose=purpose)
    parts = urlsplit(url)
    address = host_resolve(parts.hostname, parts.port or default_port, purpose=purpose)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))

