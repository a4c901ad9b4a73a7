"""Leave requests still open on the demo's first day, so that the approval pages open on work to do: cuti tahunan
for the coming weeks waiting for the unit head (one of them the `pegawai` login's own), and two long requests the
head has approved that now wait for BKPSDM (a tugas belajar with its SK, an operation with its surat dokter).
Made through the same services as a request from the leave page, deterministically from the seed."""

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from satulayar.attendance.choices import LeaveKind
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.demo.generator import indonesian_number
from satulayar.demo.papers import doctor_letter, letter_pdf
from satulayar.org.models import Employee

WAITING_FOR_HEAD = 7
SURGERY_DAYS = 35  # over 14 working days even across the year-end holidays: BKPSDM decides after the head
ANNUAL_REASONS = (
    "Acara pernikahan adik di Martapura",
    "Mengantar orang tua berobat ke Banjarbaru",
    "Libur sekolah anak, pulang kampung ke Amuntai",
    "Urusan keluarga di Kandangan",
    "Menghadiri wisuda anak di Yogyakarta",
    "Keperluan keluarga, pindah rumah",
)


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=-day.weekday() % 7)


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress) -> str:
    today = end + dt.timedelta(days=1)  # the history ends yesterday
    rng = random.Random(f"{seed}/leave-waiting")
    staff = list(Employee.objects.filter(unit__city=city, active=True, user__isnull=True)
                 .order_by("pk").values_list("pk", flat=True))
    chosen = Employee.objects.in_bulk(rng.sample(staff, min(len(staff), 40)))
    people = [chosen[pk] for pk in sorted(chosen, key=lambda pk: rng.random())]
    own = Employee.objects.filter(unit__city=city, user__username="pegawai").first()
    waiting = 0
    for employee in ([own] if own else []) + people[:-2]:
        if waiting == WAITING_FOR_HEAD:
            break
        start = _monday_on_or_after(today + dt.timedelta(days=rng.randint(7, 35))) + dt.timedelta(rng.randint(0, 2))
        try:
            leave_request_create(actor=None, employee=employee, kind=LeaveKind.ANNUAL, start_date=start,
                                 end_date=start + dt.timedelta(days=rng.randint(1, 2)),
                                 reason=rng.choice(ANNUAL_REASONS))
        except ValidationError:  # over that person's balance, or a clash with their own leave: the next one asks
            continue
        waiting += 1
    _forwarded_to_bkpsdm(people[-2], people[-1], today)
    return f"Cuti menunggu: {indonesian_number(waiting)} pengajuan menunggu atasan, 2 menunggu BKPSDM"


def _forwarded_to_bkpsdm(student: Employee, patient: Employee, today: dt.date) -> None:
    start = _monday_on_or_after(today + dt.timedelta(days=28))
    sk = SimpleUploadedFile("sk-tugas-belajar.pdf", letter_pdf([
        "SURAT KEPUTUSAN TUGAS BELAJAR", "", f"Memberikan tugas belajar kepada {student.name}",
        "pada Program Magister Administrasi Publik, Universitas Lambung Mangkurat,",
        "selama 2 (dua) semester.", "", "Kepala BKPSDM (data demo)"]), content_type="application/pdf")
    study = leave_request_create(actor=None, employee=student, kind=LeaveKind.STUDY, start_date=start,
                                 end_date=start + dt.timedelta(days=364), attachments=[sk],
                                 reason="Tugas belajar S2 Administrasi Publik, Universitas Lambung Mangkurat")
    surgery_start = _monday_on_or_after(today + dt.timedelta(days=7))
    surgery = leave_request_create(actor=None, employee=patient, kind=LeaveKind.SICK, start_date=surgery_start,
                                   end_date=surgery_start + dt.timedelta(days=SURGERY_DAYS - 1),
                                   attachments=[doctor_letter(patient.name, SURGERY_DAYS)],
                                   reason="Operasi terjadwal dan pemulihan, RSUD Ulin Banjarmasin")
    for request in (study, surgery):
        leave_request_decide(actor=None, request=request, approve=True, note="Disetujui atasan (data demo)")
