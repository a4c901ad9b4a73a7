import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from satulayar.demo.extras import extras_seed
from satulayar.demo.generator import (
    SeedError,
    available_demo_cities,
    city_yesterday,
    indonesian_number,
    seed_city,
)
from satulayar.demo.progress import bars
from satulayar.demo.users import DEMO_PASSWORD, create_demo_users
from satulayar.org.models import City


class Command(BaseCommand):
    help = ("Mengisi basis data kosong dengan kota demo yang deterministik: wilayah, unit kerja, pegawai, "
            "lokasi kantor, riwayat kehadiran dan akun demo. Menolak basis data yang sudah berisi pegawai.")

    def add_arguments(self, parser):
        parser.add_argument("--city", default="banjarmasin", choices=available_demo_cities())
        parser.add_argument("--employees", type=int, default=6000, help="jumlah pegawai (bawaan 6000)")
        parser.add_argument("--days", type=int, default=365, help="panjang riwayat dalam hari (bawaan 365)")
        parser.add_argument("--seed", type=int, default=2018, help="benih acak; benih sama, kota sama")
        parser.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD",
                            help="hari terakhir riwayat (bawaan: kemarin menurut zona waktu kota)")

    def handle(self, *args, city, employees, days, seed, until=None, **options):
        started = time.monotonic()
        until = until or city_yesterday(city)
        try:
            with bars(), transaction.atomic():
                summary = seed_city(city_slug=city, employees=employees, days=days, seed=seed, progress=self.say,
                                    on=until)
                city_row = City.objects.get(slug=city)
                users = create_demo_users(city=city_row, seed=seed)
                self.say(f"Akun demo: {len(users)} akun (kata sandi: {DEMO_PASSWORD})")
                extras_seed(city=city_row, days=days, seed=seed, end=until, progress=self.say)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        elapsed = indonesian_number(time.monotonic() - started, 1)
        self.stdout.write(self.style.SUCCESS(
            f"Selesai dalam {elapsed} detik: {indonesian_number(summary['units'])} unit kerja, "
            f"{indonesian_number(summary['employees'])} pegawai, {indonesian_number(summary['sites'])} lokasi, "
            f"{indonesian_number(summary['punches'])} rekaman kehadiran, "
            f"{indonesian_number(summary['daily_statuses'])} status harian "
            f"(benih {seed}, riwayat {indonesian_number(days)} hari sampai {summary['reference_date']:%d-%m-%Y})."))

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal {value!r} tidak sah; tulis sebagai YYYY-MM-DD, misalnya "
                                         f"2026-11-30") from None
