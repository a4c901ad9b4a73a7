"""`satulayar rollups_rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--city CODE]`: recompute the rollups from raw data.

Each app rebuilds its own (registered in its `rollups.py`, see core/rollups.py): attendance per unit per day from
the daily statuses, visits per kelurahan per hour from the tickets. Without dates, the whole history held. (Camera
counts per hour are the CCTV app's PeopleHourly, written by its poller; indicator values are already one row per
period.)
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min

from satulayar.core.rollups import rollups_all
from satulayar.org.models import City


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Tanggal {value!r} tidak dapat dibaca; gunakan format TTTT-BB-HH.") from None


class Command(BaseCommand):
    help = "Hitung ulang rekap kehadiran per unit per hari dan kunjungan per kelurahan per jam dari data mentah."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=_date, help="tanggal awal (bawaan: data tertua)")
        parser.add_argument("--to", dest="end", type=_date, help="tanggal akhir (bawaan: data terbaru)")
        parser.add_argument("--city", help="kode wilayah kota (bawaan: semua kota)")

    def handle(self, *args, start=None, end=None, city=None, **options):
        city_id = None
        if city:
            found = City.objects.filter(code=city).first()
            if found is None:
                raise CommandError(f"Kota dengan kode {city!r} tidak ada.")
            city_id = found.pk
        if start and end and start > end:
            raise CommandError("Tanggal awal harus sebelum atau sama dengan tanggal akhir.")
        for rollup in rollups_all():
            label, model, rebuild = rollup.label, rollup.model, rollup.rebuild
            held = model.objects.aggregate(first=Min("date"), last=Max("date"))
            first, last = start or held["first"], end or held["last"]
            if first is None or last is None:
                self.stdout.write(f"{label}: tidak ada data.")
                continue
            started = time.perf_counter()
            written = rebuild(start=first, end=last, city_id=city_id)
            self.stdout.write(f"{label}: {written} baris, {first} s.d. {last}, {time.perf_counter() - started:.1f} s")
