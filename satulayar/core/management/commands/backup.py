"""`satulayar backup [--output FILE]`: a consistent copy of the database while the server keeps running.

SQLite through its online backup API, PostgreSQL through pg_dump; a manifest of every table's row count and
checksum is written next to it (FILE.json) for `satulayar restore` to check against.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from satulayar.core.backup import BackupError, backup_create, manifest_path, read_manifest


class Command(BaseCommand):
    help = "Cadangkan basis data (SQLite: backup API daring; PostgreSQL: pg_dump) beserta manifest jumlah baris."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="berkas cadangan (bawaan: var/backups/satulayar-<waktu>)")

    def handle(self, *args, output=None, **options):
        try:
            path = backup_create(path=output)
        except BackupError as exc:
            raise CommandError(f"Pencadangan gagal: {exc}") from None
        tables = read_manifest(path)
        self.stdout.write(f"Cadangan tersimpan: {path} ({path.stat().st_size:,} byte, {len(tables)} tabel, "
                          f"{sum(t.rows for t in tables.values()):,} baris); manifest: {manifest_path(path)}")
