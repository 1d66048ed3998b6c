"""Every index the analytics made on the orders tables (migrations 0002 and 0004)."""

ALL = [
    ("an_assignment_dispatched", "orders_assignment", "dispatched_at"),
    ("an_assignment_ended", "orders_assignment", "ended_at"),
    ("an_deadline_kind_due", "orders_deadline", "kind, due_at"),
    ("an_deadline_kind_met", "orders_deadline", "kind, met_at"),
    ("an_callback_at", "orders_callback", "at"),
    ("an_extension_decided", "orders_extensionrequest", "decided_at"),
    ("an_suspension_decided", "orders_suspensionrequest", "decided_at"),
    ("an_order_supervised", "orders_workorder", "supervised_at"),
    ("an_event_action_at", "orders_event", "action, at"),
    ("an_assignment_order_role_dispatched", "orders_assignment", "order_id, role, dispatched_at"),
]
