"""The role guides: each exists, renders in the site's layout for a logged-in user, names only screenshots that exist,
and the header's help icon opens the section that describes the page; the image route serves nothing else."""

import re

import pytest

from satulayar.core import guides

pytestmark = pytest.mark.django_db
ROLES = ["walikota", "command-center", "inspektur", "bkpsdm", "admin-unit", "loket", "pegawai", "integrasi"]


def test_there_is_a_guide_per_role_and_each_file_exists():
    assert sorted(guides.GUIDES) == sorted(ROLES)
    for guide in guides.GUIDES.values():
        assert guide.path.is_file(), guide.path


@pytest.mark.parametrize("slug", ROLES)
def test_each_guide_renders_for_a_logged_in_user(client_for, slug):
    response = client_for("pegawai_dinkes").get(f"/panduan/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert guides.GUIDES[slug].title in html
    assert 'class="page"' in html  # in the site's layout
    assert "<ol>" in html  # numbered steps
    for src in re.findall(r'<img[^>]* src="([^"]+)"', html):
        assert src.startswith("/panduan/img/"), src  # through the image route, not a relative path
        assert client_for("pegawai_dinkes").get(src).status_code == 200


@pytest.mark.parametrize("path", ["/panduan/", "/panduan/walikota/", "/panduan/img/walikota-peta.png"])
def test_anonymous_is_sent_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_every_screenshot_a_guide_names_exists_and_every_one_is_used():
    named = set()
    for guide in guides.GUIDES.values():
        for name in re.findall(r"\]\(img/([^)]+)\)", guide.path.read_text(encoding="utf-8")):
            assert (guides.GUIDE_DIR / "img" / name).is_file(), f"{guide.slug}: img/{name}"
            named.add(name)
    on_disk = {p.name for p in (guides.GUIDE_DIR / "img").glob("*.png")}
    assert on_disk == named  # no stale screenshot left behind
    assert sum((guides.GUIDE_DIR / "img" / n).stat().st_size for n in on_disk) < 3_000_000


def test_every_help_anchor_is_a_heading_of_its_guide():
    for view_name, (slug, anchor) in guides.HELP.items():
        text = guides.GUIDES[slug].path.read_text(encoding="utf-8")
        assert f"{{#{anchor}}}" in text, f"{view_name} → {slug}#{anchor}"


@pytest.mark.parametrize(("persona", "path", "target"), [
    ("walikota", "/satu-layar/", "/panduan/walikota/#satu-layar"),
    ("walikota", "/satu-layar/peringatan/", "/panduan/command-center/#peringatan"),
    ("inspektur", "/sidak/", "/panduan/inspektur/#sidak"),
    ("admin_bkpsdm", "/organisasi/pegawai/", "/panduan/bkpsdm/#pegawai"),
    ("pegawai_dinkes", "/kehadiran/saya/", "/panduan/pegawai/#kehadiran-saya"),
    ("lurah_kuin_cerucuk", "/layanan/loket/", "/panduan/loket/#loket"),
    ("pegawai_dinkes", "/", "/panduan/"),  # a page no guide describes: the list of guides
])
def test_the_help_icon_opens_the_guide_that_describes_the_page(client_for, persona, path, target):
    response = client_for(persona).get(path, follow=True)
    assert response.status_code == 200
    link = re.search(r'<a[^>]*href="([^"]+)"[^>]*data-testid="help-link"', response.content.decode())
    assert link and link.group(1) == target


@pytest.mark.parametrize("name", ["..%2F..%2Fsettings.py", "..%2Fwalikota.md", "%2Fetc%2Fpasswd", "walikota.md",
                                  "x.png%00.md", ".hidden.png", "WALIKOTA-PETA.PNG", "tidak-ada.png"])
def test_the_image_route_serves_only_screenshots(client_for, name):
    assert client_for("pegawai_dinkes").get(f"/panduan/img/{name}").status_code == 404


def test_the_image_route_serves_a_screenshot_as_png(client_for):
    response = client_for("pegawai_dinkes").get("/panduan/img/walikota-peta.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_image_path_refuses_traversal():
    for name in ["../walikota.md", "../../satulayar/settings.py", "/etc/passwd", "img/../../x.png"]:
        assert guides.image_path(name) is None


def test_an_unknown_guide_is_not_found(client_for):
    assert client_for("pegawai_dinkes").get("/panduan/tidak-ada/").status_code == 404
