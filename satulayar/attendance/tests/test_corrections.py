"""Corrections by a unit admin: the original punch stays, the audit log keeps both sides."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from satulayar.attendance.choices import DayStatus, PunchSource
from satulayar.attendance.corrections import punch_correct
from satulayar.attendance.models import DailyStatus, Punch
from satulayar.audit.models import AuditEntry
from satulayar.core.time import zone_named

WITA = zone_named("Asia/Makassar")
TUESDAY = dt.date(2018, 1, 9)


def wita(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2018, 1, 9, hour, minute, tzinfo=WITA)


@pytest.fixture
def arrival(org):
    return Punch.objects.create(employee=org.staff.p2p, at=wita(7, 25), source=PunchSource.DEVICE)


def test_admin_adds_a_forgotten_departure(org, personas, arrival):
    employee = org.staff.p2p
    added = punch_correct(actor=personas.admin_dinas_kesehatan, employee=employee, at=wita(16, 5),
                          reason="Mesin mati saat jam pulang (laporan teknisi)")
    assert (added.source, added.created_by, added.note, added.excluded) == (
        PunchSource.CORRECTION, personas.admin_dinas_kesehatan, "Mesin mati saat jam pulang (laporan teknisi)", False)
    row = DailyStatus.objects.get(employee=employee, date=TUESDAY)
    assert (row.status, row.last_out, row.missing_out) == (DayStatus.PRESENT, wita(16, 5), False)
    entry = AuditEntry.objects.get(action="correct")
    assert (entry.actor, entry.object_type, entry.object_id, entry.unit_path) == (
        personas.admin_dinas_kesehatan, "attendance.punch", str(added.pk), org.p2p.path)
    assert entry.before is None
    assert (entry.after["source"], entry.after["at"], entry.note) == (
        "correction", "2018-01-09T08:05:00Z", "Mesin mati saat jam pulang (laporan teknisi)")
    assert entry.object_repr == "Rahmadi, S.K.M. 2018-01-09 16:05"


def test_admin_excludes_a_wrong_punch_which_stays(org, personas, arrival):
    employee = org.staff.p2p
    stray = Punch.objects.create(employee=employee, at=wita(6, 2), source=PunchSource.DEVICE)
    Punch.objects.create(employee=employee, at=wita(16, 0), source=PunchSource.DEVICE)
    punch_correct(actor=personas.admin_dinas_kesehatan, employee=employee, kind="exclude", punch=arrival,
                  reason="Sidik jari pegawai lain (rekaman CCTV)")
    punch_correct(actor=personas.admin_dinas_kesehatan, employee=employee, kind="exclude", punch=stray,
                  reason="Uji coba mesin oleh teknisi")
    assert Punch.objects.filter(employee=employee).count() == 3
    assert set(Punch.objects.filter(excluded=True).values_list("pk", flat=True)) == {arrival.pk, stray.pk}
    row = DailyStatus.objects.get(employee=employee, date=TUESDAY)
    assert (row.first_in, row.last_out, row.missing_out) == (wita(16), None, True)
    entry = AuditEntry.objects.get(action="correct", object_id=str(arrival.pk))
    assert (entry.before["excluded"], entry.after["excluded"]) == (False, True)
    assert entry.changes == [("excluded", False, True)]
    with pytest.raises(ValidationError, match="sudah dikecualikan"):
        punch_correct(actor=personas.admin_dinas_kesehatan, employee=employee, kind="exclude", punch=arrival,
                      reason="Lagi")


@pytest.mark.parametrize("who", ["pegawai_dinkes", "outsider", "walikota", "inspektur", "lurah_kuin_cerucuk"])
def test_only_admins_over_the_employee_correct(org, personas, arrival, who):
    with pytest.raises(PermissionDenied):
        punch_correct(actor=getattr(personas, who), employee=org.staff.p2p, at=wita(16), reason="Lupa absen")
    with pytest.raises(PermissionDenied):
        punch_correct(actor=getattr(personas, who), employee=org.staff.p2p, kind="exclude", punch=arrival,
                      reason="Salah")
    assert Punch.objects.count() == 1 and not Punch.objects.filter(excluded=True).exists()
    assert not AuditEntry.objects.filter(action="correct").exists()


def test_a_unit_admin_is_limited_to_their_tree_and_the_system_cannot_correct(org, personas):
    with pytest.raises(PermissionDenied):
        punch_correct(actor=personas.admin_dinas_kesehatan, employee=org.staff.kominfo, at=wita(16), reason="X")
    with pytest.raises(PermissionDenied):
        punch_correct(actor=None, employee=org.staff.p2p, at=wita(16), reason="X")
    punch_correct(actor=personas.admin_bkpsdm, employee=org.staff.kominfo, at=wita(16), reason="Lupa absen")


def test_bad_corrections_are_refused(org, personas, arrival):
    admin, employee = personas.admin_dinas_kesehatan, org.staff.p2p
    cases = [
        (dict(at=wita(16), reason="   "), "Alasan koreksi wajib diisi."),
        (dict(at=None, reason="Lupa"), "zona waktunya"),
        (dict(at=dt.datetime(2018, 1, 9, 16), reason="Lupa"), "zona waktunya"),
        (dict(at=timezone.now() + dt.timedelta(hours=1), reason="Lupa"), "masa depan"),
        (dict(at=wita(7, 25), reason="Lupa"), "Sudah ada rekam kehadiran"),
        (dict(kind="exclude", punch=None, reason="Salah"), "Pilih rekam kehadiran"),
        (dict(kind="hapus", reason="Salah"), "tidak dikenal"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError, match=message):
            punch_correct(actor=admin, employee=employee, **kwargs)
    other = Punch.objects.create(employee=org.staff.dinkes, at=wita(7), source=PunchSource.DEVICE)
    with pytest.raises(ValidationError, match="bukan milik"):
        punch_correct(actor=admin, employee=employee, kind="exclude", punch=other, reason="Salah orang")
    assert Punch.objects.filter(source=PunchSource.CORRECTION).count() == 0
    assert not Punch.objects.filter(excluded=True).exists()
