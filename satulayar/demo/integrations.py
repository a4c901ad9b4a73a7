"""The demo's integration hub: indicators, connectors against the small department apps (department_apps.py) and a
deterministic history backfilled through the same run machinery, so the numbers and their lineage are real.
`demo_services()` then serves the apps on 127.0.0.1 and lets the rain gauges push, so the data keeps flowing."""

import datetime as dt
import logging
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from satulayar.demo import department_apps
from satulayar.demo.generator import indonesian_number
from satulayar.integrations import services
from satulayar.integrations.choices import (
    Aggregation,
    AuthKind,
    ConnectorKind,
    DimensionKind,
    Granularity,
    Licence,
    Pagination,
    RunTrigger,
    UpdateFrequency,
)
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.models import Connector
from satulayar.integrations.runs import run_create, run_records
from satulayar.integrations.sources import sql_fetch, sqlite_dir
from satulayar.org.models import Kelurahan, Unit

log = logging.getLogger(__name__)
SENSOR_DAYS = 14  # hourly sensor history kept short: 24 readings a day per station
INDICATORS = (
    ("kunjungan-puskesmas", "Kunjungan puskesmas", "DINKES", "kunjungan", Aggregation.SUM, Granularity.DAY,
     DimensionKind.KELURAHAN, True, UpdateFrequency.DAILY,
     "Jumlah kunjungan pasien ke puskesmas, per kelurahan tempat puskesmas berada, dari SIMPUS Dinas Kesehatan."),
    ("sampah-terangkut", "Sampah terangkut ke TPA", "DLH", "ton", Aggregation.SUM, Granularity.DAY,
     DimensionKind.NONE, True, UpdateFrequency.DAILY, "Tonase sampah yang diangkut ke TPA Basirih per hari."),
    ("ritase-truk-sampah", "Ritase truk sampah", "DLH", "rit", Aggregation.SUM, Granularity.DAY,
     DimensionKind.NONE, False, UpdateFrequency.DAILY, "Jumlah perjalanan truk pengangkut sampah per hari."),
    ("tinggi-muka-air", "Tinggi muka air sungai", "BPBD", "cm", Aggregation.MAX, Granularity.HOUR,
     DimensionKind.TEXT, True, UpdateFrequency.HOURLY, "Tinggi muka air di pos duga air BPBD, per jam."),
    ("curah-hujan", "Curah hujan", "BPBD", "mm", Aggregation.SUM, Granularity.HOUR, DimensionKind.TEXT, True,
     UpdateFrequency.HOURLY, "Curah hujan dari penakar hujan otomatis BPBD, dikirim lewat webhook."),
    ("dokumen-kependudukan", "Dokumen kependudukan terbit", "DISDUKCAPIL", "dokumen", Aggregation.SUM,
     Granularity.DAY, DimensionKind.KELURAHAN, True, UpdateFrequency.DAILY,
     "KTP-el, KK dan akta kelahiran yang diterbitkan Disdukcapil, per kelurahan pemohon."),
)
DUKCAPIL_QUERY = ("SELECT tanggal, kelurahan, SUM(jumlah) AS jumlah FROM penerbitan_dokumen "
                  "WHERE tanggal >= date('now', '-7 days') GROUP BY tanggal, kelurahan")
DUKCAPIL_ALL = "SELECT tanggal, kelurahan, SUM(jumlah) AS jumlah FROM penerbitan_dokumen GROUP BY tanggal, kelurahan"


def dukcapil_path() -> Path:
    return sqlite_dir() / "disdukcapil.sqlite3"


def _port(offset: int) -> int:
    return int(settings.INTEGRATIONS_DEMO_PORT) + offset


def _connectors(city, units: dict, seed: int) -> dict[str, Connector]:
    base = "http://127.0.0.1:{port}"
    specs = {
        "simpus": ("SIMPUS Dinas Kesehatan", ConnectorKind.REST, "DINKES", AuthKind.API_KEY, 60,
                   {"url": base.format(port=_port(0)) + "/api/v1/kunjungan", "pagination": Pagination.PAGE,
                    "page_param": "page", "api_key_header": "X-API-Key"}, {"api_key": department_apps.DINKES_KEY},
                   {"records": "data", "timestamp": "tanggal", "dimension": "kelurahan",
                    "values": [{"indicator": "kunjungan-puskesmas", "field": "jumlah_kunjungan"}]}),
        "sipsn": ("SIPSN Dinas Lingkungan Hidup", ConnectorKind.REST, "DLH", AuthKind.BEARER, 60,
                  {"url": base.format(port=_port(1)) + "/sampah/harian", "pagination": Pagination.NEXT,
                   "next_path": "next"}, {"token": department_apps.DLH_TOKEN},
                  {"records": "items", "timestamp": "date",
                   "values": [{"indicator": "sampah-terangkut", "field": "ton_terangkut"},
                              {"indicator": "ritase-truk-sampah", "field": "ritase"}]}),
        "pos_air": ("Pos duga air BPBD", ConnectorKind.REST, "BPBD", AuthKind.BASIC, 15,
                    {"url": base.format(port=_port(2)) + "/pos-duga-air/terkini"},
                    {"username": department_apps.BPBD_USER, "password": department_apps.BPBD_PASSWORD},
                    {"records": "", "timestamp": "waktu", "dimension": "pos",
                     "values": [{"indicator": "tinggi-muka-air", "field": "tinggi_cm"}]}),
        "hujan": ("Penakar hujan otomatis BPBD", ConnectorKind.WEBHOOK, "BPBD", AuthKind.NONE, 60, {}, {},
                  {"records": "bacaan", "timestamp": "jam", "dimension": "pos",
                   "values": [{"indicator": "curah-hujan", "field": "curah_hujan_mm"}]}),
        "siak": ("SIAK Disdukcapil (basis data)", ConnectorKind.SQL, "DISDUKCAPIL", AuthKind.NONE, 360,
                 {"query": DUKCAPIL_QUERY}, {"dsn": f"sqlite:///{dukcapil_path()}"},
                 {"timestamp": "tanggal", "dimension": "kelurahan",
                  "values": [{"indicator": "dokumen-kependudukan", "field": "jumlah"}]}),
    }
    connectors = {}
    for key, (name, kind, unit, auth, minutes, config, secret, mapping) in specs.items():
        existing = Connector.objects.filter(city=city, name=name).first()
        frequency = UpdateFrequency.HOURLY if minutes <= 60 and kind != ConnectorKind.SQL else UpdateFrequency.DAILY
        connectors[key], _secret = services.connector_save(
            actor=None, city=city, connector=existing, config={**config, "demo_seed": seed}, secret=secret,
            mapping=mapping, fields={"name": name, "kind": kind, "department": units[unit], "auth_kind": auth,
                                     "schedule_minutes": minutes, "update_frequency": frequency,
                                     "description": f"Aplikasi demo {units[unit].short_name or units[unit].name}."})
    return connectors


def _backfill(connector: Connector, records: list, now: dt.datetime) -> int:
    run = run_create(connector=connector, trigger=RunTrigger.BACKFILL)
    run = run_records(run=run, records=records, now=now, log_lines=["Isi riwayat demo."])
    Connector.objects.filter(pk=connector.pk).update(next_run_at=None)  # the worker pulls fresh data at once
    return run.values_written


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> str:
    units = {u.code: u for u in Unit.objects.filter(city=city, code__in=["DINKES", "DLH", "BPBD", "DISDUKCAPIL"])}
    missing = {"DINKES", "DLH", "BPBD", "DISDUKCAPIL"} - set(units)
    if missing:
        return f"Integrasi data: dilewati, unit {', '.join(sorted(missing))} tidak ada"
    for code, name, owner, uom, how, granularity, dimension, public, frequency, description in INDICATORS:
        existing = city.indicators.filter(code=code).first()
        services.indicator_save(actor=None, city=city, indicator=existing, fields={
            "code": code, "name": name, "owner": units[owner], "unit_of_measure": uom, "aggregation": how,
            "granularity": granularity, "dimension_kind": dimension, "public": public,
            "update_frequency": frequency, "description": description,
            "licence": Licence.CC_BY if public else Licence.INTERNAL})
    kelurahan = list(Kelurahan.objects.filter(kecamatan__city=city).order_by("code").values_list("name", flat=True))
    start = end - dt.timedelta(days=max(days, 1) - 1)
    department_apps.dukcapil_db_build(path=dukcapil_path(), seed=seed, kelurahan=kelurahan, start=start,
                                      end=max(end, timezone.localdate(timezone=city.zone)))
    connectors = _connectors(city, units, seed)
    progress("Integrasi data: mengisi riwayat dari aplikasi dinas demo…")
    zone = city.zone
    now = timezone.now()  # the backfilled sources count as updated when the demo was built
    day_list = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    hours = [dt.datetime.combine(end, dt.time(23), zone) - dt.timedelta(hours=h) for h in range(24 * SENSOR_DAYS)]
    written = _backfill(connectors["simpus"], [
        {"tanggal": d.isoformat(), "kelurahan": k, "jumlah_kunjungan": department_apps.puskesmas_visits(seed, d, k)}
        for d in day_list for k in kelurahan], now)
    written += _backfill(connectors["sipsn"], [
        dict(zip(("date", "ton_terangkut", "ritase"), (d.isoformat(), *department_apps.waste_collected(seed, d)),
                 strict=True)) for d in day_list], now)
    written += _backfill(connectors["pos_air"], [
        {"pos": s, "waktu": h.isoformat(), "tinggi_cm": department_apps.water_level(seed, s, h)}
        for h in hours for s in department_apps.STATIONS], now)
    written += _backfill(connectors["hujan"], [
        {"pos": s, "jam": h.isoformat(), "curah_hujan_mm": department_apps.rainfall(seed, s, h)}
        for h in hours for s in department_apps.STATIONS], now)
    dsn = secret_open(connectors["siak"].secret)["dsn"]
    written += _backfill(connectors["siak"], sql_fetch(dsn=dsn, query=DUKCAPIL_ALL).records, now)
    return (f"Integrasi data: {len(INDICATORS)} indikator, {len(connectors)} sumber data dari aplikasi dinas demo, "
            f"{indonesian_number(written)} nilai riwayat")


def _point_at(*, city, name: str, port: int) -> None:
    connector = Connector.objects.filter(city=city, name=name).first()
    if connector is None:
        return
    parts = urllib.parse.urlsplit(connector.config.get("url", ""))
    if parts.port != port:
        connector.config["url"] = urllib.parse.urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))
        Connector.objects.filter(pk=connector.pk).update(config=connector.config)


def demo_services() -> str | None:
    """Serve the department apps on their ports and start the rain gauges' webhook pushes; return at once."""
    simpus = Connector.objects.filter(name="SIMPUS Dinas Kesehatan").select_related("city").first()
    if simpus is None:
        return
    city, seed = simpus.city, int(simpus.config.get("demo_seed", 1))
    kelurahan = list(Kelurahan.objects.filter(kecamatan__city=city).order_by("code").values_list("name", flat=True))
    today = timezone.localdate(timezone=city.zone)
    department_apps.dukcapil_db_build(path=dukcapil_path(), seed=seed, kelurahan=kelurahan,
                                      start=today - dt.timedelta(days=30), end=today)
    apps = {"SIMPUS Dinas Kesehatan": department_apps.DinkesApp(seed=seed, kelurahan=kelurahan),
            "SIPSN Dinas Lingkungan Hidup": department_apps.DlhApp(seed=seed),
            "Pos duga air BPBD": department_apps.BpbdApp(seed=seed)}
    for offset, (name, app) in enumerate(apps.items()):
        try:
            server = department_apps.serve(app, port=_port(offset))
        except OSError as exc:  # the port is taken: serve on a free one and point the connector there
            log.warning("demo %s: port %s taken (%s); using a free port", app.name, _port(offset), exc)
            server = department_apps.serve(app, port=0)
        _point_at(city=city, name=name, port=server.server_port)
    rain = Connector.objects.filter(city=city, kind=ConnectorKind.WEBHOOK, name="Penakar hujan otomatis BPBD").first()
    secret = secret_open(rain.secret).get("webhook_secret") if rain else ""
    if secret:
        # `satulayar demo` says where it serves (SATULAYAR_DEMO_SERVER); the setting is for other set-ups.
        base = os.environ.get("SATULAYAR_DEMO_SERVER") or settings.INTEGRATIONS_DEMO_WEBHOOK_BASE
        url = base.rstrip("/") + reverse("integrations:webhook", args=[rain.webhook_key])
        department_apps.RainGaugePusher(seed=seed, url=url, secret=secret).start()
    return f"Aplikasi dinas demo: {', '.join(apps)}" + (" dan penakar hujan (webhook)" if secret else "")
