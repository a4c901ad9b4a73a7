import argparse
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from satulayar.integrity.services import findings_run
from satulayar.org.models import City


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal {value!r} tidak sah; tulis sebagai YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Menjalankan aturan sinyal integritas untuk rentang tanggal (semua kota, atau satu dengan --city)."

    def add_arguments(self, parser):
        parser.add_argument("start", type=_date)
        parser.add_argument("end", type=_date)
        parser.add_argument("--city", default=None, help="slug kota")

    def handle(self, *args, start, end, city=None, **options):
        cities = City.objects.filter(slug=city) if city else City.objects.all()
        if not cities.exists():
            raise CommandError(f"kota {city!r} tidak ada")
        for row in cities:
            try:
                result = findings_run(actor=None, city=row, start=start, end=end)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            found = ", ".join(f"{code} {n}" for code, n in result.found.items())
            self.stdout.write(f"{row.name}: {sum(result.found.values())} sinyal ({result.created} baru): {found}")
