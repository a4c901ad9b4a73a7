"""Kehadiran: one phone browser checking in for several employees.

The check-in page keeps a random id in the browser and the server stores its keyed hash with each phone check-in
(`Punch.browser`). A phone is personal: one browser used for the check-ins of several people is someone checking
in for colleagues who are not there. Kiosk and machine punches are shared by design and do not count.
"""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss

CODE = "shared_browser"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Satu peramban ponsel untuk presensi beberapa pegawai")
DESCRIPTION = gettext_lazy(
    "Presensi ponsel beberapa pegawai yang berbeda dikirim dari peramban yang sama (halaman presensi menyimpan "
    "kode acak di peramban; yang disimpan server hanya hash-nya). Ponsel itu pribadi: satu peramban untuk banyak "
    "orang menandakan seseorang mempresensikan rekan yang tidak hadir. Presensi kios dan mesin tidak dihitung.")
DEFAULTS = {"min_employees": 3}
PARAM_LABELS = {"min_employees": gettext_lazy("pegawai berbeda minimal dari satu peramban")}


def _shared(window: Window):
    return Punch.objects.filter(employee__unit__city=window.city, source=PunchSource.MOBILE, excluded=False,
                                at__gte=window.start_at, at__lt=window.end_at).exclude(browser="")


def detect(window: Window, params: dict) -> list[Signal]:
    browsers = list(_shared(window).values("browser").annotate(people=Count("employee_id", distinct=True))
                    .filter(people__gte=params["min_employees"]).values_list("browser", flat=True))
    punches: dict[str, list] = {}
    for punch in _shared(window).filter(browser__in=browsers).order_by("at").select_related("employee").only(
            "pk", "browser", "at", "employee_id", "employee__name", "employee__unit_id"):
        punches.setdefault(punch.browser, []).append(punch)
    return [_signal(browser, punches[browser], window) for browser in browsers]


def _owner(punches: list) -> int:
    """The one who checks in from this browser most often (the lowest id on a tie): whose phone it most likely is."""
    counts: dict[int, int] = {}
    for punch in punches:
        counts[punch.employee_id] = counts.get(punch.employee_id, 0) + 1
    return min(counts, key=lambda employee_id: (-counts[employee_id], employee_id))


def _signal(browser: str, punches: list, window: Window) -> Signal:
    owner = _owner(punches)
    people = sorted({p.employee.name for p in punches})
    days = sorted({window.local(p.at).date() for p in punches})
    others = [p for p in punches if p.employee_id != owner]
    return Signal(
        key=browser, employee_id=owner, unit_id=next(p.employee.unit_id for p in punches if p.employee_id == owner),
        score=capped(50 + 12 * (len(people) - 2) + 2 * len(others)),
        summary=_("Satu peramban untuk presensi %(n)s pegawai") % {"n": len(people)},
        explanation=_("%(count)s presensi ponsel dari satu peramban antara %(first)s dan %(last)s atas nama %(n)s "
                      "pegawai: %(names)s. Ponsel itu pribadi; satu peramban untuk beberapa orang menandakan "
                      "seseorang mempresensikan rekan yang tidak hadir.")
        % {"count": len(punches), "first": days[0].strftime("%d-%m-%Y"), "last": days[-1].strftime("%d-%m-%Y"),
           "n": len(people), "names": ", ".join(people[:8])},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("punch", p.pk, window.local(p.at), _("presensi ponsel %(at)s") % {
            "at": hhmmss(window.local(p.at))}, employee=p.employee_id) for p in punches[:60]])
