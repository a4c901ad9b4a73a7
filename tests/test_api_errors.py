"""Every API error is JSON with a reason: anonymous calls 401, unknown paths 404, out-of-range input 422."""

import pytest

from tests.factories import make_employee

HUGE = "99999999999999999999"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/api/org/employees", None),
    ("post", "/api/org/units", {"name": "X", "code": "X"}),
    ("post", "/api/inspections/", {"unit_ids": [1]}),
    ("post", "/api/attendance/punches", {"punches": []}),
])
def test_anonymous_calls_and_writes_get_401_with_a_reason(client, db, method, path, body):
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 401, response.content
    assert "Belum masuk" in response.json()["detail"]


def test_a_logged_in_write_without_csrf_token_is_still_refused(personas):
    from django.test import Client

    from tests.factories import login_as

    client = login_as(Client(enforce_csrf_checks=True), personas.admin_bkpsdm)
    response = client.post("/api/org/units", {"name": "X", "code": "X"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/tidak-ada", "/api/org/employees/999999", "/api/inspections/999999",
                                  "/api/cctv/cameras/999999/health"])
def test_api_404s_are_json(client_for, path):
    response = client_for("walikota").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_html_404_stays_a_page(client_for):
    response = client_for("walikota").get("/tidak-ada/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_huge_kelurahan_filter_is_422(client_for):
    response = client_for("walikota").get(f"/api/cctv/cameras?kelurahan={HUGE}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "kelurahan"


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_crosscheck_with_a_date_out_of_the_calendar_is_422(client_for, date):
    response = client_for("walikota").get(f"/api/cctv/crosscheck?date={date}")
    assert response.status_code == 422
    assert "tanggal harus antara" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("unit_id", [2**63, -1, 0])
def test_inspection_with_an_impossible_unit_id_is_422(client_for, unit_id):
    response = client_for("inspektur").post("/api/inspections/", {"unit_ids": [unit_id]},
                                            content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-2:] == ["unit_ids", 0]


def test_huge_path_ids_are_404_not_500(client_for):
    client = client_for("walikota")
    for path in (f"/api/org/employees/{HUGE}", f"/api/org/units/{HUGE}", f"/api/cctv/cameras/{HUGE}/health"):
        response = client.get(path)
        assert response.status_code in (404, 422), path
        assert response.json()["detail"]


def test_operator_sees_no_names_on_unit_pages(client_for, org):
    org.dinkes.head = org.staff.dinkes
    org.dinkes.save()
    make_employee(org.dinkes, "Nama Rahasia Sekali", position="Staf")
    operator = client_for("walikota")  # a role that may see names: the control
    assert "dr. Siti Rahmah" in operator.get(f"/organisasi/unit/{org.dinkes.pk}/").content.decode()
    from django.test import Client

    from satulayar.org.choices import Role
    from tests.factories import login_as, make_user

    cc = login_as(Client(), make_user("operator_cc", Role.COMMAND_CENTRE, org.city))
    for unit in (org.dinkes, org.setda, org.kel_office, org.p2p):
        page = cc.get(f"/organisasi/unit/{unit.pk}/")
        assert page.status_code == 200
        content = page.content.decode()
        for employee in (org.staff.dinkes, org.staff.p2p, org.staff.kelurahan, org.staff.pemerintahan):
            assert employee.name not in content, (unit, employee.name)
        assert "Nama Rahasia Sekali" not in content
        assert 'data-testid="unit-head"' not in content


def test_a_method_the_endpoint_lacks_is_405_json(client_for):
    response = client_for("walikota").delete("/api/org/me")
    assert response.status_code == 405
    assert "Metode DELETE tidak didukung" in response.json()["detail"]


def test_a_server_error_under_the_api_is_json(rf):
    import json

    from satulayar.core.views import server_error

    response = server_error(rf.get("/api/org/me"))
    assert response.status_code == 500 and "kesalahan di server" in json.loads(response.content)["detail"]
