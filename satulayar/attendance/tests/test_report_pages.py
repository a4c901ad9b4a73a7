"""The report pages: the monthly recap with its downloads, one employee's month with its TPP lines, and the
first working day after a long holiday. Who may open each, and the numbers each persona sees."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from openpyxl import load_workbook

from satulayar.attendance.choices import CalendarDayKind, DayStatus, PunchSource
from satulayar.attendance.models import CalendarDay, DailyStatus, Punch, TppPolicy
from satulayar.attendance.recap import tpp_rules_seed_default
from satulayar.attendance.status import daily_status_rebuild
from satulayar.audit.models import AuditEntry
from satulayar.core.time import local_date, zone_named

WITA = zone_named("Asia/Makassar")
RECAP = "/kehadiran/rekap/"
HOLIDAY = "/kehadiran/laporan/hari-pertama/"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class TableRows(HTMLParser):
    """The text of each cell of each body row of the table with the given data-testid."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.inside, self.section, self.rows, self.cell = testid, False, "", [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif self.inside and self.section == "tbody" and tag == "tr":
            self.rows.append([])
        elif self.inside and self.section == "tbody" and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(response, testid: str) -> list[list[str]]:
    parser = TableRows(testid)
    parser.feed(response.content.decode())
    return parser.rows


def day(employee, date: int, status: str, **fields) -> DailyStatus:
    """A work day of January 2019 (07.30-16.00) as the status helper would have written it."""
    return DailyStatus.objects.create(
        employee=employee, date=dt.date(2019, 1, date), status=status,
        scheduled_start=dt.datetime(2019, 1, date, 7, 30, tzinfo=WITA),
        scheduled_end=dt.datetime(2019, 1, date, 16, 0, tzinfo=WITA), **fields)


@pytest.fixture
def january(org):
    """January 2019, by hand:

    Rahmadi (Bidang P2P): 2 Jan late 15; 3 Jan late 35 and no departure; 4 Jan TK; 7 Jan sick; 8 Jan on time;
      9 Jan left 60 minutes early. 6 work days, 4 present, attendance 4/6 = 66,67 %.
      TPP: 0,5 (15 min) + 1 (35 min) + 0,5 (no departure) + 3 (TK) + 1 (60 min early) = 6,00 %.
    dr. Siti Rahmah (Dinas Kesehatan): 2 Jan present, 3 Jan TK: 2 work days, 50 %, TPP 3,00 %.
    Muhammad Iqbal (Diskominfotik): 2 Jan TK.
    Dinas Kesehatan with Bidang P2P: 8 work days, 5 present, 2 late, 2 TK, 1 sick: 62,50 %.
    """
    rahmadi, siti, iqbal = org.staff.p2p, org.staff.dinkes, org.staff.kominfo
    day(rahmadi, 2, DayStatus.PRESENT, late_minutes=15)
    day(rahmadi, 3, DayStatus.PRESENT, late_minutes=35, missing_out=True)
    day(rahmadi, 4, DayStatus.ABSENT)
    day(rahmadi, 7, DayStatus.SICK)
    day(rahmadi, 8, DayStatus.PRESENT)
    day(rahmadi, 9, DayStatus.PRESENT, early_minutes=60)
    day(siti, 2, DayStatus.PRESENT)
    day(siti, 3, DayStatus.ABSENT)
    day(iqbal, 2, DayStatus.ABSENT)
    tpp_rules_seed_default(city=org.city)
    return rahmadi


# --- who may open what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [RECAP, HOLIDAY, f"{RECAP}1/2019-01/"])
def test_anonymous_is_sent_to_the_login_page(org, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=")


@pytest.mark.parametrize("persona, status", [
    ("walikota", 200), ("inspektur", 200), ("admin_bkpsdm", 200), ("admin_dinas_kesehatan", 200),
    ("lurah_kuin_cerucuk", 200), ("pegawai_dinkes", 403), ("outsider", 403),
])
def test_report_pages_open_for_the_roles_that_read_employees(client_for, january, persona, status):
    client = client_for(persona)
    assert client.get(f"{RECAP}?bulan=2019-01").status_code == status
    assert client.get(f"{HOLIDAY}?tahun=2019").status_code == status


def test_downloads_are_refused_like_the_page(client_for, january, org):
    for persona in ("pegawai_dinkes", "outsider"):
        response = client_for(persona).get(f"{RECAP}?bulan=2019-01&unit={org.dinkes.pk}&unduh=xlsx")
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(object_type="attendance.recap").exists()


def test_a_unit_outside_the_scope_is_404_page_and_download(client_for, january, org):
    client = client_for("admin_dinas_kesehatan")
    assert client.get(f"{RECAP}?bulan=2019-01&unit={org.kominfo.pk}").status_code == 404
    assert client.get(f"{RECAP}?bulan=2019-01&unit={org.kominfo.pk}&unduh=xlsx").status_code == 404
    assert client.get(f"{RECAP}?bulan=2019-01&unit=abc").status_code == 404
    assert client_for("lurah_kuin_cerucuk").get(f"{RECAP}?unit={org.dinkes.pk}").status_code == 404


# --- the monthly recap -------------------------------------------------------------------------------------------


def test_unit_admin_sees_their_units_and_staff_with_real_numbers(client_for, january, org):
    response = client_for("admin_dinas_kesehatan").get(f"{RECAP}?bulan=2019-01")
    page = text(response)
    assert "Rekap kehadiran Januari 2019" in page
    units = table(response, "recap-units")
    assert [row[0] for row in units] == ["Dinas Kesehatan", "Bidang Pencegahan dan Pengendalian Penyakit"]
    # unit, employees, work days, present, late, late minutes, TK, leave, rate
    assert units[0] == ["Dinas Kesehatan", "2", "8", "5", "2", "50", "2", "1", "62,5%"]
    assert units[1] == ["Bidang Pencegahan dan Pengendalian Penyakit", "1", "6", "4", "2", "50", "1", "1", "66,7%"]
    employees = table(response, "recap-employees")  # the scope's top unit is chosen by itself
    siti, rahmadi = employees
    assert siti[0] == f"dr. Siti Rahmah {org.staff.dinkes.nip}"
    assert rahmadi[0] == f"Rahmadi, S.K.M. {january.nip} · Bidang Pencegahan dan Pengendalian Penyakit"
    assert rahmadi[1:] == ["6", "4", "2 / 50 mnt", "1 / 60 mnt", "1", "1", "0", "1", "0", "0", "0", "66,7%", "6,00%"]
    assert siti[1:] == ["2", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "50,0%", "3,00%"]
    assert "Muhammad Iqbal" not in page and "Diskominfotik" not in page
    assert f'href="/kehadiran/rekap/{january.pk}/2019-01/"' in page


def test_the_mayor_chooses_a_unit_for_the_staff_table(client_for, january, org):
    client = client_for("walikota")
    page = text(client.get(f"{RECAP}?bulan=2019-01"))
    assert 'data-testid="recap-choose-unit"' in page
    assert 'data-testid="recap-unit-total"' in page
    response = client.get(f"{RECAP}?bulan=2019-01&unit={org.kominfo.pk}")
    assert [row[0].startswith("Muhammad Iqbal") for row in table(response, "recap-employees")] == [True]


def test_xlsx_download_holds_the_numbers_of_the_page(client_for, january, org):
    client = client_for("admin_dinas_kesehatan")
    page_rows = table(client.get(f"{RECAP}?bulan=2019-01&unit={org.dinkes.pk}"), "recap-employees")
    response = client.get(f"{RECAP}?bulan=2019-01&unit={org.dinkes.pk}&unduh=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="rekap-kehadiran-2019-01-dinkes.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Rekap Januari 2019"
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, [cell.value for cell in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["Nama"] for r in rows] == ["dr. Siti Rahmah", "Rahmadi, S.K.M."]
    rahmadi = rows[1]
    assert rahmadi["NIP"] == january.nip
    assert (rahmadi["Hari kerja"], rahmadi["Hadir"], rahmadi["Terlambat (kali)"], rahmadi["Terlambat (menit)"],
            rahmadi["Tanpa keterangan (TK)"], rahmadi["Sakit"], rahmadi["Potongan TPP (%)"],
            rahmadi["Kehadiran (%)"]) == (6, 4, 2, 50, 1, 1, 6.0, 66.67)
    for page_row, row in zip(page_rows, rows, strict=True):  # the same numbers as the page
        assert page_row[0].startswith(row["Nama"])
        assert page_row[1:3] == [str(row["Hari kerja"]), str(row["Hadir"])]
        assert page_row[6] == str(row["Tanpa keterangan (TK)"])
        assert page_row[-1] == f"{row['Potongan TPP (%)']:.2f}%".replace(".", ",")
    entry = AuditEntry.objects.get(object_type="attendance.recap")
    assert (entry.action, entry.object_repr) == ("view", "rekap-kehadiran-2019-01-dinkes.xlsx")


def test_csv_download_and_the_unit_table_download(client_for, january, org):
    client = client_for("walikota")
    response = client.get(f"{RECAP}?bulan=2019-01&unit={org.p2p.pk}&unduh=csv")
    assert response["Content-Disposition"] == 'attachment; filename="rekap-kehadiran-2019-01-dinkes-p2p.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["NIP", "Nama", "Unit kerja", "Hari kerja"]
    assert rows[1][1:5] == ["Rahmadi, S.K.M.", "Bidang Pencegahan dan Pengendalian Penyakit", "6", "4"]
    assert rows[1][-1] == "6,00"  # a decimal comma: Excel set to Indonesian reads it as a number

    units = client.get(f"{RECAP}?bulan=2019-01&isi=unit&unduh=xlsx")
    assert units["Content-Disposition"] == 'attachment; filename="rekap-kehadiran-2019-01-per-unit-banjarmasin.xlsx"'
    sheet = load_workbook(io.BytesIO(units.content)).active
    values = {row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=2)}
    assert values["Dinas Kesehatan"][1:5] == [2, 8, 5, 2]  # employees, work days, present, late
    assert values["Dinas Komunikasi, Informatika dan Statistik"][1:4] == [1, 1, 0]


def test_a_future_month_says_so(client_for, january):
    page = text(client_for("walikota").get(f"{RECAP}?bulan=2999-01"))
    assert "Bulan ini belum berjalan." in page


# --- one employee's month ---------------------------------------------------------------------------------------


def test_tpp_detail_lists_each_deduction_line_and_the_cap(client_for, january):
    response = client_for("admin_dinas_kesehatan").get(f"{RECAP}{january.pk}/2019-01/")
    assert response.status_code == 200
    lines = table(response, "tpp-lines")
    assert lines == [
        ["Rab, 2 Jan", "Terlambat", "15", "0,50%"],
        ["Kam, 3 Jan", "Terlambat", "35", "1,00%"],
        ["Kam, 3 Jan", "Tidak absen pulang", "–", "0,50%"],
        ["Jum, 4 Jan", "Tanpa keterangan", "–", "3,00%"],
        ["Rab, 9 Jan", "Pulang cepat", "60", "1,00%"],
    ]
    page = text(response)
    assert 'data-testid="tpp-sum">6,00%<' in page
    assert "Batas potongan per bulan 100,00%" in page
    assert 'data-testid="tpp-total">6,00%<' in page
    assert len(table(response, "employee-days")) == 6
    assert f'href="/kehadiran/koreksi/{january.pk}/?tanggal=2019-01-04"' in page  # the unit admin corrects


def test_tpp_detail_shows_the_cap_when_it_bites(client_for, january, org):
    TppPolicy.objects.filter(city=org.city).update(monthly_cap_percent=Decimal("5"))
    page = text(client_for("walikota").get(f"{RECAP}{january.pk}/2019-01/"))
    assert "Dibatasi sampai" in page
    assert 'data-testid="tpp-sum">6,00%<' in page and 'data-testid="tpp-total">5,00%<' in page
    assert "/kehadiran/koreksi/" not in page  # the mayor reads, does not correct


def test_tpp_detail_follows_the_scope(client_for, january, org):
    assert client_for("pegawai_dinkes").get(f"{RECAP}{january.pk}/2019-01/").status_code == 200  # their own
    assert client_for("pegawai_dinkes").get(f"{RECAP}{org.staff.dinkes.pk}/2019-01/").status_code == 404
    assert client_for("admin_dinas_kesehatan").get(f"{RECAP}{org.staff.kominfo.pk}/2019-01/").status_code == 404
    assert client_for("lurah_kuin_cerucuk").get(f"{RECAP}{january.pk}/2019-01/").status_code == 404
    assert client_for("outsider").get(f"{RECAP}{january.pk}/2019-01/").status_code == 403
    assert client_for("walikota").get(f"{RECAP}{january.pk}/2019-13/").status_code == 404
    assert client_for("walikota").get(f"{RECAP}999999/2019-01/").status_code == 404


# --- the first working day after a long holiday ---------------------------------------------------------------


@pytest.fixture
def new_year_2018(org):
    """Tuesday 2 January 2018 (after Tahun Baru and a weekend) against Tuesday 9 January."""
    CalendarDay.objects.create(city=org.city, date=dt.date(2018, 1, 1), kind=CalendarDayKind.NATIONAL_HOLIDAY,
                               name="Tahun Baru Masehi")
    staff = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan]
    on_jan_2 = [(7, 20), (8, 10), (9, 0), None, None]  # two late, two away
    on_jan_9 = [(7, 20), (7, 25), (7, 40), (7, 28), None]  # one late, one away
    for date, arrivals in ((2, on_jan_2), (9, on_jan_9)):
        for employee, arrival in zip(staff, arrivals, strict=True):
            if arrival:
                Punch.objects.create(employee=employee, at=dt.datetime(2018, 1, date, *arrival, tzinfo=WITA),
                                     source=PunchSource.DEVICE)
    daily_status_rebuild(city=org.city, start=dt.date(2018, 1, 2), end=dt.date(2018, 1, 9),
                         now=dt.datetime(2018, 2, 1, 9, tzinfo=WITA))


def test_the_mayor_reads_the_first_working_day_of_2018(client_for, new_year_2018, org):
    response = client_for("walikota").get(f"{HOLIDAY}?tahun=2018")
    page = text(response)
    assert 'data-testid="headline-date">Selasa, 2 Januari 2018<' in page
    assert "Hari pertama kerja setelah Tahun Baru Masehi" in page
    assert "60,0%" in page and "80,0%" in page  # 3 of 5 against 4 of 5
    assert "Turun 20,0 poin." in page
    assert 'data-testid="headline-late">2<' in page and 'data-testid="headline-absent">2<' in page
    assert "Hari biasa: Selasa, 9 Januari 2018." in page
    assert table(response, "holiday-days") == [["Sel, 2 Jan", "Tahun Baru Masehi", "60,0% 80,0%", "2 / 1", "2 / 1"]]
    units = {row[0]: row[1:] for row in table(response, "holiday-units")}
    assert units["Dinas Kesehatan"] == ["2", "100,0% 100,0%", "1 / 0", "0 / 0"]
    assert units["Dinas Komunikasi, Informatika dan Statistik"] == ["1", "100,0% 100,0%", "1 / 1", "0 / 0"]
    assert units["Sekretariat Daerah"] == ["1", "0,0% 100,0%", "0 / 0", "1 / 0"]
    assert list(units) == ["Sekretariat Daerah", "Kecamatan Banjarmasin Barat", "Dinas Kesehatan",
                           "Dinas Komunikasi, Informatika dan Statistik"]  # the weakest first day on top


def test_the_unit_admin_reads_their_units_only(client_for, new_year_2018, org):
    response = client_for("admin_dinas_kesehatan").get(f"{HOLIDAY}?tahun=2018&tanggal=2018-01-02")
    page = text(response)
    assert 'data-testid="headline-expected">2<' in page and 'data-testid="headline-late">1<' in page
    assert [row[0] for row in table(response, "holiday-units")] == [
        "Dinas Kesehatan", "Bidang Pencegahan dan Pengendalian Penyakit"]
    assert "Diskominfotik" not in page and "Sekretariat Daerah" not in page


def test_a_year_not_offered_falls_back_to_this_year_and_its_first_work_day(client_for, new_year_2018, org):

    response = client_for("walikota").get(f"{HOLIDAY}?tahun=1990")
    assert response.status_code == 200
    this_year = local_date(org.city).year
    assert f"?tahun={this_year}&amp;tanggal={this_year}-01-0" in text(response)
