"""PostgreSQL: every committed insert into the event table wakes the live-stream listeners (core.events), whichever
process or job wrote it. One notification per statement, on the commit; SQLite has none and keeps polling."""

from django.db import migrations

CHANNEL = "satulayar_events"  # core.events.NOTIFY_CHANNEL; a migration does not import application code

CREATE = f"""
CREATE OR REPLACE FUNCTION core_event_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_event_notify AFTER INSERT ON core_event FOR EACH STATEMENT EXECUTE FUNCTION core_event_notify();
"""
DROP = "DROP TRIGGER IF EXISTS core_event_notify ON core_event; DROP FUNCTION IF EXISTS core_event_notify();"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
