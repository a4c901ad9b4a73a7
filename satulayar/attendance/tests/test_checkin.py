"""Phone check-in: the geofence, the accuracy threshold, field duty, and the selfie's short life."""

import datetime as dt
import math
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from satulayar.attendance.checkin import EARTH_RADIUS_M, checkin_record, fence_sites_for, haversine_m
from satulayar.attendance.choices import LeaveKind, PunchSource, RequestStatus
from satulayar.attendance.models import LeaveRequest, Punch
from satulayar.attendance.tasks import selfies_purge_expired
from satulayar.org.models import Site

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 3, 2, 7, 31, 12, 345678, tzinfo=WITA)  # a Monday morning
OFFICE = (-3.318_600, 114.594_400)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 500
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500


def north_of(point, metres: float) -> tuple[float, float]:
    """A point `metres` due north: along a meridian the great-circle distance is exact."""
    return point[0] + math.degrees(metres / EARTH_RADIUS_M), point[1]


@pytest.fixture
def office(org):
    return Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=OFFICE[0],
                               lon=OFFICE[1], radius_m=100)


@pytest.fixture
def pegawai(personas, office):
    """pegawai_dinkes works in a bidang without a site of its own: the Dinkes office is the fence."""
    return personas.pegawai_dinkes


def check_in(user, point, accuracy=15.0, **extra):
    return checkin_record(user=user, lat=point[0], lon=point[1], accuracy_m=accuracy, now=extra.pop("now", NOW),
                          **extra)


def refusal(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_haversine_is_in_metres():
    assert haversine_m(*OFFICE, *OFFICE) == 0
    assert haversine_m(*OFFICE, *north_of(OFFICE, 1234.2)) == pytest.approx(1234.2, abs=0.01)
    assert haversine_m(0, 114, 0, 115) == pytest.approx(111_195.1, abs=0.1)  # one degree on the equator


def test_fence_is_the_nearest_ancestor_with_sites(org, office):
    assert fence_sites_for(unit=org.p2p) == [office]
    assert fence_sites_for(unit=org.dinkes) == [office]
    assert fence_sites_for(unit=org.kominfo) == []


def test_inside_the_fence_is_stored_with_its_distance(pegawai, org, office):
    punch = check_in(pegawai, north_of(OFFICE, 40), accuracy=12.5)

    stored = Punch.objects.get()
    assert stored == punch
    assert stored.employee == org.staff.p2p
    assert stored.source == PunchSource.MOBILE
    assert stored.site == office
    assert stored.at == NOW.replace(microsecond=0)
    assert stored.distance_m == pytest.approx(40, abs=0.1)
    assert stored.accuracy_m == 12.5
    assert (stored.lat, stored.lon) == pytest.approx(north_of(OFFICE, 40))
    assert stored.created_by == pegawai
    assert not stored.excluded and not stored.future_flag and not stored.selfie


def test_check_out_is_just_another_punch(pegawai):
    check_in(pegawai, north_of(OFFICE, 10))
    check_in(pegawai, north_of(OFFICE, 20), now=NOW + dt.timedelta(hours=8, minutes=45))
    assert Punch.objects.filter(source=PunchSource.MOBILE).count() == 2


def test_the_same_second_twice_is_one_punch(pegawai):
    first = check_in(pegawai, north_of(OFFICE, 10))
    again = check_in(pegawai, north_of(OFFICE, 10), now=NOW.replace(microsecond=900_000))
    assert first == again
    assert Punch.objects.count() == 1


def test_outside_the_fence_is_refused_with_the_distance(pegawai):
    with pytest.raises(ValidationError) as excinfo:
        check_in(pegawai, north_of(OFFICE, 1234.2))

    assert excinfo.value.code == "outside_fence"
    assert refusal(excinfo) == "Anda berada 1.234 m dari Kantor Dinas Kesehatan (radius 100 m)."
    assert excinfo.value.params["distance_m"] == 1234
    assert not Punch.objects.exists()


def test_just_outside_the_radius_is_refused(pegawai):
    with pytest.raises(ValidationError, match="101 m"):
        check_in(pegawai, north_of(OFFICE, 101))
    assert not Punch.objects.exists()


def test_the_nearest_of_several_sites_counts(pegawai, org):
    annex = Site.objects.create(city=org.city, unit=org.dinkes, name="Gudang Farmasi", lat=-3.3300, lon=114.6000,
                                radius_m=150)
    punch = check_in(pegawai, (annex.lat, annex.lon + 0.0005))
    assert punch.site == annex
    with pytest.raises(ValidationError, match="dari Gudang Farmasi"):
        check_in(pegawai, north_of((annex.lat, annex.lon), -400))


@pytest.mark.parametrize("accuracy, limit", [(250, "100"), (100.6, "100")])
def test_too_low_accuracy_is_refused(pegawai, accuracy, limit):
    with pytest.raises(ValidationError) as excinfo:
        check_in(pegawai, OFFICE, accuracy=accuracy)
    assert excinfo.value.code == "low_accuracy"
    assert refusal(excinfo).startswith(f"Akurasi lokasi {round(accuracy)} m terlalu rendah (batas {limit} m).")
    assert not Punch.objects.exists()


def test_accuracy_limit_is_a_setting(pegawai, settings):
    settings.ATTENDANCE_MAX_ACCURACY_M = 1500
    with pytest.raises(ValidationError, match=r"^\['Akurasi lokasi 2.500 m terlalu rendah \(batas 1.500 m\)"):
        check_in(pegawai, OFFICE, accuracy=2500)
    assert check_in(pegawai, OFFICE, accuracy=1200).accuracy_m == 1200


def test_missing_accuracy_is_refused(pegawai):
    with pytest.raises(ValidationError, match="Akurasi lokasi tidak terbaca"):
        check_in(pegawai, OFFICE, accuracy=None)
    assert not Punch.objects.exists()


@pytest.mark.parametrize("lat, lon", [(None, None), (None, OFFICE[1]), (OFFICE[0], None), (math.nan, 114.6),
                                      (91.0, 114.6), (-3.3, 181.0)])
def test_no_location_is_refused(pegawai, lat, lon):
    with pytest.raises(ValidationError) as excinfo:
        checkin_record(user=pegawai, lat=lat, lon=lon, accuracy_m=10, now=NOW)
    assert excinfo.value.code == "no_location"
    assert refusal(excinfo) == "Lokasi tidak terbaca. Izinkan akses lokasi di peramban Anda lalu coba lagi."
    assert not Punch.objects.exists()


def approved_field_duty(employee, date, status=RequestStatus.APPROVED, kind=LeaveKind.FIELD_DUTY):
    return LeaveRequest.objects.create(employee=employee, kind=kind, start_date=date, end_date=date,
                                       reason="Rapat koordinasi di Banjarbaru", status=status)


def test_outside_with_approved_field_duty_is_accepted(pegawai, org, office):
    approved_field_duty(org.staff.p2p, NOW.date())
    far = north_of(OFFICE, 2000)

    punch = check_in(pegawai, far)

    assert punch.site == office
    assert punch.distance_m == pytest.approx(2000, abs=0.1)
    assert punch.note == "Dinas luar"


@pytest.mark.parametrize("status, kind, day", [
    (RequestStatus.PENDING, LeaveKind.FIELD_DUTY, 0),
    (RequestStatus.REJECTED, LeaveKind.FIELD_DUTY, 0),
    (RequestStatus.APPROVED, LeaveKind.PERMIT, 0),
    (RequestStatus.APPROVED, LeaveKind.FIELD_DUTY, -1),
])
def test_field_duty_must_be_approved_and_for_today(pegawai, org, status, kind, day):
    approved_field_duty(org.staff.p2p, NOW.date() + dt.timedelta(days=day), status=status, kind=kind)
    with pytest.raises(ValidationError, match=r"Anda berada 2\.000 m dari Kantor Dinas Kesehatan"):
        check_in(pegawai, north_of(OFFICE, 2000))
    assert not Punch.objects.exists()


def test_user_without_employee_is_refused(personas, office):
    for user in (personas.walikota, personas.outsider):
        with pytest.raises(ValidationError) as excinfo:
            check_in(user, OFFICE)
        assert excinfo.value.code == "no_employee"
        assert "tidak terhubung ke data pegawai aktif" in refusal(excinfo)
    assert not Punch.objects.exists()


def test_inactive_employee_is_refused(pegawai, org):
    org.staff.p2p.active = False
    org.staff.p2p.save()
    with pytest.raises(ValidationError, match="pegawai aktif"):
        check_in(pegawai, OFFICE)
    assert not Punch.objects.exists()


def test_unit_without_any_site_is_refused(org, personas):
    org.staff.kominfo.user = personas.outsider
    org.staff.kominfo.save()
    with pytest.raises(ValidationError, match="belum memiliki titik lokasi kantor"):
        check_in(personas.outsider, OFFICE)
    assert not Punch.objects.exists()


# --- selfie ------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("content, extension", [(JPEG, "jpg"), (PNG, "png")])
def test_selfie_is_stored_with_the_punch(pegawai, org, media, content, extension):
    punch = check_in(pegawai, OFFICE, selfie=SimpleUploadedFile("IMG_0001.HEIC", content, "image/jpeg"))

    stored = Punch.objects.get(pk=punch.pk)
    assert stored.selfie.name.startswith("selfies/")
    assert stored.selfie.name.endswith(f"/{org.staff.p2p.pk}-20260302-073112.{extension}")  # local time
    assert (media / stored.selfie.name).read_bytes() == content


@pytest.mark.parametrize("content, message", [
    (b"GIF89a" + b"\x00" * 100, "harus berupa gambar JPEG atau PNG"),
    (JPEG + b"\x00" * (2 * 1024 * 1024), "Swafoto 2,0 MB terlalu besar (batas 2 MB)."),
])
def test_bad_selfie_is_refused_and_nothing_stored(pegawai, media, content, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        check_in(pegawai, OFFICE, selfie=SimpleUploadedFile("foto.jpg", content, "image/jpeg"))
    assert not Punch.objects.exists()
    assert not list(media.rglob("*.*"))


def test_selfie_purge_removes_old_files_only(pegawai, media, settings):
    settings.ATTENDANCE_SELFIE_RETENTION_DAYS = 30
    old = check_in(pegawai, OFFICE, selfie=SimpleUploadedFile("a.jpg", JPEG), now=NOW - dt.timedelta(days=31))
    recent = check_in(pegawai, OFFICE, selfie=SimpleUploadedFile("b.jpg", JPEG), now=NOW - dt.timedelta(days=29))
    without = check_in(pegawai, OFFICE, now=NOW - dt.timedelta(days=40))
    old_file, recent_file = media / old.selfie.name, media / recent.selfie.name
    assert old_file.exists() and recent_file.exists()

    assert selfies_purge_expired(now=NOW) == 1

    assert not old_file.exists()
    assert recent_file.exists()
    old.refresh_from_db()
    recent.refresh_from_db()
    without.refresh_from_db()
    assert not old.selfie and recent.selfie.name and not without.selfie
    assert Punch.objects.count() == 3  # the punch itself stays
    assert selfies_purge_expired(now=NOW) == 0
    assert selfies_purge_expired(now=NOW, retention_days=0) == 1
    assert not recent_file.exists()


# --- check-ins queued on a phone without a connection --------------------------------------------------------

UUID = "0b7e7d55-5f0c-4b4c-9a43-6f8a1d1c2b11"


def test_a_queued_check_in_is_stored_at_the_phone_time_and_flagged_as_sent_late(pegawai):
    made = NOW - dt.timedelta(minutes=40)
    punch = check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID, device_at=made)
    assert punch.at == made.replace(microsecond=0)
    assert punch.received_at >= punch.at and punch.sent_late
    assert str(Punch.objects.get().client_uuid) == UUID


def test_a_queued_check_in_sent_again_is_stored_once(pegawai):
    made = NOW - dt.timedelta(minutes=5)
    first = check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID, device_at=made)
    again = check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID, device_at=made, now=NOW + dt.timedelta(hours=1))
    assert again.pk == first.pk and Punch.objects.count() == 1


def test_an_online_attempt_and_its_queued_copy_are_one_punch(pegawai):
    online = check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID)  # stored; its answer was lost
    queued = check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID, device_at=NOW - dt.timedelta(seconds=3),
                      now=NOW + dt.timedelta(minutes=10))
    assert queued.pk == online.pk and not online.sent_late and Punch.objects.count() == 1


def test_a_queued_check_in_arriving_at_once_is_not_late(pegawai):
    assert not check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID, device_at=NOW - dt.timedelta(seconds=20)
                        ).sent_late


@pytest.mark.parametrize(("made", "message"), [
    (NOW + dt.timedelta(minutes=10), "Waktu presensi di masa depan: periksa jam ponsel Anda."),
    (NOW - dt.timedelta(days=4),
     "Presensi luring yang lebih dari 3 hari tidak diterima lagi; ajukan koreksi kehadiran."),
    (NOW.replace(tzinfo=None), "Waktu presensi dari ponsel harus menyertakan zona waktu."),
])
def test_a_queued_check_in_with_a_bad_phone_time_is_refused(pegawai, made, message):
    with pytest.raises(ValidationError) as excinfo:
        check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID, device_at=made)
    assert refusal(excinfo) == message and not Punch.objects.exists()


def test_a_uuid_of_someone_else_is_refused(pegawai, personas, org):
    check_in(pegawai, north_of(OFFICE, 10), client_uuid=UUID)
    other = org.staff.dinkes
    other.user = personas.admin_dinas_kesehatan
    other.save()
    with pytest.raises(ValidationError) as excinfo:
        check_in(personas.admin_dinas_kesehatan, north_of(OFFICE, 10), client_uuid=UUID)
    assert refusal(excinfo) == "Kode presensi (UUID) ini sudah dipakai." and Punch.objects.count() == 1


NEAR_OFFICE = north_of(OFFICE, 10)


def queued_body(made, point=NEAR_OFFICE, uuid=UUID):
    return {"uuid": uuid, "device_at": made.isoformat(), "lat": point[0], "lon": point[1], "accuracy_m": 12}


def test_the_queue_endpoint_stores_once_and_says_so(client_for, pegawai, settings):
    settings.ATTENDANCE_LATE_AFTER_S = 0
    client = client_for("pegawai_dinkes")
    made = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=3)
    first = client.post("/api/attendance/checkins", queued_body(made), content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["sent_late"] is True and first.json()["message"].startswith("Presensi luring")
    again = client.post("/api/attendance/checkins", queued_body(made), content_type="application/json")
    assert again.status_code == 200 and again.json()["uuid"] == UUID
    punch = Punch.objects.get()
    assert (punch.at, punch.source, punch.sent_late) == (made, PunchSource.MOBILE, True)


def test_the_queue_endpoint_refusals_answer_json_with_a_reason(client_for, pegawai, personas):
    made = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    outside = client_for("pegawai_dinkes").post("/api/attendance/checkins",
                                                queued_body(made, north_of(OFFICE, 2000)),
                                                content_type="application/json")
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["msg"].startswith("Anda berada 2.000 m dari Kantor Dinas Kesehatan")
    no_employee = client_for("outsider").post("/api/attendance/checkins", queued_body(made),
                                              content_type="application/json")
    assert no_employee.status_code in (403, 422) and no_employee.json()["detail"]
    anonymous = Client().post("/api/attendance/checkins", queued_body(made), content_type="application/json")
    assert anonymous.status_code == 401 and not Punch.objects.exists()


def test_the_page_post_carries_the_phone_uuid(client_for, pegawai):
    client = client_for("pegawai_dinkes")
    point = north_of(OFFICE, 10)
    response = client.post("/kehadiran/presensi/", {"lat": point[0], "lon": point[1], "accuracy": 10,
                                                    "client_uuid": UUID})
    assert response.status_code == 200
    made = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    resent = client.post("/api/attendance/checkins", queued_body(made), content_type="application/json")
    assert resent.status_code == 200 and Punch.objects.count() == 1
