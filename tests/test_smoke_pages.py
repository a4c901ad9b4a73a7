import pytest


@pytest.mark.parametrize("persona", ["walikota", "inspektur", "admin_bkpsdm", "admin_dinas_kesehatan",
                                     "lurah_kuin_cerucuk", "pegawai_dinkes", "outsider"])
def test_home_renders_for_every_persona(client_for, persona):
    response = client_for(persona).get("/")
    assert response.status_code == 200
    assert "Satu Layar" in response.content.decode()


def test_ids_render_plain_and_shown_numbers_the_indonesian_way():
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("id"):
        text = Template('{% load satulayar %}<a data-id="{{ pk }}">{{ n|angka:1 }}</a>').render(
            Context({"pk": 5772, "n": 1234.5}))
    assert text == '<a data-id="5772">1.234,5</a>'  # a grouped id (5.772) would be another number to a script
