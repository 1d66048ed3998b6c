"""Indexes on the columns that date what the assessment counts.

They live on the orders app's tables but serve only the analytics (the roll-up job and
the live count of unsealed days read one day's rows through them), so they are created
here, by name, with SQL both SQLite and PostgreSQL accept.  Their cost at intake: one
more B-tree entry per row written or per timestamp set (docs/assessment.md).
"""

from django.db import migrations

INDEXES = [
    ("an_assignment_dispatched", "orders_assignment", "dispatched_at"),
    ("an_assignment_ended", "orders_assignment", "ended_at"),
    ("an_deadline_kind_due", "orders_deadline", "kind, due_at"),
    ("an_deadline_kind_met", "orders_deadline", "kind, met_at"),
    ("an_callback_at", "orders_callback", "at"),
    ("an_extension_decided", "orders_extensionrequest", "decided_at"),
    ("an_suspension_decided", "orders_suspensionrequest", "decided_at"),
    ("an_order_supervised", "orders_workorder", "supervised_at"),
    ("an_event_action_at", "orders_event", "action, at"),
]


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("orders", "0002_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
