"""The lead unit at an instant (``metrics.lead_unit_at``) is one index probe:
``(order_id, role, dispatched_at)``.  Without it SQLite answered the correlated subquery's
``ORDER BY dispatched_at DESC LIMIT 1`` by walking the ``dispatched_at`` index backwards
from the instant until it met the order — milliseconds per row on a big history."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_hotspot_run")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS an_assignment_order_role_dispatched "
            "ON orders_assignment (order_id, role, dispatched_at)",
            "DROP INDEX IF EXISTS an_assignment_order_role_dispatched",
        )
    ]
