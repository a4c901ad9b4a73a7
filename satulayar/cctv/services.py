"""Writes for cameras: registry changes (audited), views (audited), and what the poller learns.

Registry changes and every view go to the audit log. The poller's results (a stored frame, a failed grab,
a health change, a new people count) publish live events on the channel "cctv:<city id>" (kinds
"camera.frame", "camera.health", "camera.count"; core.events.EVENT_KINDS) when their transaction commits.
"""

import datetime as dt

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.cctv.choices import DEFAULT_VIEWER_ROLES, VIEWER_ROLE_CHOICES, Health, SourceKind
from satulayar.cctv.crypto import credentials_decrypt, credentials_encrypt
from satulayar.cctv.detector import count_debounce
from satulayar.cctv.models import Camera, DwellSample, Frame, PeopleCount, PeopleHourly
from satulayar.cctv.storage import files_delete, frame_files_write
from satulayar.cctv.urlcheck import source_url_validate
from satulayar.core.events import cctv_channel, event_publish
from satulayar.core.vault import SecretUnreadable
from satulayar.org.models import Site

MAX_ZONE_POINTS = 24
MAX_BLUR_REGIONS = 12
EDITABLE = ("name", "placement", "source_kind", "url", "location", "interval_s", "active")


def _audit_view(camera: Camera) -> dict:
    data = snapshot(camera)
    data.pop("credentials_encrypted", None)
    for key in ("health", "last_attempt_at", "last_frame_at", "last_error", "failures", "people_now",
                "people_pending", "people_pending_frames"):
        data.pop(key, None)
    data["has_credentials"] = bool(camera.credentials_encrypted)
    return data


def _roles_value(roles) -> str:
    known = {value for value, _label in VIEWER_ROLE_CHOICES}
    roles = list(dict.fromkeys(str(r) for r in roles))
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise ValidationError({"viewer_roles": _("Peran tidak dikenal: %(roles)s.") % {"roles": ", ".join(unknown)}})
    return "," + ",".join(roles) + "," if roles else ""


def zone_validate(points) -> list[list[float]]:
    """A polygon of 3–24 points, each [x, y] as fractions (0–1) of the image; an empty list clears the zone."""
    try:
        zone = [[round(float(x), 4), round(float(y), 4)] for x, y in (points or [])]
    except (TypeError, ValueError):
        raise ValidationError({"zone": _("Titik area harus berupa pasangan angka [x, y].")}) from None
    if zone and not 3 <= len(zone) <= MAX_ZONE_POINTS:
        raise ValidationError({"zone": _("Area tunggu perlu 3 sampai %(n)s titik; diterima %(got)s.")
                               % {"n": MAX_ZONE_POINTS, "got": len(zone)}})
    if any(not (0 <= v <= 1) for point in zone for v in point):
        raise ValidationError({"zone": _("Setiap titik harus berada di dalam gambar (0 sampai 1).")})
    return zone


def blur_regions_validate(regions) -> list[list[float]]:
    try:
        found = [[round(float(v), 4) for v in region] for region in (regions or [])]
    except (TypeError, ValueError):
        raise ValidationError({"blur_regions": _("Area samaran harus berupa [x, y, lebar, tinggi].")}) from None
    if len(found) > MAX_BLUR_REGIONS or any(len(r) != 4 for r in found):
        raise ValidationError({"blur_regions": _("Paling banyak %(n)s area samaran, masing-masing [x, y, lebar, "
                                                 "tinggi].") % {"n": MAX_BLUR_REGIONS}})
    for x, y, w, h in found:
        if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-6 and 0 < h <= 1 - y + 1e-6):
            raise ValidationError({"blur_regions": _("Area samaran harus berada di dalam gambar.")})
    return found


def _check(camera: Camera) -> None:
    errors = {}
    try:
        camera.url = source_url_validate(camera.url, camera.source_kind)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if camera.site_id and camera.city_id and camera.site.city_id != camera.city_id:
        errors["site"] = [_("Lokasi kamera berada di luar kota ini.")]
    try:
        camera.full_clean(exclude=["url", "viewer_roles"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _site_kelurahan(site: Site):
    return site.kelurahan_id or (site.unit.kelurahan_id if site.unit_id else None)


@transaction.atomic
def camera_create(*, actor, site: Site, name: str, url: str, source_kind: str = SourceKind.SNAPSHOT,
                  placement: str = "service_area", username: str = "", password: str = "", location: str = "",
                  viewer_roles=DEFAULT_VIEWER_ROLES, interval_s: int = 15, zone=None, blur_regions=None,
                  active: bool = True) -> Camera:
    camera = Camera(city_id=site.city_id, site=site, kelurahan_id=_site_kelurahan(site), name=name.strip(),
                    url=url, source_kind=source_kind, placement=placement, location=location.strip(),
                    interval_s=interval_s, active=active, viewer_roles=_roles_value(viewer_roles),
                    zone=zone_validate(zone), blur_regions=blur_regions_validate(blur_regions),
                    credentials_encrypted=credentials_encrypt(username, password))
    _check(camera)
    camera.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=camera, after=_audit_view(camera))
    _saved(camera, "created")
    return camera


def _credentials_kept(camera: Camera, username: str | None, password: str | None) -> tuple[str, str]:
    try:
        return credentials_decrypt(camera.credentials_encrypted)
    except SecretUnreadable as exc:
        if username is None or password is None:
            raise ValidationError({"password": _("%(reason)s Isi nama pengguna dan kata sandi bersama-sama.")
                                   % {"reason": exc}}) from None
        return "", ""


def camera_credentials_problem(camera: Camera) -> str:
    """Why the camera's stored credentials cannot be used ('' when they can): shown to its managers."""
    try:
        credentials_decrypt(camera.credentials_encrypted)
    except SecretUnreadable as exc:
        return str(exc)
    return ""


@transaction.atomic
def camera_update(*, actor, camera: Camera, site: Site | None = None, viewer_roles=None, username: str | None = None,
                  password: str | None = None, **fields) -> Camera:
    """Change what is given; credentials change only when a username or password is given."""
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    before = _audit_view(camera)
    for name, value in fields.items():
        if name not in EDITABLE:
            raise TypeError(f"camera_update() cannot change {name}")
        setattr(camera, name, value.strip() if isinstance(value, str) else value)
    if site is not None:
        camera.site, camera.kelurahan_id = site, _site_kelurahan(site)
    if viewer_roles is not None:
        camera.viewer_roles = _roles_value(viewer_roles)
    if username is not None or password is not None:
        old_user, old_password = _credentials_kept(camera, username, password)
        camera.credentials_encrypted = credentials_encrypt(old_user if username is None else username,
                                                           old_password if password is None else password)
    _check(camera)
    camera.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=camera, before=before, after=_audit_view(camera))
    _saved(camera, "updated")
    return camera


@transaction.atomic
def camera_zone_set(*, actor, camera: Camera, zone) -> Camera:
    before = camera.zone
    camera.zone = zone_validate(zone)
    camera.people_pending, camera.people_pending_frames = None, 0
    camera.save(update_fields=["zone", "people_pending", "people_pending_frames", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=camera, before={"zone": before},
                 after={"zone": camera.zone}, note=_("Area tunggu diubah"))
    _saved(camera, "zone")
    return camera


@transaction.atomic
def camera_blur_set(*, actor, camera: Camera, regions) -> Camera:
    before = camera.blur_regions
    camera.blur_regions = blur_regions_validate(regions)
    camera.save(update_fields=["blur_regions", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=camera, before={"blur_regions": before},
                 after={"blur_regions": camera.blur_regions}, note=_("Area samaran privasi diubah"))
    _saved(camera, "blur")
    return camera


def _saved(camera: Camera, what: str) -> None:
    event_publish(channel=cctv_channel(camera.city_id), kind="camera.saved",
                  data={"camera_id": camera.pk, "kelurahan_id": camera.kelurahan_id, "what": what})


def camera_view_record(*, actor, camera: Camera, what: str, allowed: bool = True) -> None:
    """Every look at a camera (page, snapshot, stream) and every refused attempt goes to the audit log."""
    note = what if allowed else _("DITOLAK: %(what)s (tanpa hak akses)") % {"what": what}
    audit_record(actor=actor, action=AuditAction.VIEW, obj=camera, unit_path=camera.site.unit.path
                 if camera.site.unit_id else "", note=note)


# --- what the poller learns ----------------------------------------------------------------------------------------


def thumbnail_url(camera: Camera | int, frame_id: int | None = None) -> str:
    pk = camera if isinstance(camera, int) else camera.pk
    url = reverse("cctv:thumbnail", args=[pk])
    return f"{url}?f={frame_id}" if frame_id else url


def _health_set(camera: Camera, health: str, *, error: str = "") -> None:
    previous = camera.health
    camera.health = health
    if previous != health:
        event_publish(channel=cctv_channel(camera.city_id), kind="camera.health", data={
            "camera_id": camera.pk, "kelurahan_id": camera.kelurahan_id, "health": health, "previous": previous,
            "error": error, "at": camera.last_attempt_at})


def _hourly_add(camera: Camera, at: dt.datetime, people: int) -> None:
    hour = at.replace(minute=0, second=0, microsecond=0)
    updated = PeopleHourly.objects.filter(camera=camera, hour=hour).update(
        samples=F("samples") + 1, total=F("total") + people)
    if not updated:
        try:
            with transaction.atomic():
                PeopleHourly.objects.create(camera=camera, kelurahan_id=camera.kelurahan_id, hour=hour, samples=1,
                                            total=people, peak=people)
            return
        except IntegrityError:
            PeopleHourly.objects.filter(camera=camera, hour=hour).update(
                samples=F("samples") + 1, total=F("total") + people)
    PeopleHourly.objects.filter(camera=camera, hour=hour, peak__lt=people).update(peak=people)


def _hour_row(camera: Camera, hour: dt.datetime) -> PeopleHourly:
    try:
        with transaction.atomic():
            return PeopleHourly.objects.get_or_create(camera=camera, hour=hour,
                                                      defaults={"kelurahan_id": camera.kelurahan_id})[0]
    except IntegrityError:
        return PeopleHourly.objects.get(camera=camera, hour=hour)


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between the closest ranks (h = p(n − 1)), as the desk's wait statistics use."""
    ordered = sorted(values)
    h = p * (len(ordered) - 1)
    lo = int(h)
    return ordered[lo] if lo + 1 >= len(ordered) else ordered[lo] + (h - lo) * (ordered[lo + 1] - ordered[lo])


def dwell_record(*, camera: Camera, left_at: dt.datetime, seconds: list[float]) -> None:
    """People who left the zone: store each dwell, then the hour's median and p90 beside its counts."""
    if not seconds:
        return
    DwellSample.objects.bulk_create([DwellSample(camera=camera, left_at=left_at, seconds=s) for s in seconds])
    hour = left_at.replace(minute=0, second=0, microsecond=0)
    found = list(DwellSample.objects.filter(camera=camera, left_at__gte=hour, left_at__lt=hour + dt.timedelta(hours=1))
                 .values_list("seconds", flat=True))
    PeopleHourly.objects.filter(pk=_hour_row(camera, hour).pk).update(
        dwell_count=len(found), dwell_median_s=percentile(found, 0.5), dwell_p90_s=percentile(found, 0.9))


@transaction.atomic
def frame_record(*, camera: Camera, image: np.ndarray, taken_at: dt.datetime, people_raw: int | None,
                 dwells: list[float] = (), count_error: str = "") -> Frame:
    """Store a grabbed frame, mark the camera online, update its debounced people count and the dwell of those
    who left; `count_error` (the detector failed on this frame) is kept as the camera's last error."""
    files = frame_files_write(camera_id=camera.pk, taken_at=taken_at, image=image)
    frame = Frame.objects.create(camera=camera, taken_at=taken_at, path=files.path,
                                 thumbnail_path=files.thumbnail_path, size_bytes=files.size_bytes, width=files.width,
                                 height=files.height, people_raw=people_raw)
    camera.last_attempt_at = camera.last_frame_at = taken_at
    camera.failures, camera.last_error = 0, count_error[:255]
    _health_set(camera, Health.ONLINE)
    fields = ["last_attempt_at", "last_frame_at", "failures", "last_error", "health"]
    if people_raw is not None:
        previous = camera.people_now
        camera.people_now, camera.people_pending, camera.people_pending_frames = count_debounce(
            stable=camera.people_now, pending=camera.people_pending, pending_frames=camera.people_pending_frames,
            raw=people_raw, hold=settings.CCTV_COUNT_HOLD_FRAMES)
        fields += ["people_now", "people_pending", "people_pending_frames"]
        if camera.people_now is not None:
            PeopleCount.objects.create(camera=camera, at=taken_at, raw=people_raw, people=camera.people_now)
            _hourly_add(camera, taken_at, camera.people_now)
        if camera.people_now != previous:
            event_publish(channel=cctv_channel(camera.city_id), kind="camera.count", data={
                "camera_id": camera.pk, "kelurahan_id": camera.kelurahan_id, "people": camera.people_now,
                "previous": previous, "at": taken_at})
    dwell_record(camera=camera, left_at=taken_at, seconds=list(dwells))
    Camera.objects.filter(pk=camera.pk).update(**{f: getattr(camera, f) for f in fields})
    event_publish(channel=cctv_channel(camera.city_id), kind="camera.frame", data={
        "camera_id": camera.pk, "kelurahan_id": camera.kelurahan_id, "frame_id": frame.pk, "taken_at": taken_at,
        "people": camera.people_now, "thumbnail_url": thumbnail_url(camera, frame.pk)})
    return frame


@transaction.atomic
def grab_failure_record(*, camera: Camera, error: str, at: dt.datetime) -> None:
    """A failed grab; after CCTV_OFFLINE_AFTER_FAILURES in a row the camera is offline."""
    camera.last_attempt_at, camera.last_error = at, error[:255]
    camera.failures += 1
    if camera.failures >= settings.CCTV_OFFLINE_AFTER_FAILURES:
        _health_set(camera, Health.OFFLINE, error=camera.last_error)
    Camera.objects.filter(pk=camera.pk).update(last_attempt_at=at, last_error=camera.last_error,
                                               failures=camera.failures, health=camera.health)


def history_prune(*, now: dt.datetime | None = None) -> dict:
    """Delete frames past the retention age, then the oldest beyond the size cap; per-frame counts past theirs.
    The latest frame of each camera is kept whatever its age, so an offline camera still shows its last view."""
    now = now or timezone.now()
    latest_ids = _latest_frame_ids()
    old = list(Frame.objects.filter(taken_at__lt=now - dt.timedelta(hours=settings.CCTV_RETENTION_HOURS))
               .exclude(id__in=latest_ids).values_list("id", "path", "thumbnail_path"))
    cap = settings.CCTV_HISTORY_MAX_MB * 1024 * 1024
    kept, over = 0, []
    old_ids = {row[0] for row in old}
    for pk, path, thumb, size in Frame.objects.order_by("-taken_at").values_list("id", "path", "thumbnail_path",
                                                                                  "size_bytes").iterator():
        if pk in old_ids:
            continue
        kept += size
        if kept > cap and pk not in latest_ids:
            over.append((pk, path, thumb))
    doomed = old + over
    for start in range(0, len(doomed), 500):
        chunk = doomed[start:start + 500]
        Frame.objects.filter(id__in=[row[0] for row in chunk]).delete()
        files_delete([p for row in chunk for p in row[1:]])
    count_cutoff = now - dt.timedelta(days=settings.CCTV_COUNT_RETENTION_DAYS)
    counts, _by_model = PeopleCount.objects.filter(at__lt=count_cutoff).delete()
    dwells, _by_model = DwellSample.objects.filter(left_at__lt=count_cutoff).delete()
    return {"frames_by_age": len(old), "frames_by_size": len(over), "counts": counts, "dwells": dwells}


def _latest_frame_ids() -> set[int]:
    """Each camera's newest frame (one indexed query per camera: there are tens, not thousands)."""
    ids = set()
    for camera_id in Camera.objects.values_list("id", flat=True):
        found = Frame.objects.filter(camera_id=camera_id).order_by("-taken_at").values_list("id", flat=True).first()
        if found:
            ids.add(found)
    return ids
