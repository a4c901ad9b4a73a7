"""The monthly recap as a spreadsheet (XLSX) or CSV, with Indonesian column names.

Rows are `EmployeeRecap` or `UnitRecap` objects (one kind per file); numbers stay numbers, the NIP stays
text so that its 18 digits survive.
"""

import io
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from satulayar.attendance.recap import EmployeeRecap, UnitRecap
from satulayar.core.spreadsheet import csv_writer, xlsx_append

Column = tuple[str, Callable[[object], object]]


def _counts_columns() -> list[Column]:
    return [
        (_("Hari kerja"), lambda r: r.work_days),
        (_("Hadir"), lambda r: r.present),
        (_("Terlambat (kali)"), lambda r: r.late_count),
        (_("Terlambat (menit)"), lambda r: r.late_minutes),
        (_("Pulang cepat (kali)"), lambda r: r.early_count),
        (_("Pulang cepat (menit)"), lambda r: r.early_minutes),
        (_("Tidak absen pulang"), lambda r: r.missing_out),
        (_("Tanpa keterangan (TK)"), lambda r: r.absent),
        (_("Cuti"), lambda r: r.annual_leave),
        (_("Sakit"), lambda r: r.sick),
        (_("Izin"), lambda r: r.permit),
        (_("Dinas luar"), lambda r: r.field_duty),
        (_("Tugas belajar"), lambda r: r.study),
        (_("Kehadiran (%)"), lambda r: r.attendance_rate),
    ]


def _columns(rows: Sequence) -> list[Column]:
    if rows and isinstance(rows[0], UnitRecap):
        return [(_("Unit kerja"), lambda r: r.unit_name), (_("Jumlah pegawai"), lambda r: r.employees),
                *_counts_columns()]
    return [(_("NIP"), lambda r: r.nip), (_("Nama"), lambda r: r.name), (_("Unit kerja"), lambda r: r.unit_name),
            *_counts_columns(), (_("Potongan TPP (%)"), lambda r: r.tpp_percent)]


def _table(rows: Sequence[EmployeeRecap | UnitRecap]) -> tuple[list[str], list[list]]:
    columns = _columns(rows)
    return [title for title, _value in columns], [[value(row) for _title, value in columns] for row in rows]


def recap_xlsx(*, rows: Sequence[EmployeeRecap | UnitRecap], title: str = "") -> bytes:
    header, body = _table(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = (title or _("Rekap kehadiran"))[:31]
    xlsx_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in body:
        xlsx_append(sheet, values)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        widest = max([len(name), *(len(str(values[index - 1] or "")) for values in body)])
        sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, 50)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def recap_csv(*, rows: Sequence[EmployeeRecap | UnitRecap], delimiter: str = ";") -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the names right. By default as Excel set to
    Indonesian reads it (semicolons, decimal commas); `delimiter=","` gives plain CSV with decimal points."""
    header, body = _table(rows)
    out = io.StringIO()
    writer = csv_writer(out, delimiter=delimiter, decimal="," if delimiter == ";" else ".", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if value is None else value for value in values] for values in body])
    return out.getvalue().encode("utf-8-sig")
