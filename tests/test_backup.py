"""`satulayar backup` and `satulayar restore`: a seeded city backed up, wiped, restored, every table the same."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from satulayar.core.backup import database_sums, manifest_path, read_manifest


@pytest.fixture
def seeded_city(transactional_db):
    call_command("seed", employees=240, days=2, until=dt.date(2026, 11, 6), stdout=StringIO())  # a Thursday, a Friday
    return database_sums()


def test_backup_wipe_restore_gives_back_every_table(seeded_city, tmp_path):
    before = seeded_city
    assert before["attendance_punch"].rows > 0
    assert before["org_employee"].rows == 240
    path = tmp_path / "kota.backup"
    out = StringIO()
    call_command("backup", output=path, stdout=out)
    assert f"Cadangan tersimpan: {path}" in out.getvalue()
    assert read_manifest(path) == before

    call_command("flush", interactive=False)
    wiped = database_sums()
    assert wiped["org_employee"].rows == wiped["attendance_punch"].rows == 0

    out = StringIO()
    call_command("restore", str(path), yes=True, stdout=out)
    assert "sama dengan manifest" in out.getvalue()
    assert database_sums() == before


def test_restore_refuses_without_yes_and_names_tables_that_came_back_wrong(seeded_city, tmp_path):
    path = tmp_path / "kota.backup"
    call_command("backup", output=path, stdout=StringIO())
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("backup", output=path, stdout=StringIO())

    manifest = json.loads(manifest_path(path).read_text())
    manifest["tables"]["org_employee"]["checksum"] = "0" * 64
    manifest_path(path).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="org_employee"):
        call_command("restore", str(path), yes=True, stdout=StringIO())
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("restore", str(tmp_path / "missing.backup"), yes=True)
