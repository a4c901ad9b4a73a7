"""The report as PDF (WeasyPrint, from the same report body template as the page) and as XLSX (openpyxl)."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from satulayar.attendance.schedules import city_zone
from satulayar.inspections.choices import FindingKind, Observation
from satulayar.inspections.selectors import inspection_report


def filename(inspection, ext: str) -> str:
    return f"sidak-{inspection.date:%Y%m%d}-{inspection.pk}-{slugify(inspection.title)[:40]}.{ext}"


def report_pdf(*, request, inspection) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango, which pages without a PDF do not need

    report = inspection_report(inspection=inspection)
    html = render_to_string("inspections/report_pdf.html", {
        "inspection": inspection, "report": report, "printed_at": timezone.now()}, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


def _local(value, zone) -> str:
    return value.astimezone(zone).strftime("%H:%M") if value else ""


def report_xlsx(*, inspection) -> bytes:
    report = inspection_report(inspection=inspection)
    zone = city_zone(inspection.city.timezone)
    book = Workbook()
    summary = book.active
    summary.title = _("Ringkasan")
    summary.append([inspection.title])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([_("Tanggal"), inspection.date.isoformat(), _("Mulai"), _local(inspection.started_at, zone),
                    _("Status"), inspection.get_status_display()])
    summary.append([])
    header = [_("Unit"), _("Terjadwal"), _("Diamati"), _("Ada di tempat"), _("Tercatat hadir"),
              _("Tingkat hadir diamati (%)"), _("Tingkat hadir tercatat (%)"), _("Temuan")]
    summary.append(header)
    for group in [*report.groups, None]:
        tally = group.tally if group else report.total
        summary.append([group.unit.label if group else _("Jumlah"), tally.scheduled, tally.observed,
                        tally.observed_present, tally.recorded_present,
                        float(tally.observed_rate) if tally.observed_rate is not None else None,
                        float(tally.recorded_rate) if tally.recorded_rate is not None else None, tally.findings])
    summary.append([])
    summary.append([_("Jenis temuan"), _("Jumlah")])
    for kind, count in report.findings_by_kind.items():
        summary.append([str(FindingKind(kind).label), count])
    roster = book.create_sheet(_("Daftar hadir"))
    roster.append([_("Unit"), _("Nama"), _("NIP"), _("Jabatan"), _("Status tercatat"), _("Absen masuk"),
                   _("Cuti/izin tercatat"), _("Pengamatan"), _("Waktu pengamatan"), _("Catatan"), _("Temuan")])
    for row in report.rows:
        employee = row.entry.employee
        roster.append([row.entry.unit.label, employee.name, employee.nip or "", employee.position, row.status,
                       _local(row.recorded.first_in, zone), row.recorded.leave_kind,
                       str(Observation(row.verdict.observation).label) if row.verdict.observation else "",
                       _local(row.verdict.observed_at, zone), "; ".join(m.note for m in row.marks if m.note),
                       str(FindingKind(row.finding).label) if row.finding else ""])
    findings = book.create_sheet(_("Temuan"))
    findings.append([_("Unit"), _("Nama"), _("Jenis temuan"), _("Uraian"), _("Ditugaskan ke"), _("Batas waktu"),
                     _("Status tindak lanjut")])
    for finding in inspection.findings.select_related("employee", "unit", "assigned_unit"):
        findings.append([finding.unit.label, finding.employee.name, finding.get_kind_display(), finding.detail,
                         finding.assigned_unit.label if finding.assigned_unit_id else "",
                         finding.due_date.isoformat() if finding.due_date else "",
                         finding.get_follow_up_status_display()])
    for sheet in book.worksheets:
        for cell in sheet[1 if sheet is not summary else 4]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
