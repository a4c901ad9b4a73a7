"""The attendance pages: who may open each one, what each persona sees, and the check-in answers."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from satulayar.attendance.choices import DayStatus, PunchSource
from satulayar.attendance.models import DailyStatus, Punch
from satulayar.org.models import Site

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
OFFICE = (-3.318_600, 114.594_400)
PAGES = ["/kehadiran/", "/kehadiran/presensi/", "/kehadiran/saya/"]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def office(org):
    return Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=OFFICE[0],
                               lon=OFFICE[1], radius_m=100)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- who may open what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_the_login_page(org, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/masuk/?next={path}"


def test_anonymous_post_stores_nothing(org, office):
    response = Client().post("/kehadiran/presensi/", {"lat": OFFICE[0], "lon": OFFICE[1], "accuracy": 10})
    assert response.status_code == 302
    assert not Punch.objects.exists()


@pytest.mark.parametrize("persona, path, status", [
    ("walikota", "/kehadiran/", 200),
    ("inspektur", "/kehadiran/", 200),
    ("admin_bkpsdm", "/kehadiran/", 200),
    ("admin_dinas_kesehatan", "/kehadiran/", 200),
    ("lurah_kuin_cerucuk", "/kehadiran/", 200),
    ("pegawai_dinkes", "/kehadiran/", 403),
    ("outsider", "/kehadiran/", 403),
    ("pegawai_dinkes", "/kehadiran/presensi/", 200),
    ("walikota", "/kehadiran/presensi/", 403),
    ("admin_dinas_kesehatan", "/kehadiran/presensi/", 403),
    ("outsider", "/kehadiran/presensi/", 403),
    ("pegawai_dinkes", "/kehadiran/saya/", 200),
    ("walikota", "/kehadiran/saya/", 403),
    ("outsider", "/kehadiran/saya/", 403),
])
def test_each_page_opens_for_the_right_personas(client_for, office, persona, path, status):
    assert client_for(persona).get(path).status_code == status


def test_refused_check_in_post_stores_nothing(client_for, office):
    response = client_for("walikota").post("/kehadiran/presensi/", {"lat": OFFICE[0], "lon": OFFICE[1],
                                                                    "accuracy": 10})
    assert response.status_code == 403
    assert not Punch.objects.exists()


# --- check-in page -----------------------------------------------------------------------------------------------


def test_check_in_page_shows_the_fence_and_the_button(client_for, office):
    page = text(client_for("pegawai_dinkes").get("/kehadiran/presensi/"))
    assert "Absen masuk" in page
    assert "Kantor Dinas Kesehatan · radius 100 m" in page
    assert "Belum ada rekam kehadiran hari ini." in page
    assert "<noscript>" in page and "membutuhkan JavaScript" in page
    assert 'capture="user"' in page and 'accept="image/jpeg,image/png"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "attendance/checkin.js" in page


def test_check_in_inside_answers_with_the_time_and_site(client_for, office, org):
    client = client_for("pegawai_dinkes")
    response = client.post("/kehadiran/presensi/", {"lat": OFFICE[0] + 0.0002, "lon": OFFICE[1], "accuracy": "14.5"},
                           **HTMX)

    assert response.status_code == 200
    page = text(response)
    assert 'id="checkin-panel"' in page and "<html" not in page  # the partial for htmx
    assert re.search(r"Tercatat \d\d\.\d\d WITA di Kantor Dinas Kesehatan\.", page)
    punch = Punch.objects.get()
    assert (punch.employee, punch.source, punch.site, punch.accuracy_m) == (org.staff.p2p, PunchSource.MOBILE,
                                                                            office, 14.5)
    assert punch.distance_m == pytest.approx(22.2, abs=0.1)
    assert "Absen pulang" in page  # the next press is the check-out
    assert f"{timezone.localtime(punch.at):%H.%M}" in page

    again = text(client.get("/kehadiran/presensi/"))
    assert "Absen pulang" in again and "Absen masuk" not in again


def test_check_in_outside_is_refused_with_the_distance(client_for, office):
    response = client_for("pegawai_dinkes").post("/kehadiran/presensi/", {"lat": OFFICE[0] + 0.02,
                                                                          "lon": OFFICE[1], "accuracy": 10})
    assert response.status_code == 422
    page = text(response)
    assert "Presensi ditolak" in page
    assert "Anda berada 2.224 m dari Kantor Dinas Kesehatan (radius 100 m)." in page
    assert "Absen masuk" in page
    assert not Punch.objects.exists()


def test_check_in_refusal_reaches_htmx_as_a_partial(client_for, office):
    response = client_for("pegawai_dinkes").post("/kehadiran/presensi/", {"lat": "", "lon": "", "accuracy": ""},
                                                 **HTMX)
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "Lokasi tidak terbaca. Izinkan akses lokasi di peramban Anda lalu coba lagi." in text(response)
    assert not Punch.objects.exists()


def test_check_in_with_garbage_fields_is_refused(client_for, office):
    response = client_for("pegawai_dinkes").post("/kehadiran/presensi/", {"lat": "abc", "lon": "1", "accuracy": 5})
    assert response.status_code == 422
    assert "Data presensi tidak lengkap" in text(response)
    assert not Punch.objects.exists()


def test_check_in_with_a_selfie_stores_it(client_for, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
    response = client_for("pegawai_dinkes").post("/kehadiran/presensi/", {
        "lat": OFFICE[0], "lon": OFFICE[1], "accuracy": 8, "selfie": SimpleUploadedFile("me.jpg", jpeg, "image/jpeg"),
    }, **HTMX)
    assert "Tercatat" in text(response)
    assert (tmp_path / Punch.objects.get().selfie.name).read_bytes() == jpeg


def test_check_in_with_a_bad_selfie_is_refused(client_for, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for("pegawai_dinkes").post("/kehadiran/presensi/", {
        "lat": OFFICE[0], "lon": OFFICE[1], "accuracy": 8,
        "selfie": SimpleUploadedFile("me.gif", b"GIF89a" + b"\x00" * 50, "image/gif"),
    })
    assert response.status_code == 422
    assert "Swafoto harus berupa gambar JPEG atau PNG." in text(response)
    assert not Punch.objects.exists()


def test_check_in_page_without_a_site_says_so(client_for, org):
    page = text(client_for("pegawai_dinkes").get("/kehadiran/presensi/"))
    assert "Unit kerja Anda belum memiliki titik lokasi kantor" in page


# --- today by unit -----------------------------------------------------------------------------------------------


def unit_names(response) -> list[str]:
    return re.findall(r'<span class="tree-name[^"]*">([^<]+)</span>', response.content.decode())


def test_today_lists_every_unit_for_the_mayor(client_for, org):
    names = unit_names(client_for("walikota").get("/kehadiran/"))
    for unit in (org.dinkes, org.p2p, org.kominfo, org.pemerintahan, org.kel_office):
        assert unit.name in names


def test_today_of_the_dinkes_admin_lists_no_other_unit(client_for, org):
    response = client_for("admin_dinas_kesehatan").get("/kehadiran/")
    assert response.status_code == 200
    assert unit_names(response) == [org.dinkes.name, org.p2p.name]
    page = response.content.decode()
    for other in (org.kominfo, org.pemerintahan, org.kel_office, org.setda, org.kecamatan):
        assert other.name not in page


def test_today_counts_and_drill_down(client_for, org, monkeypatch):
    monday_nine = dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA)
    monkeypatch.setattr(timezone, "now", lambda: monday_nine)
    Punch.objects.create(employee=org.staff.dinkes, at=dt.datetime(2026, 3, 2, 7, 42, tzinfo=WITA),
                         source=PunchSource.DEVICE)
    client = client_for("admin_dinas_kesehatan")

    page = text(client.get("/kehadiran/"))
    assert "Senin, 2 Maret 2026" in page
    assert 'data-testid="total-scheduled">2<' in page
    assert 'data-testid="total-present">1<' in page
    assert 'data-testid="total-late">1<' in page  # 12 minutes after 07.30
    assert 'data-testid="total-not-in">1<' in page  # Rahmadi in P2P
    assert 'data-testid="total-rate">50,0%<' in page

    p2p = text(client.get(f"/kehadiran/?unit={org.p2p.pk}", **HTMX))
    assert "Rahmadi, S.K.M." in p2p and "Belum hadir" in p2p and "<html" not in p2p
    dinkes = text(client.get(f"/kehadiran/?unit={org.dinkes.pk}"))
    assert "dr. Siti Rahmah" not in dinkes and "sudah hadir atau berhalangan" in dinkes


def test_today_drill_down_outside_scope_is_404(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    assert client.get(f"/kehadiran/?unit={org.kominfo.pk}").status_code == 404
    assert client.get("/kehadiran/?unit=x").status_code == 404
    assert client_for("lurah_kuin_cerucuk").get(f"/kehadiran/?unit={org.dinkes.pk}").status_code == 404


# --- my month ------------------------------------------------------------------------------------------------------


def test_my_month_shows_each_day(client_for, org):
    zone = WITA
    DailyStatus.objects.create(employee=org.staff.p2p, date=dt.date(2026, 1, 5), status=DayStatus.PRESENT,
                               first_in=dt.datetime(2026, 1, 5, 7, 48, tzinfo=zone),
                               last_out=dt.datetime(2026, 1, 5, 16, 2, tzinfo=zone), late_minutes=18)
    DailyStatus.objects.create(employee=org.staff.p2p, date=dt.date(2026, 1, 6), status=DayStatus.ABSENT)
    DailyStatus.objects.create(employee=org.staff.dinkes, date=dt.date(2026, 1, 7), status=DayStatus.SICK)

    response = client_for("pegawai_dinkes").get("/kehadiran/saya/?bulan=2026-01")

    page = text(response)
    assert "Kehadiran saya, Januari 2026" in page
    assert page.count('data-testid="mine-day"') == 31
    assert "07.48" in page and "16.02" in page and "18 mnt" in page
    assert "Tanpa keterangan (TK)" in page
    assert "Sakit" not in page  # someone else's day
    assert "Total terlambat 18 menit" in page


def test_my_month_without_data_and_with_a_bad_month(client_for, org):
    client = client_for("pegawai_dinkes")
    assert "Belum ada data kehadiran untuk bulan ini." in text(client.get("/kehadiran/saya/?bulan=2025-02"))
    response = client.get("/kehadiran/saya/?bulan=2026-13")
    assert response.status_code == 200
    assert f"{timezone.localdate():%Y-%m}" in text(response)  # falls back to this month


def _scheduled_and_rate(html: str, scheduled_id: str, rate_id: str) -> tuple[str, str]:
    scheduled = re.search(rf'data-testid="{scheduled_id}">([^<]*)<', html).group(1).strip()
    rate = re.search(rf'data-testid="{rate_id}">([^<]*)<', html).group(1).strip()
    return scheduled, rate


def test_scheduled_today_is_the_same_number_on_the_attendance_page_and_the_overview(client_for, org, monkeypatch):
    """One definition of "scheduled today" (rollups.SCHEDULED), read the same way by /kehadiran/ and the overview:
    a mayor comparing the two pages sees one number and one rate."""
    monday_nine = dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA)
    monkeypatch.setattr(timezone, "now", lambda: monday_nine)
    Punch.objects.create(employee=org.staff.dinkes, at=dt.datetime(2026, 3, 2, 7, 42, tzinfo=WITA),
                         source=PunchSource.DEVICE)
    client = client_for("walikota")
    today = client.get("/kehadiran/").content.decode()
    scheduled, rate = _scheduled_and_rate(today, "total-scheduled", "total-rate")
    panel = client.get("/satu-layar/panel/attendance/").content.decode()
    present = re.search(r'data-testid="attendance-present">([^<]*)<', panel).group(1).split()
    overview_rate = re.search(r'data-testid="attendance-rate">([^<]*)<', panel).group(1).strip()
    assert int(scheduled) > 0
    assert present[-1] == scheduled  # "1 dari 6"
    assert overview_rate == rate


def test_a_parent_row_sums_its_subtree(client_for, org, monkeypatch):
    monday_nine = dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA)
    monkeypatch.setattr(timezone, "now", lambda: monday_nine)
    page = client_for("admin_dinas_kesehatan").get("/kehadiran/").content.decode()
    rows = re.findall(r'<tr data-testid="today-row" data-id="(\d+)"[^>]*>.*?data-testid="row-scheduled">([^<]*)<',
                      page, re.S)
    scheduled = {int(pk): int(n) for pk, n in rows}
    assert scheduled[org.dinkes.pk] == 2  # its own staff member and P2P's
    assert scheduled[org.p2p.pk] == 1
    assert "staf unit sendiri: 1 terjadwal" in page
    assert f'data-id="{org.p2p.pk}" data-parent="{org.dinkes.pk}"' in page


def test_my_month_lists_no_days_still_to_come_and_the_home_page_has_a_checkin_button(client_for, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 10, 9, 0, tzinfo=WITA))
    client = client_for("pegawai_dinkes")
    page = client.get("/kehadiran/saya/").content.decode()
    assert page.count('data-testid="mine-day"') in (0, 10)  # 1 to 10 March, not the 21 days after
    home = client.get("/").content.decode()
    assert 'data-testid="home-checkin"' in home and 'href="/kehadiran/presensi/"' in home
    assert 'data-testid="home-checkin"' not in client_for("walikota").get("/").content.decode()
