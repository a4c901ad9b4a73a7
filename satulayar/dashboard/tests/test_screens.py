"""What each screen shows at a glance: the panels a role has, a wall without links, the map's live values."""

import re

from django.test import Client

from satulayar.org.choices import Role
from tests.factories import login_as, make_user


def test_a_command_centre_operator_gets_no_sidak_panel(client_for, org):
    operator = Client()
    login_as(operator, make_user("operator_cc", Role.COMMAND_CENTRE, org.city))
    page = operator.get("/satu-layar/").content.decode()
    assert 'data-testid="panel-attendance"' in page
    assert 'data-testid="panel-inspections"' not in page and "Sidak terakhir" not in page
    assert 'data-testid="panel-inspections"' in client_for("inspektur").get("/satu-layar/").content.decode()


def test_the_wall_has_no_links_and_names_the_weakest_units(client_for, org):
    page = client_for("walikota").get("/satu-layar/layar/").content.decode()
    main = page[page.index('<main id="dashboard"'):page.index("</main>")]
    assert "<a " not in main  # a TV is not clicked
    assert 'data-testid="wall-weakest"' in main
    assert 'data-testid="attendance-rate"' in main


def test_the_map_refreshes_values_without_boundaries(client_for, org):
    client = client_for("walikota")
    full = client.get("/satu-layar/peta/data.json").json()
    values = client.get("/satu-layar/peta/data.json?nilai=1").json()["values"]
    assert len(values) == len(full["features"]) == 52
    kuin = values[org.kuin.code]
    assert kuin["name"] == "Kuin Cerucuk" and "visits" in kuin and "geometry" not in kuin
    assert len(re.sub(r"\s", "", str(values))) < len(str(full)) / 3  # a live update costs a fraction
