"""The organisation pages: every denied access, bad input shown with its reason, and the NIK kept out of sight."""

import pytest
from django.test import Client

from satulayar.audit.models import AuditEntry
from satulayar.org import services
from satulayar.org.models import Employee

NIK = "6371011403850007"
OTHER_UNITS_STAFF = ["kominfo", "pemerintahan", "kelurahan"]


def form_data(employee, **changes) -> dict:
    data = {"name": employee.name, "employment_type": employee.employment_type, "nip": employee.nip or "",
            "rank": employee.rank, "position": employee.position, "unit": employee.unit_id,
            "active": "on" if employee.active else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot_row(employee) -> dict:
    return Employee.objects.filter(pk=employee.pk).values().get()


# --- anonymous -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/organisasi/unit/", "/organisasi/pegawai/", "/organisasi/pegawai/baru/",
                                  "/organisasi/wilayah/", "/audit/", "/"])
def test_anonymous_is_sent_to_the_login_page(org, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/masuk/?next={path}"


def test_anonymous_detail_pages_redirect_without_revealing_anything(org):
    client = Client()
    for path in (f"/organisasi/pegawai/{org.staff.dinkes.pk}/", f"/organisasi/pegawai/{org.staff.dinkes.pk}/ubah/",
                 f"/organisasi/unit/{org.dinkes.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/?next=")
        assert org.staff.dinkes.name not in response.content.decode()


def test_anonymous_post_creates_nothing(org):
    before = Employee.objects.count()
    response = Client().post("/organisasi/pegawai/baru/", {"name": "Penyusup", "employment_type": "non_asn",
                                                           "unit": org.dinkes.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")
    assert Employee.objects.count() == before


def test_login_page_renders(db):
    response = Client().get("/masuk/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


# --- unit admin: other units are invisible -----------------------------------------------------------------


def test_unit_admin_gets_404_for_another_units_employee_and_unit(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    for path in (f"/organisasi/pegawai/{org.staff.kominfo.pk}/", f"/organisasi/pegawai/{org.staff.kelurahan.pk}/",
                 f"/organisasi/unit/{org.kominfo.pk}/", f"/organisasi/unit/{org.setda.pk}/",
                 f"/organisasi/pegawai/{org.staff.kominfo.pk}/ubah/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert org.staff.kominfo.name not in response.content.decode()


def test_unit_admin_cannot_post_an_edit_to_another_units_employee(client_for, org):
    client = client_for("admin_dinas_kesehatan")  # logging in is audited too, so before counting
    row = snapshot_row(org.staff.kominfo)
    entries = AuditEntry.objects.count()
    response = client.post(f"/organisasi/pegawai/{org.staff.kominfo.pk}/ubah/",
                           form_data(org.staff.kominfo, position="Diretas"))
    assert response.status_code == 404
    assert snapshot_row(org.staff.kominfo) == row
    assert AuditEntry.objects.count() == entries


def test_unit_admin_sees_own_subtree_pages(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    response = client.get(f"/organisasi/unit/{org.dinkes.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert org.staff.dinkes.name in content
    assert org.p2p.name in content  # listed as a sub-unit
    response = client.get(f"/organisasi/pegawai/{org.staff.p2p.pk}/")
    assert response.status_code == 200
    assert org.staff.p2p.name in response.content.decode()


def test_unit_admin_employee_list_holds_only_their_subtree(client_for, org):
    response = client_for("admin_dinas_kesehatan").get("/organisasi/pegawai/")
    assert response.status_code == 200
    content = response.content.decode()
    assert org.staff.dinkes.name in content
    assert org.staff.p2p.name in content
    for key in OTHER_UNITS_STAFF:
        assert getattr(org.staff, key).name not in content
    assert org.kominfo.name not in content  # not even as a filter choice
    assert list(response.context["page"].object_list) == sorted([org.staff.dinkes, org.staff.p2p],
                                                                 key=lambda e: e.name)


def test_unit_admin_cannot_filter_the_list_to_another_unit(client_for, org):
    response = client_for("admin_dinas_kesehatan").get(f"/organisasi/pegawai/?unit={org.kominfo.pk}")
    assert response.status_code == 200
    assert org.staff.kominfo.name not in response.content.decode()
    assert "unit" in response.context["form"].errors


def test_unit_admin_unit_list_holds_only_their_subtree(client_for, org):
    response = client_for("admin_dinas_kesehatan").get("/organisasi/unit/")
    assert response.status_code == 200
    assert [u.pk for u in response.context["units"]] == [org.dinkes.pk, org.p2p.pk]
    assert org.kominfo.name not in response.content.decode()


def test_htmx_partial_is_scoped_too(client_for, org):
    response = client_for("admin_dinas_kesehatan").get("/organisasi/pegawai/?q=a", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert org.staff.p2p.name in content
    assert org.staff.kominfo.name not in content


def test_lurah_sees_only_the_kelurahan_office(client_for, org):
    client = client_for("lurah_kuin_cerucuk")
    content = client.get("/organisasi/pegawai/").content.decode()
    assert org.staff.kelurahan.name in content
    assert org.staff.dinkes.name not in content
    assert client.get(f"/organisasi/pegawai/{org.staff.dinkes.pk}/").status_code == 404
    regions = client.get("/organisasi/wilayah/")
    assert regions.status_code == 200
    assert [k.name for kec in regions.context["kecamatan_list"] for k in kec.visible_kelurahan] == ["Kuin Cerucuk"]


# --- capabilities ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lurah_kuin_cerucuk", "pegawai_dinkes", "outsider"])
def test_audit_page_needs_its_capability(client_for, persona):
    response = client_for(persona).get("/audit/")
    assert response.status_code == 403
    assert "audit-table" not in response.content.decode()


@pytest.mark.parametrize("persona", ["walikota", "inspektur", "lurah_kuin_cerucuk", "pegawai_dinkes", "outsider"])
def test_only_managers_may_open_the_create_form(client_for, persona):
    assert client_for(persona).get("/organisasi/pegawai/baru/").status_code == 403


def test_lurah_cannot_create_employees(client_for, org):
    before = Employee.objects.count()
    response = client_for("lurah_kuin_cerucuk").post("/organisasi/pegawai/baru/", {
        "name": "Pegawai Titipan", "employment_type": "non_asn", "unit": org.kel_office.pk, "active": "on"})
    assert response.status_code == 403
    assert Employee.objects.count() == before
    assert not Employee.objects.filter(name="Pegawai Titipan").exists()


def test_walikota_may_read_but_not_edit(client_for, org):
    client = client_for("walikota")
    assert client.get(f"/organisasi/pegawai/{org.staff.kominfo.pk}/").status_code == 200
    row = snapshot_row(org.staff.kominfo)
    response = client.post(f"/organisasi/pegawai/{org.staff.kominfo.pk}/ubah/",
                           form_data(org.staff.kominfo, position="Diubah"))
    assert response.status_code == 403
    assert snapshot_row(org.staff.kominfo) == row


@pytest.mark.parametrize("path", ["/organisasi/unit/", "/organisasi/pegawai/", "/organisasi/wilayah/"])
def test_pegawai_and_outsider_get_403_for_lists(client_for, path):
    assert client_for("pegawai_dinkes").get(path).status_code == 403
    assert client_for("outsider").get(path).status_code == 403


def test_pegawai_sees_their_own_page_but_no_one_elses(client_for, org):
    client = client_for("pegawai_dinkes")
    own = client.get(f"/organisasi/pegawai/{org.staff.p2p.pk}/")
    assert own.status_code == 200
    assert org.staff.p2p.name in own.content.decode()
    assert own.context["can_edit"] is False
    assert client.get(f"/organisasi/pegawai/{org.staff.dinkes.pk}/").status_code == 404
    assert client.get(f"/organisasi/pegawai/{org.staff.p2p.pk}/ubah/").status_code == 403


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("nip", "reason"), [
    ("198513322010011001", "8 digit pertama bukan tanggal lahir yang sah"),
    ("198503142010131001", "digit 13-14 harus bulan TMT (01-12)"),
    ("1985031420100110", "NIP harus 18 digit angka (diterima 16 karakter)."),
    ("198503142010013001", "digit ke-15 (jenis kelamin) harus 1 atau 2"),
])
def test_edit_form_refuses_a_bad_nip_and_saves_nothing(client_for, org, nip, reason):
    employee = org.staff.p2p
    client = client_for("admin_dinas_kesehatan")
    row = snapshot_row(employee)
    entries = AuditEntry.objects.count()
    response = client.post(f"/organisasi/pegawai/{employee.pk}/ubah/", form_data(employee, nip=nip, position="Berubah"))
    assert response.status_code == 200
    content = response.content.decode()
    assert reason in content
    assert "belum ada yang disimpan" in content
    assert response.context["form"].errors["nip"]
    assert snapshot_row(employee) == row
    assert AuditEntry.objects.count() == entries


def test_edit_form_saves_a_good_change_and_audits_it(client_for, org):
    employee = org.staff.p2p
    response = client_for("admin_dinas_kesehatan").post(f"/organisasi/pegawai/{employee.pk}/ubah/",
                                                         form_data(employee, position="Kepala Seksi"))
    assert response.status_code == 302
    assert response["Location"] == f"/organisasi/pegawai/{employee.pk}/"
    employee.refresh_from_db()
    assert employee.position == "Kepala Seksi"
    entry = AuditEntry.objects.filter(object_type="org.employee", object_id=str(employee.pk)).first()
    assert entry.actor_label == "admin_dinas_kesehatan"
    assert (entry.before["position"], entry.after["position"]) == ("Epidemiolog", "Kepala Seksi")


def test_edit_form_refuses_a_duplicate_nip(client_for, org):
    employee = org.staff.p2p
    row = snapshot_row(employee)
    response = client_for("admin_dinas_kesehatan").post(f"/organisasi/pegawai/{employee.pk}/ubah/",
                                                         form_data(employee, nip=org.staff.kominfo.nip))
    assert response.status_code == 200
    assert response.context["form"].errors["nip"] == ["Pegawai dengan NIP telah ada."]
    assert "Pegawai dengan NIP telah ada." in response.content.decode()
    assert snapshot_row(employee) == row


def test_create_form_refuses_a_duplicate_nip(client_for, org):
    before = Employee.objects.count()
    response = client_for("admin_dinas_kesehatan").post("/organisasi/pegawai/baru/", {
        "name": "Kembaran", "employment_type": "pns", "nip": org.staff.dinkes.nip, "unit": org.p2p.pk,
        "active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["nip"] == ["Pegawai dengan NIP telah ada."]
    assert Employee.objects.count() == before
    assert not Employee.objects.filter(name="Kembaran").exists()


def test_create_form_refuses_a_pppk_nip_for_a_pns(client_for, org):
    before = Employee.objects.count()
    response = client_for("admin_dinas_kesehatan").post("/organisasi/pegawai/baru/", {
        "name": "Salah Status", "employment_type": "pns", "nip": "199002022021212003", "unit": org.p2p.pk,
        "active": "on"})
    assert response.status_code == 200
    assert "NIP ini milik PPPK (kode 21), bukan PNS." in response.content.decode()
    assert Employee.objects.count() == before


def test_create_form_offers_no_unit_outside_the_subtree(client_for, org):
    client = client_for("admin_dinas_kesehatan")
    form = client.get("/organisasi/pegawai/baru/").context["form"]
    assert set(form.fields["unit"].queryset) == {org.dinkes, org.p2p}
    before = Employee.objects.count()
    response = client.post("/organisasi/pegawai/baru/", {
        "name": "Pindahan", "employment_type": "non_asn", "unit": org.kominfo.pk, "active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert Employee.objects.count() == before


def test_create_form_adds_an_employee_in_the_subtree(client_for, org):
    response = client_for("admin_dinas_kesehatan").post("/organisasi/pegawai/baru/", {
        "name": "Dewi Lestari", "employment_type": "pns", "nip": "199205172019032004", "unit": org.p2p.pk,
        "active": "on"})
    employee = Employee.objects.get(name="Dewi Lestari")
    assert response.status_code == 302
    assert response["Location"] == f"/organisasi/pegawai/{employee.pk}/"
    assert (employee.unit, employee.sex, str(employee.birth_date)) == (org.p2p, "P", "1992-05-17")


def test_edit_form_cannot_move_an_employee_out_of_the_subtree(client_for, org):
    employee = org.staff.p2p
    response = client_for("admin_dinas_kesehatan").post(f"/organisasi/pegawai/{employee.pk}/ubah/",
                                                         form_data(employee, unit=org.kominfo.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    employee.refresh_from_db()
    assert employee.unit == org.p2p


# --- NIK -------------------------------------------------------------------------------------------------------


@pytest.fixture
def with_nik(org):
    return services.employee_update(actor=None, employee=org.staff.p2p, nik=NIK)


@pytest.mark.parametrize(("persona", "full"), [
    ("admin_bkpsdm", True), ("pegawai_dinkes", True), ("admin_dinas_kesehatan", False), ("walikota", False),
    ("inspektur", False),
])
def test_nik_in_full_only_for_hr_and_the_employee(client_for, with_nik, persona, full):
    response = client_for(persona).get(f"/organisasi/pegawai/{with_nik.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert (NIK in content) is full
    assert ("••••••••••••0007" in content) is not full
    assert response.context["nik"] == (NIK if full else "••••••••••••0007")


def test_edit_form_never_carries_the_full_nik_to_a_unit_admin(client_for, with_nik):
    response = client_for("admin_dinas_kesehatan").get(f"/organisasi/pegawai/{with_nik.pk}/ubah/")
    assert response.status_code == 200
    assert NIK not in response.content.decode()
    assert "nik" not in response.context["form"].fields
    # Saving that form leaves the NIK it could not see untouched.
    client_for("admin_dinas_kesehatan").post(f"/organisasi/pegawai/{with_nik.pk}/ubah/",
                                             form_data(with_nik, position="Analis"))
    with_nik.refresh_from_db()
    assert (with_nik.position, with_nik.nik) == ("Analis", NIK)


def test_hr_edit_form_shows_the_nik(client_for, with_nik):
    response = client_for("admin_bkpsdm").get(f"/organisasi/pegawai/{with_nik.pk}/ubah/")
    assert response.status_code == 200
    assert NIK in response.content.decode()
