"""The demo city's attendance kiosk: a tablet in the lobby of the office with the most staff punching at its
fingerprint machine, registered through the same service an admin uses, and a third of that office's staff
(chosen by employee id, so the seed's random streams stay as they were) checking in on it instead of the machine
in the history. History kiosk punches carry no selfie: selfies older than the retention are purged anyway."""

from collections import Counter
from dataclasses import replace

from satulayar.attendance.ingest import PunchRow
from satulayar.attendance.kiosks import kiosk_register
from satulayar.attendance.models import Kiosk
from satulayar.org.models import Site

KIOSK_USERS_EVERY = 3  # every third employee id of the office


def demo_kiosk_register(*, people) -> tuple[Kiosk, set[int]]:
    """The kiosk and the ids of the employees who use it."""
    office = [p for p in people if p.site and p.team is None and p.suspicious_slot is None]
    staff = Counter(p.site.site_id for p in office)
    site_id = min(staff, key=lambda pk: (-staff[pk], pk))
    site = Site.objects.select_related("city").get(pk=site_id)
    kiosk, _token = kiosk_register(actor=None, site=site, name=f"Lobi {site.name}"[:60])
    users = {p.employee_id for p in office if p.site.site_id == site_id and p.employee_id % KIOSK_USERS_EVERY == 0}
    return kiosk, users


def kiosk_rows_split(rows: list[PunchRow], kiosk: Kiosk, users: set[int]) -> tuple[list[PunchRow], list[PunchRow]]:
    """(rows left to the machines, rows made at the kiosk: the site's position, no machine state)."""
    site = kiosk.site
    machine, at_kiosk = [], []
    for row in rows:
        if row.site_id == site.pk and row.employee_id in users:
            at_kiosk.append(replace(row, device_state=None, verify_mode=None, lat=site.lat, lon=site.lon,
                                    distance_m=0, note=f"Anjungan {kiosk.name}"))
        else:
            machine.append(row)
    return machine, at_kiosk
