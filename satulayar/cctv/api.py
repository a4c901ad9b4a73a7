"""Cameras for the dashboard and other systems: the list, health, people-count series, the cross-check.

Session login like the rest of the API (anonymous: 401). Only cameras the caller may view are listed; a camera
outside answers 404 (the API never serves pictures; those go through the audited pages).
"""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from satulayar.cctv import selectors
from satulayar.cctv.access import cameras_for
from satulayar.core.apitypes import CalendarDate, DbId

router = Router(tags=["CCTV"])


class CameraOut(Schema):
    id: int
    name: str
    site: str
    kelurahan_id: int | None
    kelurahan: str
    placement: str
    source_kind: str
    interval_s: int
    health: str
    online: bool
    last_frame_at: dt.datetime | None
    last_error: str
    people_now: int | None
    thumbnail_url: str


class HealthOut(Schema):
    id: int
    health: str
    last_attempt_at: dt.datetime | None
    last_frame_at: dt.datetime | None
    last_error: str
    failures: int


class CountOut(Schema):
    at: dt.datetime
    raw: int
    people: int


class HourlyOut(Schema):
    hour: dt.datetime
    people_avg: float
    people_max: int
    samples: int
    dwell_count: int
    dwell_median_s: float | None
    dwell_p90_s: float | None


class CountsOut(Schema):
    camera_id: int
    start: dt.datetime
    end: dt.datetime
    series: list[CountOut]
    hourly: list[HourlyOut]


class MismatchOut(Schema):
    kelurahan_id: int
    kelurahan: str
    hour: int
    people_seen: float
    people_max: int
    tickets_issued: int
    flagged: bool
    reason: str


class DwellOut(Schema):
    kelurahan_id: int
    kelurahan: str
    dwell_count: int
    dwell_median_s: float
    dwell_p90_s: float
    wait_count: int
    wait_median_s: float | None
    wait_p90_s: float | None
    flagged: bool
    reason: str


def _camera(request, pk: int):
    camera = cameras_for(request.user).select_related("city").filter(pk=pk).first()
    if camera is None:
        raise Http404(f"camera {pk}")
    return camera


def _row(c) -> dict:
    return {"id": c.pk, "name": c.name, "site": c.site.name, "kelurahan_id": c.kelurahan_id,
            "kelurahan": c.kelurahan.name if c.kelurahan_id else "", "placement": c.placement,
            "source_kind": c.source_kind, "interval_s": c.interval_s, "health": c.health,
            "online": c.health == "online", "last_frame_at": c.last_frame_at, "last_error": c.last_error,
            "people_now": c.people_now, "thumbnail_url": c.thumb}


@router.get("/cameras", response=list[CameraOut], summary="Kamera yang boleh dilihat pemanggil, dengan kondisinya")
def cameras_list(request, kelurahan: DbId | None = None):
    cameras = cameras_for(request.user).order_by("kelurahan__name", "name")
    if kelurahan is not None:
        cameras = cameras.filter(kelurahan_id=kelurahan)
    return [_row(c) for c in selectors.camera_rows(cameras)]


@router.get("/cameras/{camera_id}/health", response=HealthOut, summary="Kondisi satu kamera")
def camera_health(request, camera_id: int):
    camera = _camera(request, camera_id)
    return {"id": camera.pk, "health": camera.health, "last_attempt_at": camera.last_attempt_at,
            "last_frame_at": camera.last_frame_at, "last_error": camera.last_error, "failures": camera.failures}


@router.get("/cameras/{camera_id}/counts", response=CountsOut,
            summary="Jumlah orang di area tunggu: tiap gambar dan per jam (bawaan: 24 jam terakhir)")
def camera_counts(request, camera_id: int, start: dt.datetime | None = None, end: dt.datetime | None = None):
    camera = _camera(request, camera_id)
    end = _aware(end) if end else timezone.now()
    start = _aware(start) if start else end - dt.timedelta(hours=24)
    return {"camera_id": camera.pk, "start": start, "end": end,
            "series": selectors.counts_series(camera=camera, start=start, end=end),
            "hourly": selectors.camera_hourly(camera=camera, start=start, end=end)}


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.get("/crosscheck", response=list[MismatchOut],
            summary="Orang terlihat menunggu dibanding tiket per kelurahan dan jam (bawaan: hari ini)")
def crosscheck(request, date: CalendarDate | None = None):
    kelurahan_ids = set(cameras_for(request.user).exclude(kelurahan=None).values_list("kelurahan_id", flat=True))
    return selectors.crowd_mismatches(city=request.city, date=date or timezone.localdate(),
                                      kelurahan_ids=kelurahan_ids)


@router.get("/dwell", response=list[DwellOut],
            summary="Lama orang berada di area tunggu (kamera) dibanding waktu tunggu tercatat di loket, per "
                    "kelurahan (bawaan: hari ini)")
def dwell(request, date: dt.date | None = None):
    kelurahan_ids = set(cameras_for(request.user).exclude(kelurahan=None).values_list("kelurahan_id", flat=True))
    return selectors.dwell_vs_waits(city=request.city, date=date or timezone.localdate(),
                                    kelurahan_ids=kelurahan_ids)
