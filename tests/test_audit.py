"""The audit log: one entry per write with actor and before/after, append-only down to the database, scoped."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from satulayar.audit.choices import AuditAction
from satulayar.audit.models import AuditEntry
from satulayar.audit.selectors import audit_entries_for
from satulayar.org import services
from satulayar.org.choices import Role, UnitKind
from satulayar.org.models import RoleAssignment
from tests.factories import make_user

NIK = "6371011403850007"
MASKED = "••••••••••••0007"


class Recorder:
    """The entries written since it was made."""

    def __init__(self):
        self.last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    @property
    def entries(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(id__gt=self.last_id).order_by("id"))

    def only(self) -> AuditEntry:
        entries = self.entries
        assert len(entries) == 1, entries
        return entries[0]


@pytest.fixture
def hr(personas):
    return personas.admin_bkpsdm


# --- one entry per write ---------------------------------------------------------------------------------------


def test_employee_create_writes_one_entry_with_nik_masked(hr, org):
    recorder = Recorder()
    employee = services.employee_create(actor=hr, unit=org.p2p, name="Dewi Lestari", employment_type="pns",
                                        nip="199205172019032004", nik=NIK, position="Perawat")
    entry = recorder.only()
    assert (entry.action, entry.actor, entry.actor_label) == (AuditAction.CREATE, hr, "admin_bkpsdm")
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("org.employee", str(employee.pk),
                                                                       "Dewi Lestari")
    assert entry.unit_path == org.p2p.path
    assert entry.before is None
    assert entry.after["nip"] == "199205172019032004"
    assert entry.after["unit"] == org.p2p.pk
    assert entry.after["nik"] == MASKED
    assert NIK not in str(entry.after)


def test_employee_update_writes_before_and_after(hr, org):
    recorder = Recorder()
    services.employee_update(actor=hr, employee=org.staff.p2p, position="Kepala Seksi", nik=NIK)
    entry = recorder.only()
    assert entry.action == AuditAction.UPDATE
    assert entry.actor == hr
    assert entry.before["position"] == "Epidemiolog"
    assert entry.after["position"] == "Kepala Seksi"
    assert (entry.before["nik"], entry.after["nik"]) == ("", MASKED)
    changed = {name for name, _before, _after in entry.changes}
    assert changed == {"position", "nik"}


def test_employee_update_of_a_nik_masks_both_sides(hr, org):
    services.employee_update(actor=hr, employee=org.staff.p2p, nik=NIK)
    recorder = Recorder()
    services.employee_update(actor=hr, employee=org.staff.p2p, nik="6371011403850015")
    entry = recorder.only()
    assert (entry.before["nik"], entry.after["nik"]) == (MASKED, "••••••••••••0015")
    assert NIK not in str(entry.before) + str(entry.after)


def test_update_without_a_change_writes_nothing(hr, org):
    recorder = Recorder()
    services.employee_update(actor=hr, employee=org.staff.p2p, position=org.staff.p2p.position)
    services.unit_update(actor=hr, unit=org.p2p, name=org.p2p.name)
    assert recorder.entries == []


def test_refused_writes_leave_no_entry(personas, org):
    recorder = Recorder()
    with pytest.raises(ValidationError):
        services.employee_create(actor=personas.admin_dinas_kesehatan, unit=org.p2p, name="Budi",
                                 employment_type="pns", nip="198513322010011001")
    with pytest.raises(PermissionDenied):
        services.employee_update(actor=personas.admin_dinas_kesehatan, employee=org.staff.kominfo, position="X")
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=personas.admin_dinas_kesehatan, user=personas.outsider, role=Role.EXECUTIVE,
                             city=org.city)
    assert recorder.entries == []


def test_moving_an_employee_is_seen_by_the_unit_they_left(hr, org):
    recorder = Recorder()
    services.employee_update(actor=hr, employee=org.staff.p2p, unit=org.kominfo)
    entry = recorder.only()
    assert (entry.before["unit"], entry.after["unit"]) == (org.p2p.pk, org.kominfo.pk)
    assert entry.unit_path == org.p2p.path
    assert entry in audit_entries_for(user=personas_fresh("admin_dinas_kesehatan"))


def personas_fresh(username):
    """The login as a new request sees it (a scope is cached on the user object)."""
    return get_user_model().objects.get(username=username)


def test_unit_create_writes_one_entry(hr, org):
    recorder = Recorder()
    unit = services.unit_create(actor=hr, city=org.city, name="Bidang Pelayanan", code="DINKES-YANKES",
                                kind=UnitKind.BIDANG, parent=org.dinkes)
    entry = recorder.only()
    assert (entry.action, entry.actor, entry.object_type) == (AuditAction.CREATE, hr, "org.unit")
    assert entry.unit_path == unit.path == f"{org.dinkes.pk}/{unit.pk}/"
    assert entry.after["code"] == "DINKES-YANKES"
    assert entry.after["parent"] == org.dinkes.pk
    assert "path" not in entry.after


def test_unit_update_writes_one_entry(hr, org):
    recorder = Recorder()
    services.unit_update(actor=hr, unit=org.p2p, short_name="P2P")
    entry = recorder.only()
    assert entry.action == AuditAction.UPDATE
    assert (entry.before["short_name"], entry.after["short_name"]) == ("", "P2P")


def test_moving_a_subtree_writes_one_entry_for_the_moved_unit(hr, org):
    recorder = Recorder()
    services.unit_update(actor=hr, unit=org.dinkes, parent=org.setda)
    entry = recorder.only()
    assert (entry.object_type, entry.object_id) == ("org.unit", str(org.dinkes.pk))
    assert (entry.before["parent"], entry.after["parent"]) == (None, org.setda.pk)
    assert entry.unit_path == f"{org.setda.pk}/{org.dinkes.pk}/"
    org.p2p.refresh_from_db()
    assert org.p2p.path.startswith(entry.unit_path)


def test_role_assign_and_revoke_each_write_one_entry(hr, personas, org):
    recorder = Recorder()
    assignment = services.role_assign(actor=hr, user=personas.outsider, role=Role.UNIT_ADMIN, city=org.city,
                                      unit=org.kominfo)
    entry = recorder.only()
    assert (entry.action, entry.actor, entry.object_type) == (AuditAction.CREATE, hr, "org.roleassignment")
    assert entry.after["user"] == personas.outsider.pk
    assert entry.after["role"] == Role.UNIT_ADMIN
    assert entry.after["unit"] == org.kominfo.pk
    assert entry.unit_path == org.kominfo.path

    recorder = Recorder()
    services.role_assign(actor=hr, user=personas.outsider, role=Role.UNIT_ADMIN, city=org.city, unit=org.kominfo)
    assert recorder.entries == []  # the same role again changes nothing

    pk = assignment.pk
    services.role_revoke(actor=hr, assignment=assignment)
    entry = recorder.only()
    assert (entry.action, entry.actor) == (AuditAction.DELETE, hr)
    assert entry.before["unit"] == org.kominfo.pk
    assert entry.after is None
    assert entry.object_id == str(pk)
    assert not RoleAssignment.objects.filter(pk=pk).exists()


def test_system_writes_are_labelled_sistem(org):
    recorder = Recorder()
    services.unit_update(actor=None, unit=org.p2p, short_name="P2P")
    entry = recorder.only()
    assert entry.actor is None
    assert entry.actor_label == "sistem"


def test_bulk_create_audits_each_employee_and_reports_bad_rows(hr, org):
    recorder = Recorder()
    result = services.employee_bulk_create(actor=hr, rows=[
        {"unit": org.p2p, "name": "Satu", "employment_type": "pns", "nip": "199205172019032004"},
        {"unit": org.p2p, "name": "Dua", "employment_type": "pns", "nip": "199205172019132004"},
        {"unit": org.p2p, "name": "Tiga", "employment_type": "pns", "nip": "199205172019032004"},
        {"unit": org.p2p, "name": "Empat", "employment_type": "non_asn", "nik": NIK},
    ])
    assert result.created == 2
    assert [(number, list(errors)) for number, _nip, errors in result.errors] == [(2, ["nip"]), (3, ["nip"])]
    entries = recorder.entries
    assert [e.object_repr for e in entries] == ["Satu", "Empat"]
    assert all(e.action == AuditAction.CREATE and e.actor == hr for e in entries)
    assert entries[1].after["nik"] == MASKED


# --- append-only -----------------------------------------------------------------------------------------------


@pytest.fixture
def entry(org):
    return AuditEntry.objects.filter(object_type="org.employee").first()


def test_orm_refuses_to_change_an_entry(entry):
    entry.note = "diubah"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(note="diubah")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.note == ""


def test_raw_sql_update_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET note = %s, actor_label = %s WHERE id = %s",
                       ["dihapus diam-diam", "orang lain", entry.pk])
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert (fresh.note, fresh.actor_label) == ("", entry.actor_label)


def test_raw_sql_delete_is_refused_by_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite leaves deletes to the ORM guard: Django's test flush deletes rows there")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# --- who sees which entries ------------------------------------------------------------------------------------


@pytest.fixture
def history(hr, org):
    """One change in Dinkes and one in Diskominfotik, by HR."""
    services.employee_update(actor=hr, employee=org.staff.p2p, position="Kepala Seksi Surveilans")
    services.employee_update(actor=hr, employee=org.staff.kominfo, position="Kepala Seksi Persandian")
    services.unit_update(actor=hr, unit=org.kominfo, short_name="Kominfo")


def test_unit_admin_audit_page_shows_dinkes_but_not_diskominfotik(client_for, org, history):
    response = client_for("admin_dinas_kesehatan").get("/audit/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Kepala Seksi Surveilans" in content
    assert org.staff.p2p.name in content
    assert org.staff.dinkes.name in content
    assert "Kepala Seksi Persandian" not in content
    assert org.staff.kominfo.name not in content
    assert "Diskominfotik" not in content
    assert "Kominfo" not in content
    shown = list(response.context["page"].object_list)
    assert shown
    assert all(e.unit_path.startswith(org.dinkes.path) for e in shown)


def test_unit_admin_cannot_search_their_way_out(client_for, org, history):
    response = client_for("admin_dinas_kesehatan").get("/audit/", {"q": "Iqbal"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    api = client_for("admin_dinas_kesehatan").get("/api/audit/entries", {"q": "Iqbal"})
    assert api.json() == {"items": [], "count": 0}


def test_city_wide_auditors_see_both(client_for, org, history):
    for persona in ("walikota", "inspektur", "admin_bkpsdm"):
        content = client_for(persona).get("/audit/").content.decode()
        assert "Kepala Seksi Surveilans" in content, persona
        assert "Kepala Seksi Persandian" in content, persona


def test_audit_api_is_scoped_and_needs_the_capability(client_for, org, history):
    body = client_for("admin_dinas_kesehatan").get("/api/audit/entries").json()
    assert body["count"] > 0
    assert all(item["object_repr"] != org.staff.kominfo.name for item in body["items"])
    assert {item["object_repr"] for item in body["items"]} >= {org.staff.p2p.name}
    denied = client_for("lurah_kuin_cerucuk").get("/api/audit/entries")
    assert denied.status_code == 403
    assert denied.json() == {"detail": "Anda tidak berwenang melihat log audit."}
    assert Client().get("/api/audit/entries").status_code == 401


def test_audit_page_filters_by_action(client_for, org, history):
    response = client_for("admin_bkpsdm").get("/audit/", {"action": "update"})
    assert {e.action for e in response.context["page"].object_list} == {"update"}


# --- logins --------------------------------------------------------------------------------------------------


def test_login_is_audited(db):
    user = make_user("petugas")
    recorder = Recorder()
    response = Client().post("/masuk/", {"username": "petugas", "password": "rahasia-uji-123"})
    assert response.status_code == 302
    entry = recorder.only()
    assert (entry.action, entry.actor, entry.actor_label) == (AuditAction.LOGIN, user, "petugas")
    assert entry.ip == "127.0.0.1"


def test_failed_login_is_audited_without_the_password(db):
    make_user("petugas")
    recorder = Recorder()
    response = Client().post("/masuk/", {"username": "petugas", "password": "salah-sandi"})
    assert response.status_code == 200
    entry = recorder.only()
    assert entry.action == AuditAction.LOGIN_FAILED
    assert entry.actor is None
    assert entry.actor_label == "sistem"
    assert entry.object_repr == "petugas"
    assert entry.ip == "127.0.0.1"
    assert "salah-sandi" not in str(entry.__dict__)


def test_logout_is_audited(client_for, personas):
    client = client_for("walikota")
    recorder = Recorder()
    client.post("/keluar/")
    entry = recorder.only()
    assert (entry.action, entry.actor) == (AuditAction.LOGOUT, personas.walikota)


def test_full_nik_never_reaches_the_audit_page_or_api(client_for, hr, org):
    services.employee_update(actor=hr, employee=org.staff.p2p, nik=NIK)
    for persona in ("walikota", "admin_bkpsdm", "admin_dinas_kesehatan"):
        page = client_for(persona).get("/audit/").content.decode()
        assert MASKED in page, persona
        assert NIK not in page, persona
        api = client_for(persona).get("/api/audit/entries").content.decode()
        assert NIK not in api, persona
