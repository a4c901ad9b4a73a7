"""The /iclock/ endpoints fingerprint machines call. Plain text in and out; no login, no CSRF token.

A machine proves only its serial number: unknown, pending and blocked serials get a refusal and nothing
they send is stored.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from satulayar.attendance import adms, device_clock, device_sync, devices
from satulayar.attendance.choices import DeviceStatus
from satulayar.attendance.models import Device
from satulayar.core.city import current_city

INFO_TABLES = {"OPTIONS", "REGISTRY"}


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _approved_device(request: HttpRequest) -> tuple[Device | None, HttpResponse | None]:
    serial = request.GET.get("SN", "").strip()
    if not adms.SERIAL_RE.match(serial):
        return None, _text(_("Nomor seri (SN) tidak ada atau tidak sah."), status=400)
    city = getattr(request, "city", None) or current_city()
    device = devices.device_identify(serial=serial, city=city, ip=request.META.get("REMOTE_ADDR"),
                                     push_version=request.GET.get("pushver", ""))
    if device is None or device.status != DeviceStatus.APPROVED:
        return None, _text(_("Mesin %(sn)s belum disetujui admin; data tidak disimpan.") % {"sn": serial},
                           status=403)
    return device, None


def _body(request: HttpRequest) -> str | None:
    limit = settings.ATTENDANCE_ADMS_MAX_BODY_BYTES
    raw = request.read(limit + 1)
    return None if len(raw) > limit else raw.decode("utf-8", errors="replace")


def _stamp(request: HttpRequest, *names: str) -> str:
    return next((request.GET[name] for name in names if request.GET.get(name)), "")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def cdata(request: HttpRequest) -> HttpResponse:
    device, refusal = _approved_device(request)
    if refusal:
        return refusal
    if request.method == "GET":
        if request.GET.get("options", "").lower() != "all":
            return _text("OK")
        return _text(adms.handshake_options(serial=device.serial_number, attlog_stamp=device.attlog_stamp,
                                            operlog_stamp=device.operlog_stamp,
                                            utc_offset=devices.device_utc_offset(device),
                                            timezone_minutes=device_clock.timezone_in_minutes(device)))
    body = _body(request)
    if body is None:
        return _text(_("Unggahan terlalu besar; kirim dalam beberapa bagian."), status=413)
    table = (request.GET.get("table") or request.GET.get("c") or "").upper()
    if table == "ATTLOG":
        upload = devices.device_attlog_receive(device=device, body=body, stamp=_stamp(request, "Stamp", "ATTLOGStamp"))
        return _text(adms.format_accepted(upload.accepted + upload.duplicates))
    if table in adms.USER_TABLES:
        upload = device_sync.device_users_receive(device=device, table=table, body=body,
                                                  stamp=_stamp(request, "OpStamp", "OPERLOGStamp", "Stamp"))
        return _text(adms.format_accepted(upload.lines) if table == "OPERLOG" else "OK")
    if table in INFO_TABLES:
        devices.device_info_update(device=device, info=adms.parse_key_values(body))
        return _text("OK")
    upload = devices.device_table_receive(device=device, table=table or "?", body=body,
                                          stamp=_stamp(request, "OpStamp", "OPERLOGStamp", "Stamp"))
    return _text(adms.format_accepted(upload.lines) if table == "OPERLOG" else "OK")


@csrf_exempt
@require_GET
def getrequest(request: HttpRequest) -> HttpResponse:
    device, refusal = _approved_device(request)
    if refusal:
        return refusal
    if request.GET.get("INFO"):
        devices.device_info_update(device=device, info={"INFO": request.GET["INFO"]})
    commands = devices.device_commands_take(device=device)
    return _text(adms.format_commands([(command.pk, device_sync.command_wire(device, command))
                                       for command in commands]))


@csrf_exempt
@require_POST
def devicecmd(request: HttpRequest) -> HttpResponse:
    device, refusal = _approved_device(request)
    if refusal:
        return refusal
    body = _body(request)
    if body is None:
        return _text(_("Unggahan terlalu besar."), status=413)
    devices.device_command_results_record(device=device, results=adms.parse_command_results(body))
    return _text("OK")


@csrf_exempt
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    _device, refusal = _approved_device(request)
    return refusal or _text("OK")
