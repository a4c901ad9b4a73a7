"""Make the audit log append-only in the database itself, not only in the ORM."""

from django.db import migrations

SQLITE = """
CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""
POSTGRES = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditentry_no_update ON audit_auditentry;
CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
# SQLite deletes are left to the ORM guard: Django's test flush empties tables with DELETE
# (PostgreSQL's flush uses TRUNCATE, which row triggers do not see).


def forwards(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditentry_no_update")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditentry_no_update ON audit_auditentry")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
