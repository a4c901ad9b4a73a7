"""The papers of a leave request: only real PDF and JPEG files within the limit, required where the city's rule says
so, changed only while pending by whoever may ask, and read only by those who may see the request."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from satulayar.attendance.choices import LeaveKind
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.leave_papers import (
    MAX_ATTACHMENTS,
    leave_attachment_add,
    leave_attachment_delete,
    paper_check,
)
from satulayar.attendance.models import LeaveAttachment, LeaveRequest
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.demo.papers import doctor_letter, letter_pdf, scan_jpeg

LEAVE = "/kehadiran/cuti/"
MONDAY, TUESDAY = dt.date(2018, 1, 8), dt.date(2018, 1, 9)
PDF = letter_pdf(["Surat keterangan dokter"])
JPEG = scan_jpeg(["Surat keterangan dokter"])


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name="surat.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def sick(actor, employee, attachments=(), start=MONDAY, end=TUESDAY):
    return leave_request_create(actor=actor, employee=employee, kind=LeaveKind.SICK, start_date=start, end_date=end,
                                reason="Demam berdarah", attachments=list(attachments))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the checks on one file -------------------------------------------------------------------------------------


def test_a_real_pdf_and_a_real_jpeg_pass_with_their_digest():
    pdf = paper_check(upload())
    jpeg = paper_check(upload("scan.JPEG", JPEG, "image/jpeg"))
    assert (pdf.content_type, jpeg.content_type) == ("application/pdf", "image/jpeg")
    assert len(pdf.sha256) == 64 and pdf.content == PDF


@pytest.mark.parametrize(("name", "content", "content_type", "message"), [
    ("surat.docx", PDF, "application/pdf",
     "Berkas surat.docx bukan PDF atau JPEG; lampiran hanya boleh PDF atau JPEG."),
    ("surat.pdf", PDF, "image/png", "Berkas surat.pdf bukan PDF atau JPEG; lampiran hanya boleh PDF atau JPEG."),
    ("surat.pdf", b"%PDF-1.4 no end", "application/pdf",
     "Isi berkas surat.pdf bukan PDF yang utuh; unggah berkas aslinya."),
    ("surat.pdf", JPEG, "application/pdf", "Isi berkas surat.pdf bukan PDF yang utuh; unggah berkas aslinya."),
    ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg",
     "Isi berkas foto.jpg bukan JPEG yang utuh; unggah berkas aslinya."),
    ("foto.jpg", PDF, "image/jpeg", "Isi berkas foto.jpg bukan JPEG yang utuh; unggah berkas aslinya."),
])
def test_another_type_or_a_file_that_is_not_what_it_claims_is_refused(name, content, content_type, message):
    with pytest.raises(ValidationError) as excinfo:
        paper_check(upload(name, content, content_type))
    assert excinfo.value.messages == [message]


def test_a_file_over_the_limit_is_refused_naming_the_limit(settings):
    settings.ATTENDANCE_LEAVE_ATTACHMENT_MAX_MB = 1
    big = PDF[:-6] + b" " * (1536 * 1024) + b"%%EOF\n"
    with pytest.raises(ValidationError) as excinfo:
        paper_check(upload("besar.pdf", big))
    assert excinfo.value.messages == ["Berkas besar.pdf berukuran 1,5 MB, melebihi batas 1 MB per lampiran."]


# --- papers with the request ------------------------------------------------------------------------------------


def test_sick_leave_of_more_than_a_day_needs_its_papers(org, personas):
    with pytest.raises(ValidationError) as excinfo:
        sick(personas.pegawai_dinkes, org.staff.p2p)
    assert excinfo.value.message_dict == {"attachments": [
        "Sakit lebih dari 1 hari kerja (diminta 2) wajib melampirkan surat pendukung (PDF atau JPEG)."]}
    assert not LeaveRequest.objects.exists()
    one_day = sick(personas.pegawai_dinkes, org.staff.p2p, end=MONDAY)  # one day: notice to the superior is enough
    assert not one_day.attachments.exists()


def test_papers_are_stored_privately_with_their_facts_and_audited(org, personas, private_media):
    request = sick(personas.pegawai_dinkes, org.staff.p2p, [doctor_letter("Rahmadi", 2),
                                                             doctor_letter("Rahmadi", 2, as_jpeg=True)])
    pdf, jpeg = request.attachments.order_by("pk")
    assert (pdf.original_name, pdf.content_type, pdf.uploaded_by) == (
        "surat-dokter.pdf", "application/pdf", personas.pegawai_dinkes)
    assert (jpeg.original_name, jpeg.content_type) == ("surat-dokter.jpg", "image/jpeg")
    assert pdf.file.name.startswith("leave-papers/") and "surat" not in pdf.file.name  # a random name
    assert (private_media / pdf.file.name).read_bytes().startswith(b"%PDF-") and pdf.size == pdf.file.size
    assert AuditEntry.objects.filter(object_type="attendance.leaveattachment", action="create").count() == 2


def test_bad_papers_refuse_the_whole_request(org, personas):
    with pytest.raises(ValidationError) as excinfo:
        sick(personas.pegawai_dinkes, org.staff.p2p, [upload(), upload("virus.exe", b"MZ", "application/pdf")])
    assert excinfo.value.message_dict["attachments"] == [
        "Berkas virus.exe bukan PDF atau JPEG; lampiran hanya boleh PDF atau JPEG."]
    with pytest.raises(ValidationError) as excinfo:
        sick(personas.pegawai_dinkes, org.staff.p2p, [upload() for _ in range(MAX_ATTACHMENTS + 1)])
    assert excinfo.value.message_dict["attachments"] == ["Paling banyak 5 lampiran per pengajuan."]
    assert not LeaveRequest.objects.exists() and not LeaveAttachment.objects.exists()


def test_papers_are_added_and_removed_while_pending_only(org, personas, django_capture_on_commit_callbacks,
                                                         private_media):
    request = sick(personas.pegawai_dinkes, org.staff.p2p, [upload()])
    with django_capture_on_commit_callbacks(execute=True):
        added = leave_attachment_add(actor=personas.pegawai_dinkes, request=request,
                                     upload=upload("scan.jpg", JPEG, "image/jpeg"))
    assert Event.objects.filter(kind="leave.attachment_added", data__attachment=added.pk).exists()
    first = request.attachments.order_by("pk").first()
    stored = private_media / first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        leave_attachment_delete(actor=personas.admin_dinas_kesehatan, attachment=first)
    assert not stored.exists()
    assert Event.objects.filter(kind="leave.attachment_deleted").exists()
    with pytest.raises(ValidationError, match="wajib berlampiran"):  # the last paper of a request that needs one
        leave_attachment_delete(actor=personas.pegawai_dinkes, attachment=added)
    for _ in range(MAX_ATTACHMENTS - 1):
        leave_attachment_add(actor=personas.pegawai_dinkes, request=request, upload=upload())
    with pytest.raises(ValidationError, match="Paling banyak 5 lampiran"):
        leave_attachment_add(actor=personas.pegawai_dinkes, request=request, upload=upload())
    leave_request_decide(actor=personas.admin_dinas_kesehatan, request=request, approve=True)
    with pytest.raises(ValidationError, match="hanya dapat diubah selama pengajuan menunggu"):
        leave_attachment_add(actor=personas.pegawai_dinkes, request=request, upload=upload())
    with pytest.raises(ValidationError, match="sudah disetujui"):
        leave_attachment_delete(actor=personas.pegawai_dinkes, attachment=added)


@pytest.mark.parametrize("who", ["outsider", "walikota", "inspektur", "lurah_kuin_cerucuk"])
def test_others_cannot_add_or_remove_papers(org, personas, who):
    request = sick(None, org.staff.p2p, [upload()])
    with pytest.raises(PermissionDenied):
        leave_attachment_add(actor=getattr(personas, who), request=request, upload=upload())
    with pytest.raises(PermissionDenied):
        leave_attachment_delete(actor=getattr(personas, who), attachment=request.attachments.get())
    assert request.attachments.count() == 1


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_form_sends_papers_and_the_page_lists_them(client_for, org):
    client = client_for("pegawai_dinkes")
    response = client.post(LEAVE, {"kind": "sakit", "start_date": "2018-01-08", "end_date": "2018-01-09",
                                   "reason": "Demam", "attachments": [upload(), upload("scan.jpg", JPEG,
                                                                                        "image/jpeg")]})
    assert response.status_code == 302
    request = LeaveRequest.objects.get()
    assert sorted(request.attachments.values_list("original_name", flat=True)) == ["scan.jpg", "surat.pdf"]
    page = text(client.get(LEAVE))
    for paper in request.attachments.all():
        assert f'href="/kehadiran/cuti/lampiran/{paper.pk}/"' in page
    assert 'data-testid="leave-paper-form"' in page


def test_the_form_names_the_type_and_the_limit(client_for, org):
    client = client_for("pegawai_dinkes")
    response = client.post(LEAVE, {"kind": "sakit", "start_date": "2018-01-08", "end_date": "2018-01-09",
                                   "reason": "Demam", "attachments": [upload("surat.png", b"\x89PNG", "image/png")]})
    assert response.status_code == 422
    assert "Berkas surat.png bukan PDF atau JPEG; lampiran hanya boleh PDF atau JPEG." in text(response)
    response = client.post(LEAVE, {"kind": "sakit", "start_date": "2018-01-08", "end_date": "2018-01-09",
                                   "reason": "Demam"})
    assert "wajib melampirkan surat pendukung" in text(response) and not LeaveRequest.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("pegawai_dinkes", 200), ("admin_dinas_kesehatan", 200), ("admin_bkpsdm", 200), ("walikota", 200),
    ("outsider", 404), ("lurah_kuin_cerucuk", 404),
])
def test_a_paper_is_served_only_to_those_who_see_the_request(client_for, org, persona, status):
    request = sick(None, org.staff.p2p, [upload()])
    paper = request.attachments.get()
    response = client_for(persona).get(f"/kehadiran/cuti/lampiran/{paper.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff" and "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF


def test_a_paper_of_another_unit_is_404_to_its_unit_admin(client_for, org):
    request = leave_request_create(actor=None, employee=org.staff.kominfo, kind=LeaveKind.SICK, start_date=MONDAY,
                                   end_date=TUESDAY, reason="Tifus", attachments=[upload()])
    paper = request.attachments.get()
    client = client_for("admin_dinas_kesehatan")
    assert client.get(f"/kehadiran/cuti/lampiran/{paper.pk}/").status_code == 404
    assert client.post(f"/kehadiran/cuti/lampiran/{paper.pk}/hapus/").status_code == 404
    assert client.post(f"/kehadiran/cuti/{request.pk}/lampiran/", {"file": upload()}).status_code == 404
    assert request.attachments.count() == 1


def test_the_page_adds_and_removes_a_paper(client_for, org):
    request = sick(None, org.staff.p2p, [upload()])
    client = client_for("pegawai_dinkes")
    response = client.post(f"/kehadiran/cuti/{request.pk}/lampiran/", {"file": upload("scan.jpg", JPEG,
                                                                                       "image/jpeg")})
    assert response.status_code == 302 and request.attachments.count() == 2
    response = client.post(f"/kehadiran/cuti/{request.pk}/lampiran/", {"file": upload("a.gif", b"GIF89a",
                                                                                       "image/gif")}, follow=True)
    assert "Berkas a.gif bukan PDF atau JPEG" in text(response) and request.attachments.count() == 2
    first = request.attachments.order_by("pk").first()
    assert client.post(f"/kehadiran/cuti/lampiran/{first.pk}/hapus/").status_code == 302
    assert request.attachments.count() == 1
