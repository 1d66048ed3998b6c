"""The analytics' indexes on the orders tables again, where missing: on SQLite an orders
migration that altered a column (``orders/0009``) remade ``orders_workorder`` and dropped
``an_order_supervised``, which the table's model does not know of.  Idempotent."""

from django.db import migrations

from hotline.analytics.migrations import _dating


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0006_rollup_callbacks"),
        ("orders", "0011_i20_redundant_indexes"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})", "")
        for name, table, columns in _dating.ALL
    ]
