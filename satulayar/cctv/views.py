"""Camera pages: the grid (city or one kecamatan), one camera live, zone and privacy editors, the cross-check.

Pictures are only served here, after the access check: a viewer without the right gets 403 and the attempt is
written to the audit log, like every view. Live refresh: htmx polls a fragment that answers 204 while
nothing changed, so an unchanged grid costs one small query; the camera page also offers an MJPEG relay.
"""

import datetime as dt
import json
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.cctv import selectors, services
from satulayar.cctv.access import cameras_for, can_manage, can_view, sees_unblurred
from satulayar.cctv.choices import Health
from satulayar.cctv.crypto import credentials_decrypt
from satulayar.cctv.forms import CameraForm
from satulayar.cctv.models import Camera
from satulayar.cctv.storage import media_file, privacy_blur
from satulayar.core.decorators import capability_required, is_htmx
from satulayar.core.forms import form_errors_add
from satulayar.org.access import kecamatan_for, sites_for

THUMB_AUDIT_EVERY_S = 600
SESSION_SEEN = "cctv_seen"
STREAM_SECONDS = 300


def camera_for_viewer(request, pk: int, what: str) -> Camera:
    """The camera if the user may view it; otherwise 403, with the refused attempt in the audit log."""
    camera = Camera.objects.select_related("site__unit", "kelurahan__kecamatan", "city").filter(pk=pk).first()
    if camera is None:
        raise Http404(f"camera {pk}")
    if not can_view(request.user, camera):
        services.camera_view_record(actor=request.user, camera=camera, what=what, allowed=False)
        raise PermissionDenied(_("Anda tidak berhak melihat kamera %(name)s.") % {"name": camera.name})
    return camera


def _grid_cameras(request):
    cameras = cameras_for(request.user).filter(active=True)
    kecamatan = None
    if (raw := request.GET.get("kecamatan", "")).isdigit():
        kecamatan = kecamatan_for(request.user).filter(pk=int(raw)).first()
        if kecamatan is None:
            raise Http404(f"kecamatan {raw}")
        cameras = cameras.filter(kelurahan__kecamatan=kecamatan)
    return cameras.order_by("kelurahan__kecamatan__name", "kelurahan__name", "name"), kecamatan


def _grid_version(rows) -> str:
    return "-".join(f"{c.pk}.{c.latest.pk if c.latest else 0}.{c.health[0]}" for c in rows)


@login_required  # roles are checked per camera, not by capability
@require_GET
def grid(request):
    cameras, kecamatan = _grid_cameras(request)
    rows = selectors.camera_rows(cameras)
    audit_record(actor=request.user, action=AuditAction.VIEW, object_type="cctv.grid",
                 object_repr=str(kecamatan or _("Seluruh kota"))[:255],
                 note=_("Grid kamera: %(n)s kamera") % {"n": len(rows)})
    return render(request, "cctv/grid.html", {
        "rows": rows, "kecamatan": kecamatan, "version": _grid_version(rows),
        "kecamatan_list": kecamatan_for(request.user).filter(kelurahan__cameras__in=cameras_for(request.user))
        .distinct().order_by("name"),
        "summary": selectors.health_summary(cameras), "can_manage": can_manage(request.user)})


@login_required  # roles are checked per camera, not by capability
@require_GET
def grid_fragment(request):
    cameras, kecamatan = _grid_cameras(request)
    rows = selectors.camera_rows(cameras)
    version = _grid_version(rows)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, "cctv/_grid.html", {"rows": rows, "kecamatan": kecamatan, "version": version,
                                               "summary": selectors.health_summary(cameras)})


def _camera_context(request, camera: Camera) -> dict:
    [camera] = selectors.camera_rows(Camera.objects.filter(pk=camera.pk))
    return {"camera": camera, "version": f"{camera.latest.pk if camera.latest else 0}.{camera.health}",
            "health": Health(camera.health)}


@login_required  # roles are checked per camera, not by capability
@require_GET
def camera_detail(request, pk: int):
    camera = camera_for_viewer(request, pk, _("halaman kamera"))
    services.camera_view_record(actor=request.user, camera=camera, what=_("halaman kamera"))
    today = timezone.localdate()
    context = _camera_context(request, camera)
    context.update({"hourly": selectors.camera_hourly(camera=camera, start=today, end=today), "today": today,
                    "can_manage": can_manage(request.user, camera), "blurred": not sees_unblurred(request.user),
                    "credentials_problem": can_manage(request.user, camera)
                    and services.camera_credentials_problem(camera),
                    "zone_json": json.dumps(camera.zone), "blur_json": json.dumps(camera.blur_regions)})
    return render(request, "cctv/camera.html", context)


@login_required  # roles are checked per camera, not by capability
@require_GET
def camera_live(request, pk: int):
    """The live part of the camera page (picture, health, count), polled by htmx."""
    camera = camera_for_viewer(request, pk, _("tayangan langsung"))
    context = _camera_context(request, camera)
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)
    return render(request, "cctv/_live.html", context)


def _picture(request, camera: Camera, *, thumbnail: bool) -> bytes:
    frame = selectors.latest_frames([camera.pk]).get(camera.pk)
    if frame is None:
        raise Http404(_("Kamera ini belum mengirim gambar."))
    path = media_file(frame.thumbnail_path if thumbnail else frame.path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Http404(_("Berkas gambar sudah dihapus oleh kebijakan retensi.")) from None
    return data if sees_unblurred(request.user) else privacy_blur(data, camera.blur_regions)


def _jpeg_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required  # roles are checked per camera, not by capability
@require_GET
def snapshot(request, pk: int):
    camera = camera_for_viewer(request, pk, _("gambar terakhir"))
    data = _picture(request, camera, thumbnail=False)
    services.camera_view_record(actor=request.user, camera=camera, what=_("gambar terakhir"))
    return _jpeg_response(data)


@login_required  # roles are checked per camera, not by capability
@require_GET
def thumbnail(request, pk: int):
    """Thumbnails refresh every few seconds on the grid: one audit entry per camera and user per ten minutes."""
    camera = camera_for_viewer(request, pk, _("gambar kecil"))
    data = _picture(request, camera, thumbnail=True)
    seen = request.session.get(SESSION_SEEN, {})
    if time.time() - seen.get(str(camera.pk), 0) >= THUMB_AUDIT_EVERY_S:
        services.camera_view_record(actor=request.user, camera=camera, what=_("gambar kecil (grid)"))
        request.session[SESSION_SEEN] = {**seen, str(camera.pk): time.time()}
    return _jpeg_response(data)


@login_required  # roles are checked per camera, not by capability
@require_GET
def stream(request, pk: int):
    """An MJPEG relay of the stored frames: each new frame once, for at most five minutes per connection."""
    camera = camera_for_viewer(request, pk, _("aliran MJPEG"))
    services.camera_view_record(actor=request.user, camera=camera, what=_("aliran MJPEG"))
    blur = [] if sees_unblurred(request.user) else camera.blur_regions

    def frames():
        last, until = None, time.monotonic() + STREAM_SECONDS
        while time.monotonic() < until:
            frame = selectors.latest_frames([camera.pk]).get(camera.pk)
            if frame and frame.pk != last:
                try:
                    data = privacy_blur(media_file(frame.path).read_bytes(), blur)
                except FileNotFoundError:
                    data = None
                if data:
                    last = frame.pk
                    yield (b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + str(len(data)).encode()
                           + b"\r\n\r\n" + data + b"\r\n")
            time.sleep(1)

    response = StreamingHttpResponse(frames(), content_type="multipart/x-mixed-replace; boundary=frame")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def _managed(request, pk: int) -> Camera:
    camera = camera_for_viewer(request, pk, _("pengaturan kamera"))
    if not can_manage(request.user, camera):
        raise PermissionDenied(_("Anda tidak berhak mengubah kamera %(name)s.") % {"name": camera.name})
    return camera


def _points(request, field: str):
    try:
        return json.loads(request.POST.get(field) or "[]")
    except ValueError:
        raise ValidationError({field: _("Data titik tidak dapat dibaca.")}) from None


def _json_save(request, pk: int, field: str, save, done: str):
    camera = _managed(request, pk)
    try:
        save(actor=request.user, camera=camera, **{"zone" if field == "zone" else "regions": _points(request, field)})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("cctv:camera", pk=camera.pk)


@login_required  # roles are checked per camera, not by capability
@require_POST
def zone_save(request, pk: int):
    return _json_save(request, pk, "zone", services.camera_zone_set, _("Area tunggu disimpan."))


@login_required  # roles are checked per camera, not by capability
@require_POST
def blur_save(request, pk: int):
    return _json_save(request, pk, "blur_regions", services.camera_blur_set, _("Area samaran disimpan."))


@login_required  # roles are checked per camera, not by capability
@require_http_methods(["GET", "POST"])
def camera_create(request):
    if not can_manage(request.user):
        raise PermissionDenied(_("Anda tidak berhak mendaftarkan kamera."))
    form = CameraForm(request.POST or None, sites=sites_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            camera = services.camera_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Kamera %(name)s didaftarkan.") % {"name": camera.name})
            return redirect("cctv:camera", pk=camera.pk)
    return render(request, "cctv/camera_form.html", {"form": form, "camera": None})


@login_required  # roles are checked per camera, not by capability
@require_http_methods(["GET", "POST"])
def camera_edit(request, pk: int):
    camera = _managed(request, pk)
    problem = services.camera_credentials_problem(camera)
    username = "" if problem else credentials_decrypt(camera.credentials_encrypted)[0]
    initial = {"site": camera.site_id, "name": camera.name, "placement": camera.placement,
               "source_kind": camera.source_kind, "url": camera.url, "username": username,
               "location": camera.location, "viewer_roles": camera.viewer_role_list, "interval_s": camera.interval_s,
               "active": camera.active}
    form = CameraForm(request.POST or None, initial=initial, sites=sites_for(request.user))
    form.fields["password"].required = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password") or None
        try:
            services.camera_update(actor=request.user, camera=camera, password=password, **data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Kamera %(name)s diperbarui.") % {"name": camera.name})
            return redirect("cctv:camera", pk=camera.pk)
    return render(request, "cctv/camera_form.html", {"form": form, "camera": camera, "credentials_problem": problem})


@capability_required("view_regions")
@require_GET
def crosscheck(request):
    """People seen waiting against tickets issued, per kelurahan and hour of one day."""
    city = request.city
    try:
        day = dt.date.fromisoformat(request.GET.get("tanggal", "")) if request.GET.get("tanggal") else None
    except ValueError:
        day = None
        messages.error(request, _("Tanggal tidak dapat dibaca; ditampilkan hari ini."))
    day = day or timezone.localdate()
    kelurahan_ids = set(cameras_for(request.user).exclude(kelurahan=None).values_list("kelurahan_id", flat=True))
    rows = selectors.crowd_mismatches(city=city, date=day, kelurahan_ids=kelurahan_ids)
    if is_htmx(request):
        return render(request, "cctv/_crosscheck_table.html", {"rows": rows})
    return render(request, "cctv/crosscheck.html", {
        "rows": rows, "day": day, "flagged": sum(r["flagged"] for r in rows)})
