"""The JSON API at /api/org/: scoped lists, 404 outside the scope, 422 naming the field and the reason."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from satulayar.audit.models import AuditEntry
from satulayar.org import services
from satulayar.org.models import Employee, Kecamatan, Kelurahan, RoleAssignment, Unit

NIK = "6371011403850007"


def post(client, path, payload):
    return client.post(path, json.dumps(payload), content_type="application/json")


def patch(client, path, payload):
    return client.patch(path, json.dumps(payload), content_type="application/json")


def detail(response) -> dict[str, list[str]]:
    """The 422 body as {field: [messages]}."""
    assert response.status_code == 422, response.content
    found: dict[str, list[str]] = {}
    for item in response.json()["detail"]:
        found.setdefault(item["loc"][-1], []).append(item["msg"])
    return found


# --- the public ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/org/me"), ("get", "/api/org/units"), ("get", "/api/org/employees"), ("get", "/api/org/kelurahan"),
    ("get", "/api/org/kecamatan"), ("get", "/api/org/employees/1"), ("get", "/api/audit/entries"),
    ("post", "/api/org/employees"), ("post", "/api/org/units"), ("post", "/api/org/roles"),
    ("patch", "/api/org/units/1"), ("patch", "/api/org/employees/1"),
])
def test_anonymous_gets_401(org, method, path):
    client = Client()
    response = client.get(path) if method == "get" else getattr(client, method)(path, "{}",
                                                                               content_type="application/json")
    assert response.status_code == 401
    assert "Belum masuk" in response.json()["detail"]


def test_anonymous_post_creates_nothing(org):
    before = Employee.objects.count()
    response = post(Client(), "/api/org/employees", {"unit_id": org.dinkes.pk, "name": "Penyusup",
                                                     "employment_type": "non_asn"})
    assert response.status_code == 401
    assert Employee.objects.count() == before


def test_docs_and_schema_are_served(db):
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert "openapi.json" in docs.content.decode()
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/org/me", "/api/org/units", "/api/org/units/{unit_id}", "/api/org/employees",
                 "/api/org/employees/{employee_id}", "/api/org/kelurahan", "/api/org/kecamatan", "/api/org/roles",
                 "/api/audit/entries"):
        assert path in paths, path
    assert set(paths["/api/org/employees"]) == {"get", "post"}
    assert set(paths["/api/org/units/{unit_id}"]) == {"get", "patch"}


def test_healthz_answers_json(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}


# --- scoped lists ----------------------------------------------------------------------------------------------


def test_me_reports_roles_and_scope(client_for, personas):
    body = client_for("admin_dinas_kesehatan").get("/api/org/me").json()
    assert body == {"username": "admin_dinas_kesehatan", "roles": ["unit_admin"], "city_wide": False,
                    "employee_id": None}
    body = client_for("pegawai_dinkes").get("/api/org/me").json()
    assert body["roles"] == ["employee"]
    assert body["employee_id"] is not None


def test_unit_admin_lists_are_scoped(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    units = client.get("/api/org/units").json()
    assert [u["id"] for u in units] == [org.dinkes.pk, org.p2p.pk]
    employees = client.get("/api/org/employees").json()
    assert employees["count"] == 2
    assert {e["name"] for e in employees["items"]} == {org.staff.dinkes.name, org.staff.p2p.name}
    assert client.get("/api/org/kelurahan").json() == []
    assert client.get("/api/org/kecamatan").json() == []


def test_search_does_not_escape_the_scope(client_for, org):
    body = client_for("admin_dinas_kesehatan").get("/api/org/employees", {"q": "Iqbal"}).json()
    assert body == {"items": [], "count": 0}


def test_lurah_lists_are_scoped(client_for, org):
    client = client_for("lurah_kuin_cerucuk")
    assert [e["name"] for e in client.get("/api/org/employees").json()["items"]] == [org.staff.kelurahan.name]
    assert [k["name"] for k in client.get("/api/org/kelurahan").json()] == ["Kuin Cerucuk"]
    assert [k["code"] for k in client.get("/api/org/kecamatan").json()] == [org.kuin.kecamatan.code]


def test_city_wide_lists_hold_everything(client_for, org):
    client = client_for("walikota")
    assert client.get("/api/org/employees").json()["count"] == Employee.objects.count() == 5
    assert len(client.get("/api/org/units").json()) == Unit.objects.count()
    assert len(client.get("/api/org/kelurahan").json()) == Kelurahan.objects.count()


def test_outsider_lists_are_empty(client_for, org):
    client = client_for("outsider")
    assert client.get("/api/org/units").json() == []
    assert client.get("/api/org/employees").json() == {"items": [], "count": 0}
    assert client.get(f"/api/org/employees/{org.staff.dinkes.pk}").status_code == 404


def test_pegawai_sees_only_themself(client_for, org):
    client = client_for("pegawai_dinkes")
    body = client.get("/api/org/employees").json()
    assert [e["id"] for e in body["items"]] == [org.staff.p2p.pk]
    assert client.get(f"/api/org/employees/{org.staff.dinkes.pk}").status_code == 404


def test_another_units_employee_and_unit_are_404(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.get(f"/api/org/employees/{org.staff.kominfo.pk}")
    assert response.status_code == 404
    assert org.staff.kominfo.name not in response.content.decode()
    assert client.get(f"/api/org/units/{org.kominfo.pk}").status_code == 404
    assert client.get("/api/org/employees", {"unit_id": org.kominfo.pk}).status_code == 404
    own = client.get(f"/api/org/employees/{org.staff.p2p.pk}")
    assert own.status_code == 200
    assert own.json()["unit_name"] == org.p2p.name


def test_nik_is_masked_for_those_who_may_not_see_it(client_for, org):
    employee = services.employee_update(actor=None, employee=org.staff.p2p, nik=NIK)
    path = f"/api/org/employees/{employee.pk}"
    assert client_for("admin_bkpsdm").get(path).json()["nik"] == NIK
    assert client_for("pegawai_dinkes").get(path).json()["nik"] == NIK
    for persona in ("admin_dinas_kesehatan", "walikota", "inspektur"):
        response = client_for(persona).get(path)
        assert response.json()["nik"] == "••••••••••••0007", persona
        assert NIK not in response.content.decode()
    listed = client_for("admin_dinas_kesehatan").get("/api/org/employees").content.decode()
    assert NIK not in listed


# --- employees: bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("nip", "reason"), [
    ("198513322010011001", "8 digit pertama bukan tanggal lahir yang sah"),
    ("12345", "NIP harus 18 digit angka (diterima 5 karakter)."),
    ("198503142010011000", "nomor urut tidak boleh 000"),
    ("198503142021211001", "NIP ini milik PPPK (kode 21), bukan PNS."),
])
def test_create_employee_with_bad_nip_is_422_naming_nip(client_for, org, nip, reason):
    client = client_for("admin_dinas_kesehatan")
    before, entries = Employee.objects.count(), AuditEntry.objects.count()
    response = post(client, "/api/org/employees", {"unit_id": org.p2p.pk, "name": "Budi Santoso", "nip": nip})
    errors = detail(response)
    assert list(errors) == ["nip"]
    assert reason in errors["nip"][0]
    assert Employee.objects.count() == before
    assert AuditEntry.objects.count() == entries


def test_create_employee_with_duplicate_nip_is_422(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    before = Employee.objects.count()
    response = post(client, "/api/org/employees", {"unit_id": org.p2p.pk, "name": "Kembaran",
                                                   "nip": org.staff.kominfo.nip})
    assert detail(response) == {"nip": [f"NIP {org.staff.kominfo.nip} sudah terdaftar untuk pegawai lain."]}
    assert Employee.objects.count() == before


def test_create_employee_in_another_unit_is_422_and_saves_nothing(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    before, entries = Employee.objects.count(), AuditEntry.objects.count()
    response = post(client, "/api/org/employees", {"unit_id": org.kominfo.pk, "name": "Titipan",
                                                   "employment_type": "non_asn"})
    assert detail(response) == {"unit_id": [f"Unit {org.kominfo.pk} tidak ditemukan atau di luar wewenang Anda."]}
    assert Employee.objects.count() == before
    assert AuditEntry.objects.count() == entries
    assert not Employee.objects.filter(name="Titipan").exists()


def test_create_employee_in_a_unit_that_does_not_exist_reads_the_same(client_for, org):
    response = post(client_for("admin_bkpsdm"), "/api/org/employees", {"unit_id": 987654, "name": "Hantu",
                                                                   "employment_type": "non_asn"})
    assert detail(response) == {"unit_id": ["Unit 987654 tidak ditemukan atau di luar wewenang Anda."]}


def test_schema_errors_are_422_too(client_for, org):
    client = client_for("admin_bkpsdm")
    response = post(client, "/api/org/employees", {"unit_id": org.p2p.pk, "name": "X",
                                                   "employment_type": "honorer"})
    assert response.status_code == 422
    fields = {item["loc"][-1] for item in response.json()["detail"]}
    assert fields == {"name", "employment_type"}
    response = post(client, "/api/org/employees", {"name": "Tanpa Unit"})
    assert response.status_code == 422
    assert {item["loc"][-1] for item in response.json()["detail"]} == {"unit_id"}


def test_create_employee_succeeds_and_trims_the_nip(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = post(client, "/api/org/employees", {"unit_id": org.p2p.pk, "name": "Dewi Lestari",
                                                   "nip": " 199205172019032004 ", "nik": NIK})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nip"] == "199205172019032004"
    assert body["sex"] == "P"
    assert body["birth_date"] == "1992-05-17"
    assert body["nik"] == "••••••••••••0007"  # the unit admin typed it but may not read it back
    assert Employee.objects.get(pk=body["id"]).nik == NIK


@pytest.mark.parametrize("persona", ["lurah_kuin_cerucuk", "pegawai_dinkes", "walikota"])
def test_roles_without_manage_employees_get_403(client_for, org, persona):
    unit = {"lurah_kuin_cerucuk": org.kel_office, "pegawai_dinkes": org.p2p, "walikota": org.p2p}[persona]
    before = Employee.objects.count()
    response = post(client_for(persona), "/api/org/employees", {"unit_id": unit.pk, "name": "Titipan",
                                                            "employment_type": "non_asn"})
    assert response.status_code == 403
    assert "tidak berwenang" in response.json()["detail"]
    assert Employee.objects.count() == before


def test_patch_another_units_employee_is_404(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = patch(client, f"/api/org/employees/{org.staff.kominfo.pk}", {"position": "Diretas"})
    assert response.status_code == 404
    org.staff.kominfo.refresh_from_db()
    assert org.staff.kominfo.position == "Pranata Komputer"


def test_patch_cannot_move_an_employee_out_of_the_subtree(client_for, org):
    response = patch(client_for("admin_dinas_kesehatan"), f"/api/org/employees/{org.staff.p2p.pk}",
                     {"unit_id": org.kominfo.pk})
    assert list(detail(response)) == ["unit_id"]
    org.staff.p2p.refresh_from_db()
    assert org.staff.p2p.unit == org.p2p


def test_patch_with_bad_nip_is_422(client_for, org):
    nip = org.staff.p2p.nip
    response = patch(client_for("admin_dinas_kesehatan"), f"/api/org/employees/{org.staff.p2p.pk}",
                     {"nip": "198503142010131001"})
    assert "digit 13-14 harus bulan TMT" in detail(response)["nip"][0]
    org.staff.p2p.refresh_from_db()
    assert org.staff.p2p.nip == nip


def test_patch_employee_saves_and_audits(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = patch(client, f"/api/org/employees/{org.staff.p2p.pk}", {"position": "Kepala Seksi"})
    assert response.status_code == 200
    assert response.json()["position"] == "Kepala Seksi"
    entry = AuditEntry.objects.filter(object_type="org.employee", object_id=str(org.staff.p2p.pk)).first()
    assert (entry.actor_label, entry.after["position"]) == ("admin_dinas_kesehatan", "Kepala Seksi")


# --- units -----------------------------------------------------------------------------------------------------


def test_patch_unit_under_its_own_descendant_is_422_naming_parent(client_for, org):
    client = client_for("admin_bkpsdm")
    paths = dict(Unit.objects.values_list("pk", "path"))
    entries = AuditEntry.objects.count()
    response = patch(client, f"/api/org/units/{org.dinkes.pk}", {"parent_id": org.p2p.pk})
    errors = detail(response)
    assert list(errors) == ["parent"]
    assert "tidak dapat menjadi induk atau leluhurnya sendiri" in errors["parent"][0]
    assert dict(Unit.objects.values_list("pk", "path")) == paths
    assert AuditEntry.objects.count() == entries


def test_patch_unit_under_itself_is_422(client_for, org):
    response = patch(client_for("admin_bkpsdm"), f"/api/org/units/{org.dinkes.pk}", {"parent_id": org.dinkes.pk})
    assert "leluhurnya sendiri" in detail(response)["parent"][0]
    org.dinkes.refresh_from_db()
    assert org.dinkes.parent is None


def test_patch_unit_moves_the_subtree(client_for, org):
    response = patch(client_for("admin_bkpsdm"), f"/api/org/units/{org.dinkes.pk}", {"parent_id": org.setda.pk})
    assert response.status_code == 200
    assert response.json()["path"] == f"{org.setda.pk}/{org.dinkes.pk}/"
    org.p2p.refresh_from_db()
    assert org.p2p.path == f"{org.setda.pk}/{org.dinkes.pk}/{org.p2p.pk}/"


def test_unit_admin_may_not_patch_units(client_for, org):
    response = patch(client_for("admin_dinas_kesehatan"), f"/api/org/units/{org.p2p.pk}", {"name": "Diganti"})
    assert response.status_code == 403
    org.p2p.refresh_from_db()
    assert org.p2p.name == "Bidang Pencegahan dan Pengendalian Penyakit"
    assert patch(client_for("admin_dinas_kesehatan"), f"/api/org/units/{org.kominfo.pk}",
                 {"name": "Diganti"}).status_code == 404


def test_create_unit_with_unknown_parent_or_kelurahan_is_422(client_for, org):
    client = client_for("admin_bkpsdm")
    before = Unit.objects.count()
    response = post(client, "/api/org/units", {"code": "X1", "name": "Unit X", "kind": "bidang",
                                               "parent_id": 987654})
    assert list(detail(response)) == ["parent_id"]
    response = post(client, "/api/org/units", {"code": "X2", "name": "Kelurahan X", "kind": "kelurahan",
                                               "kelurahan_id": 987654})
    assert detail(response) == {"kelurahan_id": ["Kelurahan 987654 tidak ditemukan."]}
    response = post(client, "/api/org/units", {"code": "X3", "name": "Kelurahan Y", "kind": "kelurahan"})
    assert detail(response) == {"kelurahan": ["Kantor kelurahan harus menunjuk kelurahannya."]}
    assert Unit.objects.count() == before


def test_create_unit_with_a_used_code_is_422_naming_code(client_for, org):
    response = post(client_for("admin_bkpsdm"), "/api/org/units", {"code": "DINKES", "name": "Dinkes Kedua",
                                                                "kind": "dinas"})
    assert detail(response) == {"code": ["Kode unit DINKES sudah dipakai di kota ini."]}
    assert Unit.objects.filter(code="DINKES").count() == 1


def test_patch_unit_to_a_used_code_is_422_naming_code(client_for, org):
    response = patch(client_for("admin_bkpsdm"), f"/api/org/units/{org.kominfo.pk}", {"code": "DINKES"})
    assert detail(response) == {"code": ["Kode unit DINKES sudah dipakai di kota ini."]}
    org.kominfo.refresh_from_db()
    assert org.kominfo.code == "DISKOMINFOTIK"


def test_create_unit_succeeds_for_hr(client_for, org):
    response = post(client_for("admin_bkpsdm"), "/api/org/units", {"code": "DINKES-YANKES", "name": "Bidang Pelayanan",
                                                                "kind": "bidang", "parent_id": org.dinkes.pk})
    assert response.status_code == 201
    assert response.json()["path"] == f"{org.dinkes.pk}/{response.json()['id']}/"


# --- roles -----------------------------------------------------------------------------------------------------


def test_assign_role_with_unknown_unit_is_422(client_for, personas, org):
    client = client_for("admin_bkpsdm")
    before = RoleAssignment.objects.count()
    response = post(client, "/api/org/roles", {"username": "outsider", "role": "unit_admin", "unit_id": 987654})
    assert detail(response) == {"unit_id": ["Unit 987654 tidak ditemukan atau di luar wewenang Anda."]}
    assert RoleAssignment.objects.count() == before


def test_assign_role_refusals(client_for, personas, org):
    client = client_for("admin_bkpsdm")
    before = RoleAssignment.objects.count()
    assert detail(post(client, "/api/org/roles", {"username": "nobody", "role": "executive"})) == {
        "username": ["Akun nobody tidak ada."]}
    assert detail(post(client, "/api/org/roles", {"username": "outsider", "role": "unit_admin"})) == {
        "unit": ["Admin unit kerja harus ditugaskan pada satu unit."]}
    assert detail(post(client, "/api/org/roles", {"username": "outsider", "role": "kelurahan_officer",
                                                  "kelurahan_id": 987654})) == {
        "kelurahan_id": ["Kelurahan 987654 tidak ada di kota ini."]}
    assert post(client, "/api/org/roles", {"username": "outsider", "role": "raja"}).status_code == 422
    assert RoleAssignment.objects.count() == before


def test_assign_role_needs_manage_roles(client_for, personas, org):
    before = RoleAssignment.objects.count()
    response = post(client_for("admin_dinas_kesehatan"), "/api/org/roles",
                    {"username": "outsider", "role": "unit_admin", "unit_id": org.p2p.pk})
    assert response.status_code == 403
    assert response.json() == {"detail": "Anda tidak berwenang memberi peran."}
    assert RoleAssignment.objects.count() == before


def test_assign_role_succeeds_and_widens_the_scope(client_for, personas, org):
    response = post(client_for("admin_bkpsdm"), "/api/org/roles",
                    {"username": "outsider", "role": "unit_admin", "unit_id": org.kominfo.pk})
    assert response.status_code == 201
    assert response.json()["unit_id"] == org.kominfo.pk
    body = client_for("outsider").get("/api/org/employees").json()
    assert [e["name"] for e in body["items"]] == [org.staff.kominfo.name]


# --- regions ---------------------------------------------------------------------------------------------------


def test_kelurahan_code_outside_its_kecamatan_is_refused(city):
    kecamatan = Kecamatan.objects.get(code="63.71.01")
    kelurahan = Kelurahan(kecamatan=kecamatan, code="63.72.01.1001", name="Luar Kota")
    with pytest.raises(ValidationError) as caught:
        kelurahan.full_clean()
    assert caught.value.message_dict["code"] == [
        "Kode 63.72.01.1001 berada di luar Kecamatan Banjarmasin Selatan (63.71.01) di Kota Banjarmasin."]


def test_kecamatan_code_outside_the_city_is_refused(city):
    with pytest.raises(ValidationError) as caught:
        Kecamatan(city=city, code="63.72.01", name="Luar Kota").full_clean()
    assert caught.value.message_dict["code"] == ["Kode 63.72.01 berada di luar Kota Banjarmasin (63.71)."]


@pytest.mark.parametrize("code", ["63.71.01.100", "6371011001", "63.71.01.10011", "63.71.01.1OO1"])
def test_kelurahan_code_must_have_the_kemendagri_shape(city, code):
    kecamatan = Kecamatan.objects.get(code="63.71.01")
    with pytest.raises(ValidationError) as caught:
        Kelurahan(kecamatan=kecamatan, code=code, name="Salah Bentuk").full_clean()
    assert "Kode kelurahan harus berbentuk 99.99.99.9999." in caught.value.message_dict["code"]


def test_kelurahan_inside_its_kecamatan_passes(city):
    kecamatan = Kecamatan.objects.get(code="63.71.01")
    Kelurahan(kecamatan=kecamatan, code="63.71.01.1999", name="Kelurahan Baru").full_clean()
