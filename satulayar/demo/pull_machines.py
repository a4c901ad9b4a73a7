"""Two older fingerprint machines without push, pulled by the server over TCP (attendance.pull).

`seed_demo` registers them in pull mode at two offices, pointing at 127.0.0.1 and a port each;
`demo_services` starts a ZK protocol simulator per machine on that port, holding the office's staff as users
and today's punches as they happen (arrivals from 07.00, departures from 16.00, one card nobody owns). The
worker's `devices_pull` reads them every 10 minutes, as it would a real machine on the office network.
"""

import datetime as dt
import logging
import random
import threading
import time

from django.conf import settings
from django.db.models import Count, Q

from satulayar.attendance.choices import DeviceMode
from satulayar.attendance.devices import device_register
from satulayar.attendance.models import Device
from satulayar.attendance.zk_simulator import SimRecord, SimUser, ZkSimulator
from satulayar.core.time import local_now
from satulayar.demo.live import demo_seed
from satulayar.org.models import Employee, Site

log = logging.getLogger(__name__)
MACHINES = 2
USERS_PER_MACHINE = 40
UNKNOWN_CARD = "99999"
TICK_S = 30


def first_port() -> int:
    return int(settings.DEMO_ZK_PORT)


def seed_demo(*, city, days, seed, end, progress) -> str:
    rng = random.Random(seed + 4370)
    offices = list(Site.objects.filter(city=city, unit__isnull=False)
                   .annotate(staff=Count("unit__employees", filter=Q(unit__employees__active=True)),
                             machines=Count("devices"))
                   .filter(staff__gte=5).order_by("machines", "name")[:MACHINES * 4])
    chosen = sorted(rng.sample(offices, min(MACHINES, len(offices))), key=lambda site: site.name)
    for number, site in enumerate(chosen):
        device_register(actor=None, city=city, serial_number=f"ZKLAMA{number + 1:04d}", site=site,
                        name=f"Mesin lama {site.name}"[:120], mode=DeviceMode.PULL, host="127.0.0.1",
                        port=first_port() + number)
    return f"{len(chosen)} mesin lama tanpa push (ditarik server lewat TCP): " + ", ".join(s.name for s in chosen)


def day_plan(device: Device, users: list[SimUser], day: dt.date, seed: int) -> list[SimRecord]:
    """Today's punches at this machine, in time order: most staff arrive and (later) leave; one unknown card."""
    rng = random.Random(f"{seed}:{device.serial_number}:{day}")
    plan = [SimRecord(UNKNOWN_CARD, dt.datetime.combine(day, dt.time(7, 5)))]
    for user in users:
        if rng.random() < 0.1:
            continue  # absent, on leave, or punching at the other machine
        arrive = dt.datetime.combine(day, dt.time(7)) + dt.timedelta(seconds=rng.randrange(0, 55 * 60))
        leave = dt.datetime.combine(day, dt.time(16)) + dt.timedelta(seconds=rng.randrange(0, 70 * 60))
        plan += [SimRecord(user.user_id, arrive, status=0, punch=1, uid=user.uid),
                 SimRecord(user.user_id, leave, status=1, punch=1, uid=user.uid)]
    return sorted(plan, key=lambda record: record.at)


def demo_services() -> str | None:
    machines = list(Device.objects.filter(mode=DeviceMode.PULL, host="127.0.0.1", serial_number__startswith="ZKLAMA")
                    .select_related("site", "city"))
    if not machines:
        return None
    seed = demo_seed()
    started = []
    for device in machines:
        staff = (Employee.objects.filter(unit=device.site.unit, active=True, nip__isnull=False).order_by("nip")
                 .values_list("nip", "name")[:USERS_PER_MACHINE]) if device.site_id else []
        users = [SimUser(uid, nip, name[:24]) for uid, (nip, name) in enumerate(staff, start=1)]
        simulator = ZkSimulator(users=users, port=device.port)
        try:
            simulator.start()
        except OSError as exc:
            log.warning("Mesin lama simulasi %s tidak dapat dijalankan di port %s: %s", device, device.port, exc)
            return f"Mesin lama simulasi TIDAK berjalan: port {device.port} terpakai ({exc})"
        started.append((device, simulator))
    threading.Thread(target=_punch_forever, args=(started, seed), name="zk-demo", daemon=True).start()
    return ("Mesin lama simulasi (protokol ZK, TCP): "
            + ", ".join(f"127.0.0.1:{simulator.port}" for _device, simulator in started)
            + "; ditarik pekerja latar tiap 10 menit")


def _punch_forever(started, seed: int) -> None:
    """Puts each planned punch on its machine once its time has come (the machine's clock: the city's)."""
    plans: dict[int, tuple[dt.date, list[SimRecord]]] = {}
    while True:
        for device, simulator in started:
            now = local_now(device.city).replace(tzinfo=None)
            day, plan = plans.get(device.pk, (None, []))
            if day != now.date():
                day, plan = now.date(), day_plan(device, simulator.users, now.date(), seed)
            due = [record for record in plan if record.at <= now]
            if due:
                simulator.records_add(due)
                plan = plan[len(due):]
            plans[device.pk] = (day, plan)
        time.sleep(TICK_S)
