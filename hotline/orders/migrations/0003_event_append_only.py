"""The database itself refuses to change a timeline event: append-only even for raw SQL."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER orders_event_append_only BEFORE UPDATE ON orders_event
       BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS orders_event_append_only;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION orders_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'timeline events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER orders_event_append_only BEFORE UPDATE ON orders_event
       FOR EACH ROW EXECUTE FUNCTION orders_event_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS orders_event_append_only ON orders_event;",
    "DROP FUNCTION IF EXISTS orders_event_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
