import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import BaseModel

from satulayar.attendance import devices
from satulayar.attendance.ingest import punches_submit
from satulayar.attendance.models import Device
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
