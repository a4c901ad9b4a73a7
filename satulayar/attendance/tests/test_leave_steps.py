"""Two-step approval: the direct superior first, then BKPSDM where the city's rule table says so; the rule table
itself (defaults, edits by the city HR admin only) and the page that shows each step with who and when."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from satulayar.attendance.choices import DayStatus, LeaveKind, RequestStatus
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.attendance.leave_rules import leave_rule_for, leave_rule_save
from satulayar.attendance.models import DailyStatus, LeaveRule
from satulayar.attendance.status import daily_status_rebuild
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.demo.papers import letter_pdf
from satulayar.org.choices import Role
from satulayar.org.models import Unit
from tests.factories import login_as, make_user

MONDAY, TUESDAY, WEDNESDAY = dt.date(2018, 1, 8), dt.date(2018, 1, 9), dt.date(2018, 1, 10)
RULES, APPROVALS = "/kehadiran/cuti/aturan/", "/kehadiran/cuti/persetujuan/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kepala_dinas(org):
    """dr. Siti Rahmah heads Dinas Kesehatan (above Bidang P2P) and logs in."""
    head = org.staff.dinkes
    head.user = make_user("kepala_dinkes")
    head.save()
    Unit.objects.filter(pk=org.dinkes.pk).update(head=head)
    return head.user


@pytest.fixture
def bkpsdm_kedua(org):
    """A second HR admin of the city."""
    return make_user("verifikator_bkpsdm", Role.HR_ADMIN, org.city)


def study(actor, employee):
    paper = SimpleUploadedFile("sk-tugas-belajar.pdf", letter_pdf(["SK Tugas Belajar"]), "application/pdf")
    return leave_request_create(actor=actor, employee=employee, kind=LeaveKind.STUDY, start_date=MONDAY,
                                end_date=TUESDAY, reason="Tugas belajar S2 Epidemiologi", attachments=[paper])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the rule table ------------------------------------------------------------------------------------------------


def test_defaults_follow_the_civil_service_rules_until_the_city_changes_them(org, personas):
    sick = leave_rule_for(city_id=org.city.pk, kind=LeaveKind.SICK)
    assert (sick.pk, sick.attachment_over_days, sick.bkpsdm_over_days) == (None, 1, 14)
    annual = leave_rule_for(city_id=org.city.pk, kind=LeaveKind.ANNUAL)
    assert (annual.attachment_over_days, annual.bkpsdm_over_days) == (None, 12)
    leave_rule_save(actor=personas.admin_bkpsdm, city=org.city, kind=LeaveKind.ANNUAL, attachment_over_days=None,
                    bkpsdm_over_days=1)
    assert leave_rule_for(city_id=org.city.pk, kind=LeaveKind.ANNUAL).bkpsdm_over_days == 1
    assert AuditEntry.objects.filter(object_type="attendance.leaverule", action="create").exists()
    request = leave_request_create(actor=None, employee=org.staff.p2p, kind=LeaveKind.ANNUAL, start_date=MONDAY,
                                   end_date=TUESDAY, reason="Umrah")
    assert request.needs_bkpsdm  # two working days, over the city's limit of one


@pytest.mark.parametrize("who", ["admin_dinas_kesehatan", "walikota", "pegawai_dinkes", "outsider"])
def test_only_the_city_hr_admin_edits_the_rules(org, personas, who):
    with pytest.raises(PermissionDenied):
        leave_rule_save(actor=getattr(personas, who), city=org.city, kind=LeaveKind.SICK, attachment_over_days=0,
                        bkpsdm_over_days=None)
    assert not LeaveRule.objects.exists()


def test_a_bad_rule_is_refused_with_its_reason(org, personas):
    with pytest.raises(ValidationError) as excinfo:
        leave_rule_save(actor=personas.admin_bkpsdm, city=org.city, kind="cuti_haji", attachment_over_days=400,
                        bkpsdm_over_days=None)
    assert excinfo.value.message_dict == {"kind": ["Jenis cuti/izin tidak dikenal."], "attachment_over_days": [
        "Batas harus antara 0 dan 365 hari kerja, atau kosong."]}
    with pytest.raises(ValidationError) as excinfo:
        leave_rule_save(actor=personas.admin_bkpsdm, city=org.city, kind=LeaveKind.SICK, attachment_over_days=1,
                        bkpsdm_over_days=14, collective_leave_deducted=True)
    assert excinfo.value.message_dict == {"collective_leave_deducted": [
        "Pengurangan karena cuti bersama hanya berlaku untuk cuti tahunan."]}


def test_the_rules_page_saves_one_kind(client_for, org, django_capture_on_commit_callbacks):
    client = client_for("admin_bkpsdm")
    page = text(client.get(RULES))
    assert 'data-testid="leave-rule-sakit"' in page and "bawaan" in page
    assert page.count('name="cuti-collective_leave_deducted"') == 1  # on the cuti tahunan rule only
    response = client.post(RULES, {"kind": "cuti", "cuti-attachment_over_days": "", "cuti-bkpsdm_over_days": "12",
                                   "cuti-collective_leave_deducted": "on"})
    assert response.status_code == 302
    assert LeaveRule.objects.get(city=org.city, kind=LeaveKind.ANNUAL).collective_leave_deducted
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RULES, {"kind": "sakit", "sakit-attachment_over_days": "2",
                                       "sakit-bkpsdm_over_days": ""})
    assert response.status_code == 302
    rule = LeaveRule.objects.get(city=org.city, kind=LeaveKind.SICK)
    assert (rule.attachment_over_days, rule.bkpsdm_over_days) == (2, None)
    assert Event.objects.filter(kind="leave.rule_saved", data__kind="sakit").exists()
    response = client.post(RULES, {"kind": "sakit", "sakit-attachment_over_days": "-1"})
    assert response.status_code == 422
    assert LeaveRule.objects.get(city=org.city, kind=LeaveKind.SICK).attachment_over_days == 2


@pytest.mark.parametrize(("persona", "status"), [("admin_bkpsdm", 200), ("admin_dinas_kesehatan", 403),
                                                 ("walikota", 403), ("pegawai_dinkes", 403)])
def test_the_rules_page_opens_for_the_city_hr_admin_only(client_for, org, persona, status):
    client = client_for(persona)
    assert client.get(RULES).status_code == status
    response = client.post(RULES, {"kind": "izin", "izin-attachment_over_days": "0"})
    assert response.status_code == (302 if status == 200 else status)
    assert LeaveRule.objects.filter(kind=LeaveKind.PERMIT).exists() == (status == 200)


# --- two steps -----------------------------------------------------------------------------------------------------


def test_superior_then_bkpsdm_and_only_then_the_days_change(org, personas, kepala_dinas, bkpsdm_kedua,
                                                            django_capture_on_commit_callbacks):
    daily_status_rebuild(city=org.city, start=MONDAY, end=WEDNESDAY)
    request = study(personas.pegawai_dinkes, org.staff.p2p)
    assert request.needs_bkpsdm
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = leave_request_decide(actor=kepala_dinas, request=request, approve=True, note="Didukung")
    assert (forwarded.status, forwarded.superior_by, forwarded.superior_note) == (
        RequestStatus.PENDING, kepala_dinas, "Didukung")
    assert forwarded.decided_by is None
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=MONDAY).status == DayStatus.ABSENT
    assert Event.objects.filter(kind="leave.forwarded", data__request=request.pk).exists()
    for actor in (kepala_dinas, personas.admin_dinas_kesehatan, personas.walikota, personas.pegawai_dinkes):
        with pytest.raises(PermissionDenied):
            leave_request_decide(actor=actor, request=request, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        decided = leave_request_decide(actor=bkpsdm_kedua, request=request, approve=True)
    assert (decided.status, decided.decided_by) == (RequestStatus.APPROVED, bkpsdm_kedua)
    assert DailyStatus.objects.get(employee=org.staff.p2p, date=MONDAY).status == DayStatus.STUDY
    assert Event.objects.filter(kind="leave.decided", data__request=request.pk).exists()
    updates = AuditEntry.objects.filter(object_type="attendance.leaverequest", object_id=str(request.pk),
                                        action="update").order_by("pk")
    assert [entry.after["status"] for entry in updates] == ["pending", "approved"]
    assert updates[0].after["superior_by"] == kepala_dinas.pk


def test_bkpsdm_cannot_approve_both_steps(org, personas, bkpsdm_kedua):
    request = study(personas.pegawai_dinkes, org.staff.p2p)
    leave_request_decide(actor=personas.admin_bkpsdm, request=request, approve=True)  # as the admin over them
    with pytest.raises(PermissionDenied, match="menunggu persetujuan BKPSDM"):
        leave_request_decide(actor=personas.admin_bkpsdm, request=request, approve=True)
    leave_request_decide(actor=bkpsdm_kedua, request=request, approve=False, note="Formasi tidak tersedia")
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REJECTED, "Formasi tidak tersedia")


def test_the_superior_refuses_and_bkpsdm_never_sees_it(org, personas, kepala_dinas):
    request = study(personas.pegawai_dinkes, org.staff.p2p)
    with pytest.raises(PermissionDenied):
        leave_request_decide(actor=personas.outsider, request=request, approve=True)
    leave_request_decide(actor=kepala_dinas, request=request, approve=False, note="Beban kerja bidang")
    request.refresh_from_db()
    assert (request.status, request.superior_at) == (RequestStatus.REJECTED, None)


def test_the_pages_show_each_step_and_offer_the_decision_to_the_right_person(org, personas, kepala_dinas,
                                                                            bkpsdm_kedua):
    request = study(personas.pegawai_dinkes, org.staff.p2p)
    head = Client()
    login_as(head, kepala_dinas)
    response = head.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui", "note": "Didukung"})
    assert response.status_code == 302
    page = text(head.get(f"{APPROVALS}?status=pending"))
    assert "Disetujui atasan: kepala_dinkes" in page and "Menunggu persetujuan BKPSDM" in page
    assert 'data-testid="leave-decide-form"' not in page  # the head's step is done
    second = Client()
    login_as(second, bkpsdm_kedua)
    page = text(second.get(APPROVALS))
    assert 'data-testid="leave-decide-form"' in page and "sk-tugas-belajar.pdf" in page
    first = Client()
    login_as(first, personas.admin_bkpsdm)
    assert 'data-testid="leave-decide-form"' in text(first.get(APPROVALS))  # not the one who approved step one
    response = second.post(f"/kehadiran/cuti/{request.pk}/putuskan/", {"keputusan": "setujui"},
                           HTTP_HX_REQUEST="true")
    assert "BKPSDM: oleh verifikator_bkpsdm" in text(response)
    employee = Client()
    login_as(employee, personas.pegawai_dinkes)
    page = text(employee.get("/kehadiran/cuti/"))
    assert "Disetujui atasan: kepala_dinkes" in page and "BKPSDM: oleh verifikator_bkpsdm" in page


def test_a_step_the_system_approved_shows_as_the_systems(org, personas, bkpsdm_kedua):
    """Imports and the demo decide without a person: the page says so instead of failing."""
    request = leave_request_decide(actor=None, request=study(personas.pegawai_dinkes, org.staff.p2p), approve=True)
    assert request.status == RequestStatus.PENDING and request.superior_by is None
    client = Client()
    login_as(client, bkpsdm_kedua)
    response = client.get(APPROVALS)
    assert response.status_code == 200
    assert "Disetujui atasan: sistem" in text(response) and "Menunggu persetujuan BKPSDM" in text(response)
