import pytest


@pytest.mark.parametrize("persona", ["walikota", "inspektur", "admin_bkpsdm", "admin_dinas_kesehatan",
                                     "lurah_kuin_cerucuk", "pegawai_dinkes", "outsider"])
def test_home_renders_for_every_persona(client_for, persona):
    response = client_for(persona).get("/")
    assert response.status_code == 200
    assert "Satu Layar" in response.content.decode()
