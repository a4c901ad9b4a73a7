"""Recap exports: a spreadsheet with a bold frozen header and real numbers, and the same as CSV."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from satulayar.attendance.exports import recap_csv, recap_xlsx
from satulayar.attendance.recap import EmployeeRecap, UnitRecap

ROWS = [
    EmployeeRecap(employee_id=1, nip="198503142010011001", name="Rahmadi, S.K.M.", unit_name="Bidang P2P",
                  work_days=22, present=19, late_count=5, late_minutes=291, early_count=1, early_minutes=60,
                  missing_out=1, absent=1, sick=2, tpp_percent=Decimal("9.25")),
    EmployeeRecap(employee_id=2, nip="", name="Fauzan Akbar", unit_name="Kelurahan Kuin Cerucuk", work_days=22,
                  present=22),
]
HEADER = ["NIP", "Nama", "Unit kerja", "Hari kerja", "Hadir", "Terlambat (kali)", "Terlambat (menit)",
          "Pulang cepat (kali)", "Pulang cepat (menit)", "Tidak absen pulang", "Tanpa keterangan (TK)", "Cuti",
          "Sakit", "Izin", "Dinas luar", "Tugas belajar", "Kehadiran (%)", "Potongan TPP (%)"]


def test_xlsx_has_a_bold_frozen_indonesian_header_and_numbers():
    book = load_workbook(io.BytesIO(recap_xlsx(rows=ROWS, title="Rekap Januari 2019")))
    sheet = book.active
    assert sheet.title == "Rekap Januari 2019"
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    first = [cell.value for cell in sheet[2]]
    assert first == ["198503142010011001", "Rahmadi, S.K.M.", "Bidang P2P", 22, 19, 5, 291, 1, 60, 1, 1, 0, 2, 0,
                     0, 0, 86.36, 9.25]
    assert isinstance(sheet["A2"].value, str)  # 18 digits stay text
    assert isinstance(sheet["D2"].value, int) and isinstance(sheet["Q2"].value, float)
    assert sheet["Q2"].number_format == "0.00"
    assert [cell.value for cell in sheet[3]][-2:] == [100, None]  # TPP not computed: an empty cell
    assert sheet.max_row == 3


def test_unit_rows_get_unit_columns():
    rows = [UnitRecap(unit_id=1, unit_name="Dinas Kesehatan", employees=2, work_days=44, present=19)]
    sheet = load_workbook(io.BytesIO(recap_xlsx(rows=rows))).active
    assert [cell.value for cell in sheet[1]][:4] == ["Unit kerja", "Jumlah pegawai", "Hari kerja", "Hadir"]
    assert [cell.value for cell in sheet[2]][:4] == ["Dinas Kesehatan", 2, 44, 19]
    assert sheet[2][-1].value == 43.18
    assert sheet.title == "Rekap kehadiran"


def test_csv_is_utf8_with_bom_and_the_same_columns():
    data = recap_csv(rows=ROWS, delimiter=",")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert rows[1] == ["198503142010011001", "Rahmadi, S.K.M.", "Bidang P2P", "22", "19", "5", "291", "1", "60",
                       "1", "1", "0", "2", "0", "0", "0", "86.36", "9.25"]
    assert rows[2][-2:] == ["100.00", ""]
    indonesian = recap_csv(rows=ROWS).decode("utf-8-sig")  # the default: as Excel set to Indonesian reads it
    assert indonesian.splitlines()[1].startswith("198503142010011001;Rahmadi, S.K.M.;Bidang P2P;22;")
    assert indonesian.splitlines()[1].endswith(";86,36;9,25")
