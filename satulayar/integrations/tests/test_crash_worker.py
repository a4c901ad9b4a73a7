"""The worker killed (SIGKILL) in the middle of a connector run: the next worker pulls the connector again at
once, the cut-off run is closed as failed, and every value is stored exactly once."""

import time

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from satulayar.integrations.choices import RunStatus, RunTrigger
from satulayar.integrations.models import IndicatorValue, Run
from satulayar.integrations.tests.test_rest import rest_connector
from tests import live_processes as live

DAYS = [f"2026-11-0{day}" for day in range(1, 8)]
RECORDS = [{"tanggal": day, "kelurahan": name, "jumlah_kunjungan": 10 + n}
           for n, day in enumerate(DAYS) for name in ("Kuin Cerucuk", "Pelambuan")]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_connector_run_pulls_again_and_stores_once(hub, department, tmp_path):
    HUEY.flush()

    def visits(query, headers):
        if len(department.requests) == 1:
            time.sleep(8)  # the first pull hangs: the worker is killed while it waits
        return 200, "application/json", {"data": RECORDS}

    department.routes["/kunjungan"] = visits
    connector = rest_connector(hub, f"{department.url}/kunjungan")

    env = live.process_env(settings.DATA_DIR)
    first = live.worker(env=env, log=tmp_path / "worker-1.log").start()
    second = live.worker(env=env, log=tmp_path / "worker-2.log")
    try:
        live.wait_for(lambda: department.requests, timeout=40, what="the first pull")
        cut_off = Run.objects.get(connector=connector)
        assert cut_off.status == RunStatus.RUNNING
        first.kill()
        assert not IndicatorValue.objects.exists()

        second.start()
        live.wait_for(lambda: Run.objects.filter(connector=connector, status=RunStatus.SUCCESS).exists(),
                      timeout=45, what="the connector pulled again")
    finally:
        first.kill()
        second.stop()
        HUEY.flush()  # what the killed worker left (its locks) is not for the next test

    cut_off.refresh_from_db()
    assert (cut_off.status, cut_off.trigger) == (RunStatus.FAILED, RunTrigger.SCHEDULE)
    assert cut_off.error.startswith("Terputus")
    again = Run.objects.get(connector=connector, status=RunStatus.SUCCESS)
    assert (again.read_count, again.accepted_count) == (len(RECORDS), len(RECORDS))
    assert Run.objects.filter(connector=connector).count() == 2
    values = IndicatorValue.objects.filter(indicator=hub.visits)
    assert values.count() == len(RECORDS)
    assert sorted(values.values_list("value", flat=True)) == sorted(float(r["jumlah_kunjungan"]) for r in RECORDS)
    assert len(department.requests) == 2
