"""`satulayar tickets_import FILE.csv [--city CODE]`: past tickets from another queue system, all or nothing.

The file's columns are `visits.imports.CSV_COLUMNS`; every row is checked by `tickets_import` with the desk's rules
(offered services, numbering, timestamps in order, the office's local date), and one wrong row refuses the file.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from satulayar.org.models import City
from satulayar.visits.imports import ticket_rows_from_csv, tickets_import


class Command(BaseCommand):
    help = "Impor tiket antrean lama dari berkas CSV (semua atau tidak sama sekali, dengan aturan loket)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="berkas CSV (UTF-8) dengan kolom kelurahan, layanan, nomor, status, …")
        parser.add_argument("--city", help="kode wilayah kota (bawaan: satu-satunya kota)")

    def handle(self, *args, path, city=None, **options):
        cities = City.objects.filter(code=city) if city else City.objects.all()
        if cities.count() != 1:
            raise CommandError("Sebutkan kota dengan --city (kode wilayah)." if not city
                               else f"Kota dengan kode {city!r} tidak ada.")
        try:
            with open(path, encoding="utf-8-sig", newline="") as lines:
                rows = ticket_rows_from_csv(city=cities.get(), lines=lines)
            result = tickets_import(rows=rows)
        except OSError as exc:
            raise CommandError(f"Berkas tidak dapat dibaca: {exc}") from None
        except ValidationError as exc:
            raise CommandError("Tidak ada yang diimpor. " + " ".join(exc.messages)) from None
        self.stdout.write(f"Diimpor: {result.tickets} tiket.")
