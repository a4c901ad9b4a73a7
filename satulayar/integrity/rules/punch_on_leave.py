"""Kehadiran: a punch on a day of approved leave (cuti, sakit, izin).

Dinas luar and tugas belajar are left out: a check-in from the meeting place is expected there. A punch on a day
the person is on approved annual or sick leave means either the leave was not needed, or someone punched for them.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.choices import LeaveKind, RequestStatus
from satulayar.attendance.models import LeaveRequest, Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss

CODE = "punch_on_leave"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Rekam kehadiran pada hari cuti yang disetujui")
DESCRIPTION = gettext_lazy(
    "Ada rekam kehadiran pada hari ketika pegawai sedang cuti, sakit atau izin yang sudah disetujui. Dinas luar "
    "dan tugas belajar tidak dihitung. Bisa cuti yang tidak dipakai, bisa juga orang lain yang merekam untuknya.")
DEFAULTS = {"min_days": 1}
PARAM_LABELS = {"min_days": gettext_lazy("hari cuti minimal dengan rekam")}
KINDS = (LeaveKind.ANNUAL, LeaveKind.SICK, LeaveKind.PERMIT)


def detect(window: Window, params: dict) -> list[Signal]:
    leaves = list(LeaveRequest.objects.filter(employee__unit__city=window.city, status=RequestStatus.APPROVED,
                                              kind__in=KINDS, start_date__lte=window.end, end_date__gte=window.start))
    if not leaves:
        return []
    by_employee = defaultdict(list)
    for leave in leaves:
        by_employee[leave.employee_id].append(leave)
    punches = defaultdict(list)
    for punch in (Punch.objects.filter(employee_id__in=by_employee, at__gte=window.start_at, at__lt=window.end_at,
                                       excluded=False).only("pk", "employee_id", "at", "source").order_by("at")):
        day = window.local(punch.at).date()
        for leave in by_employee[punch.employee_id]:
            if leave.start_date <= day <= leave.end_date:
                punches[leave.pk].append(punch)
    signals = []
    for leave in leaves:
        days = sorted({window.local(p.at).date() for p in punches.get(leave.pk, [])})
        if len(days) >= params["min_days"]:
            signals.append(_signal(leave, punches[leave.pk], days, window))
    return signals


def _signal(leave: LeaveRequest, punches: list, days: list, window: Window) -> Signal:
    kind = leave.get_kind_display()
    return Signal(
        key=f"leave:{leave.pk}", employee_id=leave.employee_id, score=capped(62 + 8 * len(days)),
        summary=_("Merekam hadir %(n)s hari saat %(kind)s") % {"n": len(days), "kind": kind.lower()},
        explanation=_("Pengajuan %(kind)s %(start)s–%(end)s sudah disetujui, tetapi ada rekam kehadiran pada "
                      "%(n)s hari di dalamnya. Cuti yang tidak dipakai, atau orang lain yang merekam.")
        % {"kind": kind.lower(), "start": leave.start_date.strftime("%d-%m-%Y"),
           "end": leave.end_date.strftime("%d-%m-%Y"), "n": len(days)},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("leave", leave.pk, leave.start_date, _("%(kind)s %(start)s–%(end)s") % {
            "kind": kind, "start": leave.start_date.strftime("%d-%m-%Y"), "end": leave.end_date.strftime("%d-%m-%Y")},
            employee=leave.employee_id)]
        + [evidence("punch", p.pk, window.local(p.at), _("rekam %(at)s (%(source)s)") % {
            "at": hhmmss(window.local(p.at)), "source": p.get_source_display()}, employee=p.employee_id)
           for p in punches[:40]])
