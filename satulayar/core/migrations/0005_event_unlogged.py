"""PostgreSQL: the live-event table is a passing bus (pruned after a day, replay only for reconnects), so it skips
the write-ahead log: a request's events then commit without waiting for a disk flush. A crash empties the table,
which only costs open screens a replay; the id sequence stays logged so ids never go back to ones screens saw."""

from django.db import migrations

FORWARD = """
ALTER TABLE core_event SET UNLOGGED;
DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %s SET LOGGED', pg_get_serial_sequence('core_event', 'id')); END $$;
"""
BACKWARD = "ALTER TABLE core_event SET LOGGED;"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_job_run")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
