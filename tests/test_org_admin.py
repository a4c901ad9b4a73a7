"""The master-data admin (/admin/): entry by capability, lists and objects scoped, writes validated and audited."""

import pytest
from django.contrib.admin.models import LogEntry

from satulayar.audit.models import AuditEntry
from satulayar.org.models import Employee, Unit

EMPLOYEES = "/admin/org/employee/"


def change_url(employee) -> str:
    return f"{EMPLOYEES}{employee.pk}/change/"


def admin_form(employee, **changes) -> dict:
    data = {"name": employee.name, "employment_type": employee.employment_type, "nip": employee.nip or "",
            "rank": employee.rank, "position": employee.position, "unit": employee.unit_id,
            "user": employee.user_id or "", "active": "on" if employee.active else "", "_save": "Simpan"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def row(employee) -> dict:
    return Employee.objects.filter(pk=employee.pk).values().get()


@pytest.mark.parametrize("persona", ["lurah_kuin_cerucuk", "walikota", "inspektur", "pegawai_dinkes", "outsider"])
def test_roles_without_use_admin_are_refused(client_for, org, persona):
    client = client_for(persona)
    for path in ("/admin/", EMPLOYEES, change_url(org.staff.kelurahan)):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/?next=")
    followed = client.get(EMPLOYEES, follow=True)
    content = followed.content.decode()
    assert f"Anda diautentikasi sebagai {persona}, tapi tidak diperbolehkan" in content
    assert org.staff.kelurahan.name not in content


def test_lurah_cannot_change_through_the_admin(client_for, org):
    client = client_for("lurah_kuin_cerucuk")
    before = row(org.staff.kelurahan)
    response = client.post(change_url(org.staff.kelurahan), admin_form(org.staff.kelurahan, position="Diubah"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert row(org.staff.kelurahan) == before


def test_anonymous_is_sent_to_the_admin_login(client, org):
    response = client.get(EMPLOYEES)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={EMPLOYEES}"


def test_unit_admin_changelist_holds_only_their_subtree(client_for, org):
    response = client_for("admin_dinas_kesehatan").get(EMPLOYEES)
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {org.staff.dinkes, org.staff.p2p}
    content = response.content.decode()
    assert org.staff.dinkes.name in content
    assert org.staff.p2p.name in content
    for other in (org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan):
        assert other.name not in content


def test_unit_admin_search_stays_inside(client_for, org):
    response = client_for("admin_dinas_kesehatan").get(EMPLOYEES, {"q": "Iqbal"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert org.staff.kominfo.name not in response.content.decode()


def test_hr_changelist_holds_everyone(client_for, org):
    response = client_for("admin_bkpsdm").get(EMPLOYEES)
    assert set(response.context["cl"].result_list) == set(Employee.objects.all())


def test_unit_admin_is_turned_away_from_another_units_employee(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.get(change_url(org.staff.kominfo))
    # Outside get_queryset the admin treats the object as missing: back to the index with a message.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    followed = client.get(change_url(org.staff.kominfo), follow=True)
    content = followed.content.decode()
    assert f"ID “{org.staff.kominfo.pk}” tidak ada" in content
    assert org.staff.kominfo.name not in content
    assert org.staff.kominfo.nip not in content


def test_unit_admin_cannot_post_to_another_units_employee(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    before = row(org.staff.kominfo)
    entries = AuditEntry.objects.count()
    response = client.post(change_url(org.staff.kominfo), admin_form(org.staff.kominfo, position="Diretas"))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert row(org.staff.kominfo) == before
    assert AuditEntry.objects.count() == entries


def test_unit_admin_change_form_offers_only_their_units_and_no_nik(client_for, org):
    response = client_for("admin_dinas_kesehatan").get(change_url(org.staff.p2p))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields["unit"].queryset) == {org.dinkes, org.p2p}
    assert "nik" not in form.fields
    assert "nik" in client_for("admin_bkpsdm").get(change_url(org.staff.p2p)).context["adminform"].form.fields


@pytest.mark.parametrize(("nip", "reason"), [
    ("198513322010011001", "8 digit pertama bukan tanggal lahir yang sah"),
    ("198503142010011000", "nomor urut tidak boleh 000"),
    ("19850314201001100X", "NIP harus 18 digit angka"),
])
def test_admin_refuses_a_bad_nip_and_saves_nothing(client_for, org, nip, reason):
    client = client_for("admin_dinas_kesehatan")
    before = row(org.staff.p2p)
    entries, logs = AuditEntry.objects.count(), LogEntry.objects.count()
    response = client.post(change_url(org.staff.p2p), admin_form(org.staff.p2p, nip=nip, position="Berubah"))
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert response.context["adminform"].form.errors["nip"]
    assert row(org.staff.p2p) == before
    assert AuditEntry.objects.count() == entries
    assert LogEntry.objects.count() == logs


def test_admin_refuses_a_duplicate_nip(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    before = row(org.staff.p2p)
    response = client.post(change_url(org.staff.p2p), admin_form(org.staff.p2p, nip=org.staff.kominfo.nip))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nip"] == ["Pegawai dengan NIP telah ada."]
    assert row(org.staff.p2p) == before


def test_admin_refuses_moving_an_employee_out_of_the_subtree(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.post(change_url(org.staff.p2p), admin_form(org.staff.p2p, unit=org.kominfo.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["unit"]
    org.staff.p2p.refresh_from_db()
    assert org.staff.p2p.unit == org.p2p


def test_admin_change_is_audited_with_before_and_after(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.post(change_url(org.staff.p2p), admin_form(org.staff.p2p, position="Kepala Seksi"))
    assert response.status_code == 302
    assert response["Location"] == EMPLOYEES
    org.staff.p2p.refresh_from_db()
    assert org.staff.p2p.position == "Kepala Seksi"
    entries = AuditEntry.objects.filter(object_type="org.employee", object_id=str(org.staff.p2p.pk),
                                        action="update")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor.username == "admin_dinas_kesehatan"
    assert entry.before["position"] == "Epidemiolog"
    assert entry.after["position"] == "Kepala Seksi"
    assert entry.unit_path == org.p2p.path
    assert entry.ip == "127.0.0.1"


def test_admin_add_goes_through_the_service_and_is_audited(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.post(f"{EMPLOYEES}add/", {
        "name": "Dewi Lestari", "employment_type": "pns", "nip": "199205172019032004", "rank": "III/a",
        "position": "Perawat", "unit": org.p2p.pk, "user": "", "active": "on", "_save": "Simpan"})
    assert response.status_code == 302
    employee = Employee.objects.get(name="Dewi Lestari")
    assert (employee.unit, employee.sex, employee.rank) == (org.p2p, "P", "III/a")
    entry = AuditEntry.objects.get(object_type="org.employee", object_id=str(employee.pk))
    assert (entry.action, entry.actor_label, entry.before) == ("create", "admin_dinas_kesehatan", None)
    assert entry.after["nip"] == "199205172019032004"


def test_nothing_can_be_deleted_in_the_admin(client_for, org):
    client = client_for("admin_bkpsdm")
    response = client.get(f"{EMPLOYEES}{org.staff.p2p.pk}/delete/")
    assert response.status_code == 403
    assert Employee.objects.filter(pk=org.staff.p2p.pk).exists()


def test_unit_admin_sees_units_read_only(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.get("/admin/org/unit/")
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {org.dinkes, org.p2p}
    before = Unit.objects.filter(pk=org.p2p.pk).values().get()
    response = client.post(f"/admin/org/unit/{org.p2p.pk}/change/", {
        "name": "Diganti", "code": org.p2p.code, "kind": org.p2p.kind, "parent": org.dinkes.pk, "active": "on"})
    assert response.status_code == 403
    assert Unit.objects.filter(pk=org.p2p.pk).values().get() == before
    assert client.get("/admin/org/unit/add/").status_code == 403
    assert client.get(f"/admin/org/unit/{org.kominfo.pk}/change/").status_code == 302


def test_role_assignments_are_for_hr_only(client_for, org):
    assert client_for("admin_dinas_kesehatan").get("/admin/org/roleassignment/").status_code == 403
    assert client_for("admin_bkpsdm").get("/admin/org/roleassignment/").status_code == 200


def test_audit_log_in_the_admin_is_read_only_and_scoped(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.get("/admin/audit/auditentry/")
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown
    assert all(entry.unit_path.startswith(org.dinkes.path) for entry in shown)
    assert org.staff.kominfo.name not in response.content.decode()
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    entry = shown[0]
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_refuses_a_taken_unit_code_as_a_form_error(client_for, org):
    client = client_for("admin_bkpsdm")
    before = Unit.objects.count()
    response = client.post("/admin/org/unit/add/", {"name": "Dinkes Kedua", "code": "DINKES", "kind": "dinas",
                                                    "active": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == ["Kode unit DINKES sudah dipakai di kota ini."]
    assert Unit.objects.count() == before
    response = client.post(f"/admin/org/unit/{org.kominfo.pk}/change/", {
        "name": org.kominfo.name, "short_name": org.kominfo.short_name, "code": "DINKES", "kind": "dinas",
        "active": "on"})
    assert response.status_code == 200
    assert "Kode unit DINKES sudah dipakai di kota ini." in response.content.decode()
    org.kominfo.refresh_from_db()
    assert org.kominfo.code == "DISKOMINFOTIK"


def test_admin_keeps_a_units_own_code_and_refuses_a_cycle(client_for, org):
    client = client_for("admin_bkpsdm")
    data = {"name": org.dinkes.name, "short_name": "Dinkes", "code": "DINKES", "kind": "dinas", "active": "on"}
    response = client.post(f"/admin/org/unit/{org.dinkes.pk}/change/", {**data, "parent": org.p2p.pk})
    assert response.status_code == 200
    assert "leluhurnya sendiri" in response.context["adminform"].form.errors["parent"][0]
    org.dinkes.refresh_from_db()
    assert org.dinkes.parent is None
    response = client.post(f"/admin/org/unit/{org.dinkes.pk}/change/", {**data, "parent": org.setda.pk})
    assert response.status_code == 302
    org.p2p.refresh_from_db()
    assert org.p2p.path == f"{org.setda.pk}/{org.dinkes.pk}/{org.p2p.pk}/"
    entry = AuditEntry.objects.get(object_type="org.unit", object_id=str(org.dinkes.pk), action="update")
    assert (entry.before["parent"], entry.after["parent"]) == (None, org.setda.pk)


def test_admin_adds_a_unit_through_the_service(client_for, org):
    response = client_for("admin_bkpsdm").post("/admin/org/unit/add/", {
        "name": "Bidang Pelayanan Kesehatan", "code": "DINKES-YANKES", "kind": "bidang", "parent": org.dinkes.pk,
        "active": "on"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="DINKES-YANKES")
    assert unit.path == f"{org.dinkes.pk}/{unit.pk}/"
    assert AuditEntry.objects.filter(object_type="org.unit", object_id=str(unit.pk), action="create").count() == 1


def test_unit_admin_cannot_read_another_units_history(client_for, org):
    response = client_for("admin_dinas_kesehatan").get(f"{EMPLOYEES}{org.staff.kominfo.pk}/history/", follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert org.staff.kominfo.name not in response.content.decode()
