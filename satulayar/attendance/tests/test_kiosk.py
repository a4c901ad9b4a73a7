"""The attendance kiosk at an office door: who registers and retires it, and the check-ins it records or refuses."""

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.kiosk_punch import KioskThrottled, kiosk_punch_record, masked_name
from satulayar.attendance.kiosks import kiosk_by_token, kiosk_register, kiosk_retire, token_hash
from satulayar.attendance.models import Kiosk, PinMapping, Punch
from satulayar.attendance.schedules import work_schedule_set
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.org.models import Site

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
MONDAY = dt.date(2026, 3, 2)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 500
GIF = b"GIF89a" + b"\x00" * 100


def at(hour: int, minute: int = 0, second: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), WITA)


def selfie(content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile("selfie.jpg", content, content_type="image/jpeg")


@pytest.fixture
def office(org):
    work_schedule_set(actor=None, unit=org.dinkes, name="Jam kerja Dinkes", effective_from=dt.date(2020, 1, 1),
                      days={weekday: (dt.time(7, 30), dt.time(16)) for weekday in range(5)})
    return Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=-3.3186,
                               lon=114.5944, radius_m=100)


@pytest.fixture
def kominfo_office(org):
    return Site.objects.create(city=org.city, unit=org.kominfo, name="Kantor Diskominfotik", lat=-3.32, lon=114.59,
                               radius_m=80)


@pytest.fixture
def kiosk(personas, office):
    return kiosk_register(actor=personas.admin_bkpsdm, site=office, name="Lobi Dinkes")[0]


def punch(kiosk, identity, when, **extra):
    extra.setdefault("selfie", selfie())
    return kiosk_punch_record(kiosk=Kiosk.objects.get(pk=kiosk.pk), identity=identity, now=when, **extra)


def refusal(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- registering and retiring ---------------------------------------------------------------------------------


def test_registered_kiosk_keeps_only_the_hash_of_its_link(personas, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kiosk, token = kiosk_register(actor=personas.admin_bkpsdm, site=office, name="  Lobi   Dinkes ")
    assert kiosk.name == "Lobi Dinkes" and kiosk.city == office.city and kiosk.created_by == personas.admin_bkpsdm
    assert kiosk.token_hash == token_hash(token) and token not in kiosk.token_hash and len(token) >= 32
    assert kiosk_by_token(token) == kiosk
    assert AuditEntry.objects.filter(object_type="attendance.kiosk", object_id=str(kiosk.pk), action="create").exists()
    [event] = Event.objects.filter(kind="terminal.registered")
    assert event.data == {"kiosk": kiosk.pk, "site": office.pk}


def test_only_who_looks_after_the_sites_machines_registers(personas, office):
    for name in ("admin_dinas_kesehatan", "walikota", "inspektur", "pegawai_dinkes", "lurah_kuin_cerucuk",
                 "outsider"):
        with pytest.raises(PermissionDenied, match="Kantor Dinas Kesehatan"):
            kiosk_register(actor=getattr(personas, name), site=office, name="Lobi")
    with pytest.raises(ValidationError, match="Nama anjungan wajib diisi"):
        kiosk_register(actor=personas.admin_bkpsdm, site=office, name="   ")
    assert not Kiosk.objects.exists()


def test_retired_kiosk_opens_nothing(personas, kiosk, django_capture_on_commit_callbacks):
    token = "tidak-pernah-dibuat"
    with pytest.raises(PermissionDenied):
        kiosk_retire(actor=personas.admin_dinas_kesehatan, kiosk=kiosk)
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_retire(actor=personas.admin_bkpsdm, kiosk=kiosk)
    assert Event.objects.filter(kind="terminal.retired").count() == 1
    with pytest.raises(ValidationError, match="sudah dinonaktifkan"):
        kiosk_retire(actor=personas.admin_bkpsdm, kiosk=kiosk)
    with pytest.raises(Http404):
        kiosk_by_token(token)


def test_register_page_shows_the_link_once(client_for, office):
    client = client_for("admin_bkpsdm")
    page = client.get("/kehadiran/mesin/")
    assert page.status_code == 200 and "Anjungan presensi" in page.content.decode()
    answer = client.post("/kehadiran/mesin/anjungan/", {"kiosk-site": office.pk, "kiosk-name": "Lobi Dinkes"},
                         follow=True)
    text = answer.content.decode()
    assert "Anjungan presensi Lobi Dinkes terdaftar" in text
    link = text.split("hanya ditampilkan sekali): ")[1].split("<")[0].strip()
    kiosk = Kiosk.objects.get()
    assert link.startswith("http://testserver/kehadiran/anjungan/")
    assert Client().get(link).status_code == 200
    assert "/kehadiran/anjungan/" not in client.get("/kehadiran/mesin/").content.decode()  # shown once
    assert client.post(f"/kehadiran/mesin/anjungan/{kiosk.pk}/nonaktifkan/").status_code == 302
    assert Client().get(link).status_code == 404


def test_register_and_retire_pages_refuse_others(client_for, office, kominfo_office, kiosk):
    unit_admin = client_for("admin_dinas_kesehatan")
    assert unit_admin.post("/kehadiran/mesin/anjungan/", {"kiosk-site": office.pk, "kiosk-name": "X"}).status_code \
        == 403
    assert unit_admin.post(f"/kehadiran/mesin/anjungan/{kiosk.pk}/nonaktifkan/").status_code == 404
    assert client_for("pegawai_dinkes").post(f"/kehadiran/mesin/anjungan/{kiosk.pk}/nonaktifkan/").status_code == 404
    assert Client().post("/kehadiran/mesin/anjungan/", {"kiosk-site": office.pk}).status_code == 302  # to login
    bad = client_for("admin_bkpsdm").post("/kehadiran/mesin/anjungan/", {"kiosk-site": 999_999, "kiosk-name": "X"},
                                          follow=True)
    assert "Pilih lokasi kantor yang Anda kelola." in bad.content.decode()
    assert Kiosk.objects.count() == 1 and Kiosk.objects.get().active


def test_unknown_token_is_404_on_every_kiosk_path(kiosk):
    client = Client()
    assert client.get("/kehadiran/anjungan/tidak-ada/").status_code == 404
    assert client.post("/kehadiran/anjungan/tidak-ada/presensi/", {"identity": "1"}).status_code == 404


# --- checking in ----------------------------------------------------------------------------------------------


def test_nip_check_in_is_stored_at_the_site_with_the_kiosk(org, kiosk, office, django_capture_on_commit_callbacks):
    employee = org.staff.p2p
    with django_capture_on_commit_callbacks(execute=True):
        outcome = punch(kiosk, employee.nip, at(7, 43, 20))
    stored = Punch.objects.get()
    assert outcome.punch == stored and outcome.arrival and outcome.late_minutes == 14
    assert (stored.employee, stored.source, stored.kiosk, stored.site) == (employee, PunchSource.KIOSK, kiosk, office)
    assert (stored.lat, stored.lon, stored.distance_m) == (office.lat, office.lon, 0)
    assert stored.at == at(7, 43, 20) and stored.selfie.name.endswith(".jpg") and not stored.sent_late
    assert AuditEntry.objects.filter(object_type="attendance.punch", object_id=str(stored.pk)).exists()
    assert Event.objects.filter(kind="punch.recorded").count() == 1
    assert Kiosk.objects.get().last_seen_at == at(7, 43, 20)

    leaving = punch(kiosk, employee.nip, at(16, 5), client_uuid=uuid.uuid4())
    assert not leaving.arrival and leaving.early_minutes == 0 and Punch.objects.count() == 2


def test_pin_of_the_site_comes_before_the_citys(org, kiosk, office, kominfo_office):
    PinMapping.objects.create(city=org.city, pin="1107", employee=org.staff.kominfo)  # the city's PIN 1107
    PinMapping.objects.create(city=org.city, site=office, pin="1107", employee=org.staff.p2p)  # this site's
    PinMapping.objects.create(city=org.city, site=kominfo_office, pin="2001", employee=org.staff.dinkes)
    PinMapping.objects.create(city=org.city, pin="3003", employee=org.staff.pemerintahan)
    assert punch(kiosk, "1107", at(7, 20)).employee == org.staff.p2p
    assert punch(kiosk, "3003", at(7, 21)).employee == org.staff.pemerintahan
    with pytest.raises(ValidationError, match="NIP/PIN 2001 tidak dikenal"):  # another site's PIN
        punch(kiosk, "2001", at(7, 22))


def test_unknown_or_inactive_employee_is_refused(org, kiosk):
    with pytest.raises(ValidationError) as excinfo:
        punch(kiosk, "199001012020011999", at(7, 20))
    assert refusal(excinfo) == ("NIP/PIN 199001012020011999 tidak dikenal atau pegawai tidak aktif. Periksa "
                                "angkanya lalu coba lagi.")
    org.staff.p2p.active = False
    org.staff.p2p.save()
    with pytest.raises(ValidationError, match="tidak dikenal"):
        punch(kiosk, org.staff.p2p.nip, at(7, 20, 30))
    with pytest.raises(ValidationError, match=r"Masukkan NIP atau PIN Anda\."):
        punch(kiosk, "  ", at(7, 20, 40))
    assert not Punch.objects.exists() and Kiosk.objects.get().unknown_count == 2


def test_outside_the_working_window_is_refused_naming_it(org, kiosk):
    nip = org.staff.p2p.nip
    with pytest.raises(ValidationError) as excinfo:
        punch(kiosk, nip, at(5, 29))
    assert refusal(excinfo) == "Di luar jam presensi (05.30–20.00)."
    with pytest.raises(ValidationError, match=r"\(05\.30–20\.00\)"):
        punch(kiosk, nip, at(20, 1))
    with pytest.raises(ValidationError, match="bukan hari kerja Anda"):
        punch(kiosk, nip, at(9, 0, day=dt.date(2026, 3, 7)))  # a Saturday
    assert punch(kiosk, nip, at(5, 30)).punch.at == at(5, 30)
    assert not Punch.objects.exclude(at=at(5, 30)).exists()


def test_selfie_is_required_and_checked(org, kiosk):
    with pytest.raises(ValidationError, match="Swafoto wajib"):
        punch(kiosk, org.staff.p2p.nip, at(7, 20), selfie=None)
    with pytest.raises(ValidationError, match="JPEG atau PNG"):
        punch(kiosk, org.staff.p2p.nip, at(7, 20), selfie=selfie(GIF))
    assert not Punch.objects.exists()


def test_repeat_within_the_window_is_answered_already_recorded(org, kiosk):
    first = punch(kiosk, org.staff.p2p.nip, at(7, 20))
    again = punch(kiosk, org.staff.p2p.nip, at(7, 21))
    assert again.already_recorded and again.punch == first.punch and again.arrival
    assert Punch.objects.count() == 1


def test_early_leave_asks_for_confirmation_with_the_minutes(org, kiosk):
    nip = org.staff.p2p.nip
    punch(kiosk, nip, at(7, 20))
    with pytest.raises(ValidationError) as excinfo:
        punch(kiosk, nip, at(15, 35))
    assert excinfo.value.code == "early_leave"
    assert "25 menit lebih awal" in refusal(excinfo) and "16.00" in refusal(excinfo)
    leaving = punch(kiosk, nip, at(15, 35), confirm_early=True)
    assert not leaving.arrival and leaving.early_minutes == 25 and Punch.objects.count() == 2


def test_resend_with_the_same_uuid_is_stored_once_and_flagged_late(org, kiosk):
    made = uuid.uuid4()
    first = punch(kiosk, org.staff.p2p.nip, at(7, 50), client_uuid=made, device_at=at(7, 25))
    again = punch(kiosk, org.staff.p2p.nip, at(7, 52), client_uuid=made, device_at=at(7, 25))
    assert first.punch == again.punch and Punch.objects.count() == 1
    stored = Punch.objects.get()
    assert stored.at == at(7, 25) and stored.sent_late and stored.client_uuid == made and stored.kiosk == kiosk
    with pytest.raises(ValidationError, match="sudah dipakai"):
        punch(kiosk, org.staff.kominfo.nip, at(7, 53), client_uuid=made)


def test_unknown_guesses_are_throttled_per_kiosk(org, kiosk):
    for n in range(10):
        with pytest.raises(ValidationError, match="tidak dikenal"):
            punch(kiosk, f"99{n}", at(7, 20) + dt.timedelta(seconds=n))
    with pytest.raises(KioskThrottled) as excinfo:
        punch(kiosk, org.staff.p2p.nip, at(7, 20) + dt.timedelta(seconds=30))
    assert refusal(excinfo) == ("Terlalu banyak NIP/PIN yang tidak dikenal di anjungan ini. Tunggu 30 detik lalu "
                                "coba lagi.")
    assert not Punch.objects.exists()
    assert punch(kiosk, org.staff.p2p.nip, at(7, 21) + dt.timedelta(seconds=1)).arrival  # a minute on


def test_masked_name_keeps_titles_and_first_name():
    assert masked_name("dr. Siti Rahmah") == "dr. Siti R."
    assert masked_name("Rahmadi, S.K.M.") == "Rahmadi"
    assert masked_name("Muhammad Iqbal, S.Kom.") == "Muhammad I."
    assert masked_name("Noor Aisyah Binti Ahmad") == "Noor A. B. A."


# --- the kiosk's page and its answers ---------------------------------------------------------------------------


@pytest.fixture
def always_open(org, office):
    """Open every hour of every day, so the page can be used whenever the test runs."""
    work_schedule_set(actor=None, unit=org.dinkes, name="Pelayanan", effective_from=dt.date(2020, 1, 1),
                      days={weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)})


def test_kiosk_page_opens_without_login_and_answers_json(org, personas, office, always_open):
    _kiosk, token = kiosk_register(actor=personas.admin_bkpsdm, site=office, name="Lobi Dinkes")
    client = Client(enforce_csrf_checks=True)  # the link is the credential, no session to forge
    page = client.get(f"/kehadiran/anjungan/{token}/")
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    text = page.content.decode()
    assert "Kantor Dinas Kesehatan" in text and 'for="kiosk-identity"' in text and 'capture="user"' in text
    answer = client.post(f"/kehadiran/anjungan/{token}/presensi/",
                         {"identity": org.staff.p2p.nip, "selfie": selfie(), "client_uuid": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["name"] == "Rahmadi" and body["heading"].startswith("Masuk ") and body["arrival"]
    refused = client.post(f"/kehadiran/anjungan/{token}/presensi/", {"identity": "123", "selfie": selfie()})
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_identity"
    bad_time = client.post(f"/kehadiran/anjungan/{token}/presensi/",
                           {"identity": org.staff.p2p.nip, "selfie": selfie(), "device_at": "2026-03-02 07:30"})
    assert bad_time.status_code == 422 and "zona waktu" in bad_time.json()["detail"]


def test_throttled_kiosk_answers_429_with_retry_after(org, personas, office, always_open):
    _kiosk, token = kiosk_register(actor=personas.admin_bkpsdm, site=office, name="Lobi Dinkes")
    client = Client()
    for n in range(10):
        client.post(f"/kehadiran/anjungan/{token}/presensi/", {"identity": f"9{n}", "selfie": selfie()})
    answer = client.post(f"/kehadiran/anjungan/{token}/presensi/", {"identity": "95", "selfie": selfie()})
    assert answer.status_code == 429 and 1 <= int(answer["Retry-After"]) <= 60
    assert "Terlalu banyak NIP/PIN" in answer.json()["detail"]
