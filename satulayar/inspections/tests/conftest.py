"""A Tuesday at Dinas Kesehatan (and its Bidang P2P): who punched, who is on leave, and a sidak at 09:30 WITA."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest

from satulayar.attendance.choices import LeaveKind, PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.attendance.leave import leave_request_create, leave_request_decide
from satulayar.inspections import services
from tests.factories import make_employee, make_user

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
DAY = dt.date(2026, 11, 24)  # a Tuesday, a work day on the city's default hours


def wita(hour: int, minute: int = 0, second: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=WITA).astimezone(dt.UTC)


START = wita(9, 30)


def punch(city, employee, at: dt.datetime) -> None:
    punches_ingest(city=city, rows=[PunchRow(employee_id=employee.pk, at=at)], source=PunchSource.DEVICE,
                   now=at + dt.timedelta(minutes=1))


def approved_leave(employee, kind=LeaveKind.ANNUAL, day=DAY):
    request = leave_request_create(actor=None, employee=employee, kind=kind, start_date=day, end_date=day,
                                   reason="Cuti tahunan")
    return leave_request_decide(actor=None, request=request, approve=True)


@pytest.fixture
def staff(org, personas):
    """Dinkes people with every kind of record; p2p people for the sub-unit; one Diskominfotik outsider."""
    s = SimpleNamespace(
        punched=org.staff.dinkes,  # punched 07:20
        punched_p2p=org.staff.p2p,  # punched 07:25
        late=make_employee(org.dinkes, "Budi Santoso", position="Pranata Komputer"),  # punched 09:50
        never=make_employee(org.dinkes, "Rina Wati", position="Bendahara"),  # no punch
        leave=make_employee(org.p2p, "Hendra Gunawan", position="Sanitarian"),  # approved annual leave
        p2p_never=make_employee(org.p2p, "Yuliani", position="Pengelola Data"),
        inactive=make_employee(org.dinkes, "Pensiunan", position="Staf"),
        outsider=org.staff.kominfo,
    )
    from satulayar.org.services import employee_update

    employee_update(actor=None, employee=s.inactive, active=False)
    punch(org.city, s.punched, wita(7, 20))
    punch(org.city, s.punched_p2p, wita(7, 25))
    punch(org.city, s.late, wita(9, 50))
    approved_leave(s.leave)
    return s


@pytest.fixture
def inspektur_2(org):
    from satulayar.org.choices import Role

    return make_user("inspektur_dua", Role.INSPECTOR, org.city, first_name="Inspektur", last_name="Pembantu")


@pytest.fixture
def inspection(org, personas, staff):
    return services.inspection_start(actor=personas.inspektur, units=[org.dinkes], title="Sidak Dinkes",
                                     started_at=START, now=START)


def item(employee, observation, *, uuid=None, at=None, note="") -> dict:
    import uuid as uuidlib

    return {"uuid": str(uuid or uuidlib.uuid4()), "employee": employee.pk, "observation": observation,
            "observed_at": (at or wita(9, 40)).isoformat(), "note": note}
