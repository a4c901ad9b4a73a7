"""The report as PDF (WeasyPrint, from the same report body template as the page) and as XLSX (openpyxl)."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from satulayar.core.spreadsheet import xlsx_append, xlsx_finish
from satulayar.inspections.choices import FindingKind, FollowUpStatus, Observation
from satulayar.inspections.selectors import inspection_report
from satulayar.org.choices import UnitKind
from satulayar.org.models import Employee


def filename(inspection, ext: str) -> str:
    return f"sidak-{inspection.date:%Y%m%d}-{inspection.pk}-{slugify(inspection.title)[:40]}.{ext}"


def report_pdf(*, request, inspection) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango, which pages without a PDF do not need

    report = inspection_report(inspection=inspection)
    html = render_to_string("inspections/report_pdf.html", {
        "inspection": inspection, "report": report, "printed_at": timezone.now(), **letter(inspection)},
        request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


def is_overdue(finding, today) -> bool:
    """A follow-up past its due date and not done."""
    return bool(finding.due_date and finding.due_date < today and finding.follow_up_status != FollowUpStatus.DONE)


def letter(inspection) -> dict:
    """The letterhead's office (the city's inspectorate) and the signature block's lead inspector: name and NIP
    from the employee record of the account that signed (or leads) the inspection."""
    inspectorate = inspection.city.units.filter(kind=UnitKind.INSPEKTORAT, active=True).order_by("path").first()
    signer = inspection.signed_by or inspection.lead
    employee = Employee.objects.filter(user=signer).first()
    zone = inspection.city.zone
    signed_on = inspection.closed_at.astimezone(zone).date() if inspection.closed_at else inspection.date
    return {"office_name": inspectorate.name if inspectorate else _("Inspektorat Daerah"),
            "signer_name": employee.name if employee else (signer.get_full_name() or signer.username),
            "signer_nip": employee.nip if employee else "", "signed_on": signed_on}


def _local(value, zone) -> str:
    return value.astimezone(zone).strftime("%H:%M") if value else ""


def report_xlsx(*, inspection) -> bytes:
    report = inspection_report(inspection=inspection)
    zone = inspection.city.zone
    book = Workbook()
    summary = book.active
    summary.title = _("Ringkasan")
    xlsx_append(summary, [inspection.title])
    summary["A1"].font = Font(bold=True, size=13)
    xlsx_append(summary, [_("Tanggal"), inspection.date, _("Mulai"), _local(inspection.started_at, zone),
                    _("Status"), inspection.get_status_display()])
    xlsx_append(summary, [])
    header = [_("Unit"), _("Terjadwal"), _("Diamati"), _("Ada di tempat"), _("Tercatat hadir"),
              _("Tingkat hadir diamati (%)"), _("Tingkat hadir tercatat (%)"), _("Temuan")]
    xlsx_append(summary, header)
    for group in [*report.groups, None]:
        tally = group.tally if group else report.total
        xlsx_append(summary, [group.unit.label if group else _("Jumlah"), tally.scheduled, tally.observed,
                        tally.observed_present, tally.recorded_present,
                        float(tally.observed_rate) if tally.observed_rate is not None else None,
                        float(tally.recorded_rate) if tally.recorded_rate is not None else None, tally.findings])
    xlsx_append(summary, [])
    xlsx_append(summary, [_("Jenis temuan"), _("Jumlah")])
    for kind, count in report.findings_by_kind.items():
        xlsx_append(summary, [str(FindingKind(kind).label), count])
    roster = book.create_sheet(_("Daftar hadir"))
    xlsx_append(roster, [_("Unit"), _("Nama"), _("NIP"), _("Jabatan"), _("Status tercatat"), _("Absen masuk"),
                   _("Cuti/izin tercatat"), _("Pengamatan"), _("Waktu pengamatan"), _("Catatan"), _("Temuan")])
    for row in report.rows:
        employee = row.entry.employee
        xlsx_append(roster, [row.entry.unit.label, employee.name, employee.nip or "", employee.position, row.status,
                       _local(row.recorded.first_in, zone), row.recorded.leave_kind,
                       str(Observation(row.verdict.observation).label) if row.verdict.observation else "",
                       _local(row.verdict.observed_at, zone), "; ".join(m.note for m in row.marks if m.note),
                       str(FindingKind(row.finding).label) if row.finding else ""])
    findings = book.create_sheet(_("Temuan"))
    xlsx_append(findings, [_("Unit"), _("Nama"), _("Jenis temuan"), _("Uraian"), _("Ditugaskan ke"), _("Batas waktu"),
                     _("Status tindak lanjut"), _("Lewat batas waktu")])
    today = timezone.localdate(timezone=zone)
    for finding in inspection.findings.select_related("employee", "unit", "assigned_unit"):
        xlsx_append(findings, [finding.unit.label, finding.employee.name, finding.get_kind_display(), finding.detail,
                         finding.assigned_unit.label if finding.assigned_unit_id else "",
                         finding.due_date, finding.get_follow_up_status_display(),
                         _("ya") if is_overdue(finding, today) else ""])
    xlsx_finish(summary, header_row=4)
    summary["B2"].number_format = "dd/mm/yyyy"
    summary["A1"].font = Font(bold=True, size=13)
    xlsx_finish(roster)
    xlsx_finish(findings)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
