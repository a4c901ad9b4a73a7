"""The correction page: a unit admin adds a missing punch or sets a wrong one aside, with a reason; the punch
stays, the audit log and the page show both; admins outside the unit get a 404, other roles a 403."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from satulayar.attendance.choices import DayStatus, PunchSource
from satulayar.attendance.models import DailyStatus, Punch
from satulayar.attendance.status import daily_status_refresh
from satulayar.audit.models import AuditEntry
from satulayar.core.time import local_date, zone_named

WITA = zone_named("Asia/Makassar")
TUESDAY = dt.date(2018, 1, 9)


def wita(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2018, 1, 9, hour, minute, tzinfo=WITA)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def arrival(org):
    """Rahmadi punched in at 07.25 on Tuesday 9 January 2018 and forgot to punch out."""
    punch = Punch.objects.create(employee=org.staff.p2p, at=wita(7, 25), source=PunchSource.DEVICE)
    daily_status_refresh(pairs={(org.staff.p2p.pk, TUESDAY)}, now=dt.datetime(2018, 2, 1, tzinfo=dt.UTC))
    return punch


def page_url(employee, date=TUESDAY) -> str:
    return f"/kehadiran/koreksi/{employee.pk}/?tanggal={date:%Y-%m-%d}"


def test_the_page_shows_the_punches_and_the_status(client_for, org, arrival):
    response = client_for("admin_dinas_kesehatan").get(page_url(org.staff.p2p))
    assert response.status_code == 200
    page = text(response)
    assert "Koreksi kehadiran Rahmadi, S.K.M." in page
    assert "Rekam kehadiran Selasa, 9 Januari 2018" in page
    assert page.count('data-testid="correction-punch"') == 1 and "07.25" in page and "Mesin sidik jari" in page
    assert "tidak absen pulang" in page  # the status: an arrival only
    assert "Belum ada koreksi pada hari ini." in page


def test_adding_a_missing_departure_writes_a_punch_and_an_audit_entry(client_for, org, arrival, personas):
    client = client_for("admin_dinas_kesehatan")
    response = client.post(page_url(org.staff.p2p), {
        "aksi": "tambah", "tambah-time": "16:05", "tambah-reason": "Mesin mati saat jam pulang (laporan teknisi)"})
    assert response.status_code == 302 and response["Location"] == page_url(org.staff.p2p)

    added = Punch.objects.get(source=PunchSource.CORRECTION)
    assert (added.employee, added.at, added.created_by, added.excluded) == (
        org.staff.p2p, wita(16, 5), personas.admin_dinas_kesehatan, False)
    assert Punch.objects.get(pk=arrival.pk).excluded is False  # the original stays
    row = DailyStatus.objects.get(employee=org.staff.p2p, date=TUESDAY)
    assert (row.status, row.last_out, row.missing_out) == (DayStatus.PRESENT, wita(16, 5), False)
    entry = AuditEntry.objects.get(action="correct")
    assert (entry.object_type, entry.object_id, entry.actor, entry.note) == (
        "attendance.punch", str(added.pk), personas.admin_dinas_kesehatan,
        "Mesin mati saat jam pulang (laporan teknisi)")

    page = text(client.get(page_url(org.staff.p2p)))
    assert "tersimpan dan tercatat di log audit" in page
    assert page.count('data-testid="correction-punch"') == 2 and "Koreksi admin" in page
    assert page.count('data-testid="correction-entry"') == 1 and "Tambah rekam" in page
    assert 'data-testid="status-last-out">16.05<' in page


def test_excluding_a_punch_strikes_it_through_with_its_reason(client_for, org, arrival):
    client = client_for("admin_bkpsdm")
    stray = Punch.objects.create(employee=org.staff.p2p, at=wita(6, 2), source=PunchSource.DEVICE)
    response = client.post(page_url(org.staff.p2p), {
        "aksi": "kecualikan", "kecualikan-punch": stray.pk, "kecualikan-reason": "Uji coba mesin oleh teknisi"})
    assert response.status_code == 302
    stray.refresh_from_db()
    assert stray.excluded
    assert Punch.objects.filter(employee=org.staff.p2p).count() == 2
    entry = AuditEntry.objects.get(action="correct", object_id=str(stray.pk))
    assert (entry.before["excluded"], entry.after["excluded"], entry.note) == (
        False, True, "Uji coba mesin oleh teknisi")
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=TUESDAY).first_in == wita(7, 25)

    page = text(client.get(page_url(org.staff.p2p)))
    assert "<del>06.02</del>" in page
    assert 'data-testid="excluded-reason">Uji coba mesin oleh teknisi<' in page
    assert "Kecualikan rekam" in page
    assert f'<option value="{stray.pk}"' not in page  # cannot be excluded twice


@pytest.mark.parametrize("data, message", [
    ({"aksi": "tambah", "tambah-time": "16:05", "tambah-reason": " "}, "Alasan koreksi wajib diisi."),
    ({"aksi": "tambah", "tambah-time": "", "tambah-reason": "Lupa"}, "Jam wajib diisi."),
    ({"aksi": "tambah", "tambah-time": "25:99", "tambah-reason": "Lupa"}, "Jam tidak valid."),
    ({"aksi": "tambah", "tambah-time": "07:25", "tambah-reason": "Dobel"}, "Sudah ada rekam kehadiran pada waktu itu."),
    ({"aksi": "kecualikan", "kecualikan-punch": "", "kecualikan-reason": "Salah"},
     "Pilih rekam kehadiran yang akan dikecualikan."),
])
def test_a_bad_correction_is_shown_and_saves_nothing(client_for, org, arrival, data, message):
    response = client_for("admin_dinas_kesehatan").post(page_url(org.staff.p2p), data)
    assert response.status_code == 422
    assert message in text(response) and "is-invalid" in text(response)
    assert Punch.objects.count() == 1 and not Punch.objects.filter(excluded=True).exists()
    assert not AuditEntry.objects.filter(action="correct").exists()


def test_another_employees_punch_cannot_be_excluded(client_for, org, arrival):
    other = Punch.objects.create(employee=org.staff.dinkes, at=wita(7, 10), source=PunchSource.DEVICE)
    response = client_for("admin_dinas_kesehatan").post(page_url(org.staff.p2p), {
        "aksi": "kecualikan", "kecualikan-punch": other.pk, "kecualikan-reason": "Salah orang"})
    assert response.status_code == 422
    assert "Pilih rekam kehadiran yang akan dikecualikan." in text(response)
    other.refresh_from_db()
    assert not other.excluded


def test_an_admin_outside_the_unit_gets_404_and_changes_nothing(client_for, org):
    punch = Punch.objects.create(employee=org.staff.kominfo, at=wita(7, 40), source=PunchSource.DEVICE)
    client = client_for("admin_dinas_kesehatan")
    assert client.get(page_url(org.staff.kominfo)).status_code == 404
    assert client.post(page_url(org.staff.kominfo), {
        "aksi": "kecualikan", "kecualikan-punch": punch.pk, "kecualikan-reason": "Coba"}).status_code == 404
    assert client.post(page_url(org.staff.kominfo), {
        "aksi": "tambah", "tambah-time": "16:00", "tambah-reason": "Coba"}).status_code == 404
    assert client.get("/kehadiran/koreksi/999999/").status_code == 404
    punch.refresh_from_db()
    assert not punch.excluded and Punch.objects.count() == 1
    assert not AuditEntry.objects.filter(action="correct").exists()


@pytest.mark.parametrize("persona", ["walikota", "inspektur", "lurah_kuin_cerucuk", "pegawai_dinkes", "outsider"])
def test_roles_that_do_not_manage_employees_get_403(client_for, org, arrival, persona):
    client = client_for(persona)
    assert client.get(page_url(org.staff.p2p)).status_code == 403
    assert client.post(page_url(org.staff.p2p), {
        "aksi": "tambah", "tambah-time": "16:05", "tambah-reason": "Coba"}).status_code == 403
    assert Punch.objects.count() == 1


def test_anonymous_goes_to_login(org, arrival):
    response = Client().get(page_url(org.staff.p2p))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/?next=")


def test_a_future_date_shows_today(client_for, org):
    response = client_for("admin_dinas_kesehatan").get(page_url(org.staff.p2p, dt.date(2999, 1, 1)))
    assert response.status_code == 200
    assert f'name="tanggal" value="{local_date(org.city):%Y-%m-%d}"' in text(response)


def test_who_is_not_in_yet_links_to_the_correction_for_managers(client_for, org, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA))  # a Monday
    link = f'href="/kehadiran/koreksi/{org.staff.p2p.pk}/?tanggal=2026-03-02"'
    assert link in text(client_for("admin_dinas_kesehatan").get(f"/kehadiran/?unit={org.p2p.pk}"))
    assert link not in text(client_for("walikota").get(f"/kehadiran/?unit={org.p2p.pk}"))


@pytest.mark.usefixtures("mid_morning")  # twenty minutes ahead stays on today
def test_a_punch_flagged_from_the_future_is_accepted_from_the_page(client_for, org, personas):
    """A machine's clock ahead flags its punch; the unit admin who knows the clock was right accepts it early."""
    employee = org.staff.p2p
    today = local_date(org.city)
    flagged = Punch.objects.create(employee=employee, at=timezone.now() + dt.timedelta(minutes=20),
                                   source=PunchSource.DEVICE, future_flag=True)
    client = client_for("admin_dinas_kesehatan")
    url = page_url(employee, today)
    page = text(client.get(url))
    assert 'data-testid="correction-accept"' in page and "Terima rekam bertanda masa depan" in page
    refused = client.post(url, {"aksi": "terima", "terima-punch": flagged.pk, "terima-reason": " "})
    assert refused.status_code == 422 and "Alasan koreksi wajib diisi." in text(refused)
    flagged.refresh_from_db()
    assert flagged.future_flag
    accepted = client.post(url, {"aksi": "terima", "terima-punch": flagged.pk, "terima-reason": "Jam mesin benar"})
    assert accepted.status_code == 302
    flagged.refresh_from_db()
    assert not flagged.future_flag
    entry = AuditEntry.objects.get(note="Jam mesin benar")
    assert (entry.actor, entry.object_id, entry.before["future_flag"], entry.after["future_flag"]) == (
        personas.admin_dinas_kesehatan, str(flagged.pk), True, False)
    after = text(client.get(url))
    assert 'data-testid="correction-accept"' not in after and "Terima rekam" in after  # in the history
    assert client_for("lurah_kuin_cerucuk").post(url, {"aksi": "terima", "terima-punch": flagged.pk,
                                                       "terima-reason": "x"}).status_code in (403, 404)
