"""Formula-safe CSV and XLSX writing: every export goes through here.

Values from webhooks, uploads and forms reach exports. A spreadsheet program runs a CSV cell that starts with
=, +, -, @ (or a tab or carriage return) as a formula, so such text gets a leading apostrophe; XLSX cells are typed,
so there the text is only kept a string (openpyxl would store "=…" as a formula). Numbers stay numbers, and text
that is just a signed number ("-12,5") is left as it is.
"""

import csv
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def decimal_comma(value):
    """A fraction as Excel set to Indonesian reads it: 98.75 → "98,75" (no grouping: "1234,5"). Whole numbers,
    text and empty cells are left alone."""
    if isinstance(value, bool) or not isinstance(value, float | Decimal):
        return value
    if value != value:  # NaN
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def open_data_cell(value):
    """A cell of machine-readable open data: true/false (not Python's True/False), empty for nothing."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


class SafeCsvWriter:
    """csv.writer whose text cells cannot run as formulas. `decimal=","` writes fractions with a decimal comma."""

    def __init__(self, out, decimal: str = ".", **options):
        self._writer = csv.writer(out, **options)
        self._decimal = decimal

    def writerow(self, row) -> None:
        if self._decimal == ",":
            row = [decimal_comma(value) for value in row]
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options) -> SafeCsvWriter:
    return SafeCsvWriter(out, **options)


def spreadsheet_csv_writer(out, **options) -> SafeCsvWriter:
    """A CSV that opens right in Excel set to Indonesian: semicolons between cells (the Indonesian list separator)
    and decimal commas, so 98,75 stays a number and 1.234 is not read as a date or a thousand."""
    return SafeCsvWriter(out, decimal=",", delimiter=";", **options)


def xlsx_finish(sheet, *, header_row: int = 1, max_width: int = 50) -> None:
    """A readable sheet: bold frozen header, columns as wide as their contents, dates typed as dates shown
    dd/mm/yyyy, fractions with two decimals."""
    import datetime as dt

    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            value = cell.value
            if isinstance(value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
                length = 16
            elif isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
                length = 10
            elif isinstance(value, float | Decimal) and not isinstance(value, bool):
                cell.number_format = "#,##0.00"
                length = len(f"{value:,.2f}")
            else:
                length = max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, max_width)


def xlsx_append(sheet, values) -> None:
    """sheet.append, with text that looks like a formula kept as text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
