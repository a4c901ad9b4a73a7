"""The role guides (docs/panduan/*.md, Bahasa Indonesia) served by the app, and which guide a page's help icon opens.

The Markdown files live beside the rest of the documentation so they read on a forge as well; their screenshots
(docs/panduan/img/) are retaken from the demo by scripts/guide_screenshots.py.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse

GUIDE_DIR = Path(settings.BASE_DIR).parent / "docs" / "panduan"
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}\.png$")


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    who: str

    @property
    def path(self) -> Path:
        return GUIDE_DIR / f"{self.slug}.md"

    @property
    def url(self) -> str:
        return reverse("guide", args=[self.slug])


GUIDES = {g.slug: g for g in (
    Guide("walikota", "Wali Kota, Wakil Wali Kota dan Sekda", "walikota, wakil_walikota, sekda"),
    Guide("command-center", "Operator command center", "operator_cc"),
    Guide("inspektur", "Inspektur", "inspektur"),
    Guide("bkpsdm", "Admin BKPSDM", "admin_bkpsdm"),
    Guide("admin-unit", "Admin unit kerja (dinas, kecamatan)", "admin_dinkes, camat_banjarmasin_barat"),
    Guide("loket", "Lurah dan petugas loket kelurahan", "lurah_kuin_cerucuk"),
    Guide("pegawai", "Pegawai", "pegawai"),
    Guide("integrasi", "Admin integrasi data", "admin_diskominfotik"),
)}

# The page (URL name) → the guide and the section (heading id) that describes it.
HELP = {
    "dashboard:overview": ("walikota", "satu-layar"),
    "dashboard:map": ("walikota", "peta"),
    "dashboard:kelurahan": ("walikota", "peta"),
    "dashboard:units": ("walikota", "telusur"),
    "dashboard:unit": ("walikota", "telusur"),
    "dashboard:kecamatan_list": ("walikota", "telusur"),
    "dashboard:kecamatan": ("walikota", "telusur"),
    "dashboard:person": ("walikota", "telusur"),
    "dashboard:alerts": ("command-center", "peringatan"),
    "dashboard:rules": ("command-center", "aturan-peringatan"),
    "dashboard:rule_edit": ("command-center", "aturan-peringatan"),
    "dashboard:wall": ("command-center", "layar-dinding"),
    "cctv:grid": ("command-center", "kamera"),
    "cctv:camera": ("command-center", "kamera"),
    "cctv:crosscheck": ("command-center", "cek-silang"),
    "inspections:list": ("inspektur", "sidak"),
    "inspections:start": ("inspektur", "sidak"),
    "inspections:roster": ("inspektur", "sidak"),
    "inspections:report": ("inspektur", "laporan-sidak"),
    "integrity:list": ("inspektur", "integritas"),
    "integrity:finding": ("inspektur", "integritas"),
    "integrity:rules": ("inspektur", "integritas"),
    "audit:list": ("inspektur", "log-audit"),
    "org:employees": ("bkpsdm", "pegawai"),
    "org:employee": ("bkpsdm", "pegawai"),
    "org:employee_create": ("bkpsdm", "pegawai"),
    "org:employee_edit": ("bkpsdm", "pegawai"),
    "org:units": ("bkpsdm", "unit-kerja"),
    "org:unit": ("bkpsdm", "unit-kerja"),
    "org:regions": ("bkpsdm", "unit-kerja"),
    "attendance:calendar": ("bkpsdm", "kalender"),
    "attendance:tpp": ("bkpsdm", "tpp"),
    "attendance:devices": ("bkpsdm", "mesin"),
    "attendance:device": ("bkpsdm", "mesin"),
    "attendance:today": ("admin-unit", "kehadiran-hari-ini"),
    "attendance:recap": ("admin-unit", "rekap"),
    "attendance:holiday_returns": ("admin-unit", "rekap"),
    "attendance:leave_approvals": ("admin-unit", "cuti"),
    "attendance:schedules": ("admin-unit", "jadwal"),
    "attendance:correction": ("admin-unit", "koreksi"),
    "inspections:findings": ("admin-unit", "tindak-lanjut"),
    "inspections:finding": ("admin-unit", "tindak-lanjut"),
    "visits:desk_home": ("loket", "loket"),
    "visits:desk_counter_pick": ("loket", "loket"),
    "visits:desk": ("loket", "loket"),
    "visits_report:metrics": ("loket", "laporan"),
    "attendance:checkin": ("pegawai", "presensi"),
    "attendance:mine": ("pegawai", "kehadiran-saya"),
    "attendance:leave": ("pegawai", "cuti"),
    "integrations:hub_home": ("integrasi", "sumber-data"),
    "integrations:connector_new": ("integrasi", "sumber-data"),
    "integrations:connector_detail": ("integrasi", "sumber-data"),
    "integrations:connector_edit": ("integrasi", "sumber-data"),
    "integrations:run_detail": ("integrasi", "proses"),
    "integrations:upload_mapping": ("integrasi", "unggah"),
    "integrations:indicator_list": ("integrasi", "indikator"),
    "integrations:indicator_new": ("integrasi", "indikator"),
    "integrations:indicator_edit": ("integrasi", "indikator"),
    "integrations:catalogue": ("integrasi", "katalog"),
    "integrations:api_clients": ("integrasi", "klien-api"),
}


def help_url(view_name: str | None) -> str:
    """The help icon's target for a page: its section of the guide that describes it, else the list of guides."""
    slug, anchor = HELP.get(view_name or "", (None, None))
    if slug is None:
        return reverse("guides")
    return f"{GUIDES[slug].url}#{anchor}"


def render(guide: Guide) -> str:
    """The guide as HTML. The Markdown is the project's own (trusted) text; image links go through the image route."""
    import markdown  # imported here: only the guide pages need it

    html = markdown.markdown(guide.path.read_text(encoding="utf-8"),
                             extensions=["attr_list", "tables", "sane_lists"], output_format="html")
    return html.replace('src="img/', f'src="{reverse("guides")}img/')


def image_path(name: str) -> Path | None:
    """The screenshot file for a name from the URL, or None: only plain PNG names inside docs/panduan/img/."""
    if not IMAGE_NAME.match(name):
        return None
    path = (GUIDE_DIR / "img" / name).resolve()
    if path.parent != (GUIDE_DIR / "img").resolve() or not path.is_file():
        return None
    return path
