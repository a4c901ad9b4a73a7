"""Kehadiran: phone check-ins the check-in guards already flagged, on several days.

The guards (`attendance.checkin_guards`) store a check-in whose position looks made up (a jump faster than travel
allows, an accuracy or an altitude that never changes from day to day) with `Punch.position_flag`, without refusing
it. One flagged day can be a phone's glitch; a person flagged on several days is using a location-faking app.
"""

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Punch
from satulayar.integrity.rules.base import Signal, Window, capped, evidence, hhmmss

CODE = "position_flagged"
DOMAIN = "kehadiran"
TITLE = gettext_lazy("Presensi ponsel yang ditandai janggal, berhari-hari")
DESCRIPTION = gettext_lazy(
    "Presensi ponsel seorang pegawai ditandai janggal oleh pemeriksaan saat presensi (kecepatan mustahil, akurasi "
    "atau ketinggian yang tidak pernah berubah) pada beberapa hari. Sekali bisa gangguan ponsel; berulang "
    "menandakan aplikasi pemalsu lokasi.")
DEFAULTS = {"min_days": 3}
PARAM_LABELS = {"min_days": gettext_lazy("hari dengan presensi bertanda minimal")}


def _flagged(window: Window):
    return (Punch.objects.filter(employee__unit__city=window.city, source=PunchSource.MOBILE, excluded=False,
                                 at__gte=window.start_at, at__lt=window.end_at).exclude(position_flag=""))


def detect(window: Window, params: dict) -> list[Signal]:
    people = dict(_flagged(window).values("employee_id")
                  .annotate(days=Count(TruncDate("at", tzinfo=window.zone), distinct=True))
                  .filter(days__gte=params["min_days"]).values_list("employee_id", "days"))
    punches: dict[int, list] = {}
    for punch in _flagged(window).filter(employee_id__in=list(people)).order_by("at").only(
            "pk", "employee_id", "at", "position_flag", "accuracy_m", "altitude_m"):
        punches.setdefault(punch.employee_id, []).append(punch)
    return [_signal(employee_id, punches[employee_id], window) for employee_id in people if employee_id in punches]


def _signal(employee_id: int, punches: list, window: Window) -> Signal:
    days = sorted({window.local(p.at).date() for p in punches})
    reasons = sorted({part.split(" (")[0].split(" setiap")[0].split(" tanpa")[0]
                      for p in punches for part in p.position_flag.split("; ")})
    return Signal(
        key=str(employee_id), employee_id=employee_id, score=capped(55 + 5 * len(days)),
        summary=_("%(n)s presensi ponsel bertanda janggal pada %(d)s hari") % {"n": len(punches), "d": len(days)},
        explanation=_("Pemeriksaan saat presensi menandai %(n)s presensi ponsel pegawai ini sebagai janggal pada "
                      "%(d)s hari antara %(first)s dan %(last)s (%(why)s). Sekali bisa gangguan ponsel; berulang "
                      "menandakan aplikasi pemalsu lokasi.")
        % {"n": len(punches), "d": len(days), "first": days[0].strftime("%d-%m-%Y"),
           "last": days[-1].strftime("%d-%m-%Y"), "why": "; ".join(reasons[:3])},
        first_date=days[0], last_date=days[-1],
        evidence=[evidence("punch", p.pk, window.local(p.at), _("%(at)s · %(flag)s") % {
            "at": hhmmss(window.local(p.at)), "flag": p.position_flag}, employee=employee_id) for p in punches[:60]])
