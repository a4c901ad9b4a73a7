import datetime as dt
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from satulayar.attendance import checkin, devices
from satulayar.attendance.ingest import punches_submit
from satulayar.attendance.models import Device, Punch
from satulayar.org import access

router = Router(tags=["kehadiran"])
MAX_BATCH = 5000


class PunchIn(BaseModel):
    # Strings, not typed fields: a bad item must be reported by its index, not fail the whole batch. A plain
    # pydantic model: ninja's Schema wraps every item for reading Django objects, a third of a batch's time.
    nip: str = ""
    at: str = ""
    source_ref: str | None = None


class PunchBatchIn(Schema):
    punches: list[PunchIn] = Field(max_length=MAX_BATCH)


class RejectedOut(Schema):
    index: int
    nip: str
    reason: str


class PunchBatchOut(Schema):
    accepted: int
    duplicates: int
    flagged: int
    rejected: list[RejectedOut]


class DeviceOut(Schema):
    id: int
    serial_number: str
    name: str
    status: str
    site_id: int | None
    site_name: str | None
    last_seen_at: dt.datetime | None
    last_ip: str | None
    health: str

    @staticmethod
    def resolve_site_name(obj: Device) -> str | None:
        return obj.site.name if obj.site_id else None

    @staticmethod
    def resolve_health(obj: Device) -> str:
        return devices.device_health(obj)


class QueuedCheckinIn(Schema):
    uuid: UUID
    device_at: dt.datetime
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    browser_id: str = ""  # the id the check-in page keeps in the browser; stored only as its keyed hash


class QueuedCheckinOut(Schema):
    uuid: UUID
    at: dt.datetime
    sent_late: bool
    message: str


class ApproveIn(Schema):
    site_id: int | None = None
    name: str | None = None


@router.post("/punches", response=PunchBatchOut, summary="Kirim rekam kehadiran dari sistem lain (idempoten)")
def submit_punches(request, payload: PunchBatchIn):
    result = punches_submit(actor=request.user, city=request.city,
                            items=[item.model_dump() for item in payload.punches])
    return {"accepted": result.accepted, "duplicates": result.duplicates, "flagged": result.flagged,
            "rejected": result.rejected}


@router.get("/devices", response=list[DeviceOut], summary="Mesin absensi dan kesehatannya")
def list_devices(request):
    return devices.devices_for(request.user)


@router.post("/devices/{device_id}/approve", response=DeviceOut, summary="Setujui mesin absensi")
def approve_device(request, device_id: int, payload: ApproveIn | None = None):
    device = devices.device_get_for_user(user=request.user, pk=device_id)
    payload = payload or ApproveIn()
    site = None
    if payload.site_id is not None:
        site = access.sites_for(request.user).filter(pk=payload.site_id).first()
        if site is None:
            raise ValidationError({"site_id": _("Lokasi %(id)s tidak ditemukan.") % {"id": payload.site_id}})
    return devices.device_approve(actor=request.user, device=device, site=site, name=payload.name)


@router.post("/checkins", response={201: QueuedCheckinOut, 200: QueuedCheckinOut},
             summary="Presensi yang tertunda di ponsel saat luring: disimpan pada waktu ponsel, sekali per UUID")
def checkin_queued(request, payload: QueuedCheckinIn):
    if not access.scope_for(request.user).can("view_self"):
        raise PermissionDenied
    known = Punch.objects.filter(client_uuid=payload.uuid).exists()
    punch = checkin.checkin_record(user=request.user, lat=payload.lat, lon=payload.lon, accuracy_m=payload.accuracy_m,
                                   client_uuid=payload.uuid, device_at=payload.device_at, browser_id=payload.browser_id)
    local = timezone.localtime(punch.at)
    message = _("Presensi luring %(time)s %(zone)s terkirim.") % {
        "time": formats.time_format(local, "TIME_FORMAT"), "zone": local.tzname()}
    return Status(200 if known else 201, {"uuid": payload.uuid, "at": punch.at, "sent_late": punch.sent_late,
                                          "message": message})
