"""The server killed (SIGKILL) in the middle of device uploads and API batches: after a restart and the senders'
retries, every punch is stored exactly once. Real uvicorn on a loopback port, real senders, the test database."""

import datetime as dt
import secrets
import threading
import time
import zoneinfo

import pytest
import requests
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from satulayar.attendance import devices
from satulayar.attendance.choices import PunchSource
from satulayar.attendance.models import Device, Punch
from tests import live_processes as live
from tests.factories import second_factor_passed

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
SN = "BJMCRASH0001"
BATCHES, PER_BATCH = 24, 10
PACE = 0.05  # seconds between a sender's batches, as a device's next upload comes a moment later
FIRST = dt.datetime(2026, 11, 2, 7, 0, tzinfo=WITA)


def planned(employees, source_offset: int) -> list[list[tuple[str, dt.datetime]]]:
    """Batches of (nip, local time): every punch distinct, a second apart, spread over the employees."""
    punches = [(employees[n % len(employees)].nip, FIRST + dt.timedelta(minutes=n, seconds=source_offset))
               for n in range(BATCHES * PER_BATCH)]
    return [punches[i:i + PER_BATCH] for i in range(0, len(punches), PER_BATCH)]


class Sender(threading.Thread):
    """Sends its batches in order; a batch is sent again until the server acknowledges it, as a device does."""

    def __init__(self, batches, send):
        super().__init__(daemon=True)
        self.batches, self.send = batches, send
        self.acknowledged, self.retries, self.error = 0, 0, None

    def run(self):
        try:
            for number, batch in enumerate(self.batches, start=1):
                while not self.send(number, batch):
                    self.retries += 1
                    time.sleep(0.2)
                self.acknowledged += 1
                time.sleep(PACE)
        except Exception as exc:  # reported by the test
            self.error = exc


def device_send(base_url: str):
    def send(number: int, batch) -> bool:
        body = "".join(f"{nip}\t{at:%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0\t0\t0\t0\r\n" for nip, at in batch)
        try:
            response = requests.post(f"{base_url}/iclock/cdata?SN={SN}&table=ATTLOG&Stamp={1000 + number}",
                                     data=body.encode(), headers={"Content-Type": "text/plain"}, timeout=15)
        except requests.RequestException:
            return False
        return response.status_code == 200 and response.text == f"OK: {len(batch)}"
    return send


def api_send(base_url: str, user):
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    second_factor_passed(session, user)
    session.save()
    csrf = secrets.token_hex(16)
    http = requests.Session()
    http.cookies.update({"sessionid": session.session_key, "csrftoken": csrf})

    def send(number: int, batch) -> bool:
        payload = {"punches": [{"nip": nip, "at": at.isoformat()} for nip, at in batch]}
        try:
            response = http.post(f"{base_url}/api/attendance/punches", json=payload, timeout=15,
                                 headers={"X-CSRFToken": csrf})
        except requests.RequestException:
            return False
        if response.status_code != 200:
            return False
        result = response.json()
        return result["accepted"] + result["duplicates"] == len(batch) and not result["rejected"]
    return send


def stored(source: str) -> list[tuple[int, dt.datetime]]:
    return sorted(Punch.objects.filter(source=source).values_list("employee_id", "at"))


def expected(batches, employee_ids: dict[str, int]) -> list[tuple[int, dt.datetime]]:
    return sorted((employee_ids[nip], at.astimezone(dt.UTC)) for batch in batches for nip, at in batch)


@pytest.mark.django_db(transaction=True)
def test_server_killed_mid_uploads_loses_and_doubles_nothing(org, personas, tmp_path):
    devices.device_register(actor=None, city=org.city, serial_number=SN, name="Lobi Balai Kota")
    employees = [org.staff.dinkes, org.staff.p2p, org.staff.kominfo, org.staff.pemerintahan, org.staff.kelurahan]
    employee_ids = {e.nip: e.pk for e in employees}
    device_batches, api_batches = planned(employees, 0), planned(employees, 30)

    port = live.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = live.process_env(tmp_path)
    first = live.server(port, env=env, log=tmp_path / "server-1.log").start()
    second = live.server(port, env=env, log=tmp_path / "server-2.log")
    try:
        live.wait_until_serving(base_url, first)
        senders = [Sender(device_batches, device_send(base_url)), Sender(api_batches, api_send(base_url,
                                                                                                personas.admin_bkpsdm))]
        for sender in senders:
            sender.start()
        # Both under way and the faster a third through: the kill falls in the middle of both uploads.
        live.wait_for(lambda: min(s.acknowledged for s in senders) >= 1
                      and max(s.acknowledged for s in senders) >= BATCHES // 3, timeout=30,
                      what="both senders under way, one a third through")
        first.kill()
        killed_at = [s.acknowledged for s in senders]
        second.start()
        live.wait_until_serving(base_url, second)
        for sender in senders:
            sender.join(timeout=40)
    finally:
        first.kill()
        second.kill()

    assert [s.error for s in senders] == [None, None]
    assert [s.acknowledged for s in senders] == [BATCHES, BATCHES], second.output()
    assert all(count < BATCHES for count in killed_at), "the kill came after the senders had finished"
    assert sum(s.retries for s in senders) > 0, "no sender had to retry: the kill hit nothing in flight"
    assert stored(PunchSource.DEVICE) == expected(device_batches, employee_ids)
    assert stored(PunchSource.API) == expected(api_batches, employee_ids)
    assert Device.objects.get(serial_number=SN).attlog_stamp == str(1000 + BATCHES)
