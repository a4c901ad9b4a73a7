"""The JSON API for other systems: batch punches (scoped, idempotent, item by item) and device health."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from satulayar.attendance import devices
from satulayar.attendance.choices import DeviceStatus, PunchSource
from satulayar.attendance.models import Device, Punch
from satulayar.audit.models import AuditEntry
from satulayar.org.models import Site

URL = "/api/attendance/punches"


def send(client, punches):
    return client.post(URL, {"punches": punches}, content_type="application/json")


def test_batch_keeps_good_items_and_reports_bad_ones_by_index(org, client_for):
    dinkes, p2p = org.staff.dinkes.nip, org.staff.p2p.nip
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    punches = [
        {"nip": dinkes, "at": "2026-11-02T07:31:00+08:00", "source_ref": "simpeg-1"},
        {"nip": p2p, "at": "2026-11-01T23:45:00Z"},
        {"nip": dinkes, "at": "2026-11-02 07:31:00"},
        {"nip": dinkes, "at": "kemarin pagi"},
        {"nip": "", "at": "2026-11-02T07:31:00+08:00"},
        {"nip": "199001012020011999", "at": "2026-11-02T07:31:00+08:00"},
        {"nip": dinkes, "at": "2026-11-01T23:31:00+00:00"},
        {"nip": p2p, "at": future},
    ]
    response = send(client_for("admin_bkpsdm"), punches)
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 1, "flagged": 1, "rejected": [
        {"index": 2, "nip": dinkes, "reason": "Waktu 2026-11-02 07:31:00 tanpa zona waktu; sertakan offset seperti "
                                              "+08:00."},
        {"index": 3, "nip": dinkes, "reason": "Waktu kemarin pagi tidak dapat dibaca; gunakan ISO 8601 dengan zona "
                                              "waktu, mis. 2026-01-02T07:31:00+08:00."},
        {"index": 4, "nip": "", "reason": "NIP wajib diisi."},
        {"index": 5, "nip": "199001012020011999",
         "reason": "Pegawai dengan NIP 199001012020011999 tidak ditemukan atau di luar wewenang Anda."},
    ]}
    stored = Punch.objects.filter(source=PunchSource.API)
    assert set(stored.values_list("employee__nip", "at", "note", "future_flag")) == {
        (dinkes, dt.datetime(2026, 11, 1, 23, 31, tzinfo=dt.UTC), "ref: simpeg-1", False),
        (p2p, dt.datetime(2026, 11, 1, 23, 45, tzinfo=dt.UTC), "", False),
        (p2p, dt.datetime.fromisoformat(future).astimezone(dt.UTC), "", True),
    }
    assert set(stored.values_list("created_by__username", flat=True)) == {"admin_bkpsdm"}
    assert AuditEntry.objects.filter(object_type="attendance.punch", actor_label="admin_bkpsdm").count() == 1


def test_the_same_batch_again_is_all_duplicates(org, client_for):
    client = client_for("admin_bkpsdm")
    punches = [{"nip": org.staff.dinkes.nip, "at": "2026-11-02T07:31:00+08:00"}]
    assert send(client, punches).json()["accepted"] == 1
    assert send(client, punches).json() == {"accepted": 0, "duplicates": 1, "flagged": 0, "rejected": []}
    assert Punch.objects.count() == 1


def test_unit_admin_may_send_only_for_their_own_staff(org, client_for):
    response = send(client_for("admin_dinas_kesehatan"), [
        {"nip": org.staff.p2p.nip, "at": "2026-11-02T07:45:00+08:00"},
        {"nip": org.staff.kominfo.nip, "at": "2026-11-02T07:29:00+08:00"},
    ])
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], [r["index"] for r in body["rejected"]]) == (1, [1])
    assert "tidak ditemukan" in body["rejected"][0]["reason"]
    assert list(Punch.objects.values_list("employee", flat=True)) == [org.staff.p2p.pk]


@pytest.mark.parametrize("persona", ["pegawai_dinkes", "walikota", "outsider"])
def test_roles_that_do_not_manage_employees_are_refused(org, client_for, persona):
    response = send(client_for(persona), [{"nip": org.staff.p2p.nip, "at": "2026-11-02T07:45:00+08:00"}])
    assert response.status_code == 403
    assert not Punch.objects.exists()


def test_anonymous_gets_401(org):
    assert send(Client(), [{"nip": org.staff.p2p.nip, "at": "2026-11-02T07:45:00+08:00"}]).status_code == 401
    assert Client().get("/api/attendance/devices").status_code == 401
    assert not Punch.objects.exists()


def test_oversized_batch_is_refused_whole(org, client_for):
    punches = [{"nip": org.staff.p2p.nip, "at": "2026-11-02T07:45:00+08:00"}] * 5001
    assert send(client_for("admin_bkpsdm"), punches).status_code == 422


@pytest.fixture
def fleet(org):
    site = Site.objects.create(city=org.city, unit=org.dinkes, name="Kantor Dinas Kesehatan", lat=-3.3186,
                               lon=114.5944)
    at_dinkes = devices.device_register(actor=None, city=org.city, serial_number="DINKES01", site=site)
    Device.objects.filter(pk=at_dinkes.pk).update(last_seen_at=timezone.now())
    pending = Device.objects.create(city=org.city, serial_number="UNKNOWN01")
    return at_dinkes, pending, site


def test_device_list_is_scoped_and_shows_health(fleet, client_for):
    everything = client_for("admin_bkpsdm").get("/api/attendance/devices").json()
    assert [(d["serial_number"], d["status"], d["health"]) for d in everything] == [
        ("DINKES01", "approved", "online"), ("UNKNOWN01", "pending", "never")]
    assert everything[0]["site_name"] == "Kantor Dinas Kesehatan"
    own = client_for("admin_dinas_kesehatan").get("/api/attendance/devices").json()
    assert [d["serial_number"] for d in own] == ["DINKES01"]
    assert client_for("pegawai_dinkes").get("/api/attendance/devices").json() == []


def test_approving_a_pending_device_assigns_its_site_and_is_audited(fleet, client_for):
    _at_dinkes, pending, site = fleet
    response = client_for("admin_bkpsdm").post(f"/api/attendance/devices/{pending.pk}/approve",
                                               {"site_id": site.pk, "name": "Pintu samping"},
                                               content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["site_id"]) == ("approved", site.pk)
    pending.refresh_from_db()
    assert (pending.status, pending.name) == (DeviceStatus.APPROVED, "Pintu samping")
    entry = AuditEntry.objects.get(object_type="attendance.device", object_id=str(pending.pk))
    assert (entry.before["status"], entry.after["status"]) == ("pending", "approved")


def test_approval_needs_the_capability_and_the_scope(fleet, client_for):
    at_dinkes, pending, _site = fleet
    unit_admin = client_for("admin_dinas_kesehatan")

    def approve(device):
        return unit_admin.post(f"/api/attendance/devices/{device.pk}/approve", content_type="application/json")

    assert approve(pending).status_code == 404
    devices.device_block(actor=None, device=at_dinkes)
    assert approve(at_dinkes).status_code == 403
    at_dinkes.refresh_from_db()
    assert at_dinkes.status == DeviceStatus.BLOCKED
