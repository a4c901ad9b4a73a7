"""`satulayar restore FILE --yes`: replace the database's contents with a backup, then check it.

Stop the server and the worker first: the restore overwrites every table. The restored tables are compared with
the backup's manifest (row counts and checksums); any difference is an error naming the tables.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from satulayar.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Pulihkan basis data dari berkas cadangan `satulayar backup` (menimpa seluruh isi basis data)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="berkas cadangan")
        parser.add_argument("--yes", action="store_true", help="ya, timpa basis data yang sekarang")

    def handle(self, *args, path: Path, yes: bool = False, **options):
        if not yes:
            raise CommandError("Pemulihan menimpa seluruh isi basis data. Hentikan server dan worker, lalu ulangi "
                               "dengan --yes.")
        try:
            tables = backup_restore(path=path)
        except BackupError as exc:
            raise CommandError(f"Pemulihan gagal: {exc}") from None
        self.stdout.write(f"Dipulihkan dari {path}: {len(tables)} tabel, "
                          f"{sum(t.rows for t in tables.values()):,} baris, sama dengan manifest.")
