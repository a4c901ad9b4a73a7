"""Sidak: recorded present by a punch that morning, yet not found by the inspectors, more than once.

One such finding can be a meeting elsewhere; the same person again at a later sidak is a pattern. Reads the sidak
findings (kind "dugaan titip absen") of every closed inspection up to the end of the window.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.inspections.choices import FindingKind, InspectionStatus
from satulayar.inspections.models import Finding
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss

CODE = "sidak_proxy_repeat"
DOMAIN = "sidak"
TITLE = gettext_lazy("Tidak ditemukan saat sidak padahal sudah merekam, berulang")
DESCRIPTION = gettext_lazy(
    "Pegawai tercatat hadir oleh rekam pagi itu, tetapi tidak ditemukan tim sidak, dan ini terjadi pada lebih dari "
    "satu sidak. Sekali bisa karena rapat di luar; berulang menandakan titip absen.")
DEFAULTS = {"min_inspections": 2}
PARAM_LABELS = {"min_inspections": gettext_lazy("sidak minimal")}


def detect(window: Window, params: dict) -> list[Signal]:
    findings = (Finding.objects.filter(inspection__city=window.city, kind=FindingKind.PROXY_SUSPECT,
                                       inspection__status=InspectionStatus.CLOSED, inspection__date__lte=window.end)
                .select_related("inspection", "entry").order_by("inspection__date"))
    by_employee = defaultdict(list)
    for finding in findings:
        by_employee[finding.employee_id].append(finding)
    return [_signal(employee_id, found, window) for employee_id, found in by_employee.items()
            if len({f.inspection_id for f in found}) >= params["min_inspections"]
            and found[-1].inspection.date >= window.start]


def _signal(employee_id: int, found: list, window: Window) -> Signal:
    n = len({f.inspection_id for f in found})
    rows = []
    for f in found:
        first_in = f.entry.first_in
        text = _("sidak %(date)s: tidak ditemukan") % {"date": f.inspection.date.strftime("%d-%m-%Y")}
        if first_in:
            text += _(", padahal merekam %(at)s") % {"at": hhmmss(window.local(first_in))}
        rows.append(evidence("sidak_finding", f.pk, f.inspection.date, text, employee=employee_id,
                             inspection=f.inspection_id))
    return Signal(
        key=str(employee_id), employee_id=employee_id, unit_id=found[-1].unit_id, score=capped(70 + 10 * (n - 2)),
        summary=_("Tidak ditemukan pada %(n)s sidak padahal tercatat hadir") % {"n": n},
        explanation=_("Pada %(n)s sidak pegawai ini sudah merekam hadir pagi itu, tetapi tim sidak tidak menemukannya. "
                      "Sekali bisa karena tugas di luar; berulang menandakan orang lain merekam untuknya.") % {"n": n},
        first_date=found[0].inspection.date, last_date=found[-1].inspection.date, evidence=rows)
