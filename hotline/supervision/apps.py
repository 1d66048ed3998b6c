from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "hotline.supervision"
    label = "supervision"
    verbose_name = "催办督办"

    def ready(self) -> None:
        from hotline.orders import actions
        from hotline.orders.models import EVENT_LABELS
        from hotline.supervision.hooks import on_order_event, redact_for_retention

        if on_order_event not in actions.after_commit_hooks:
            actions.after_commit_hooks.append(on_order_event)
        if redact_for_retention not in actions.retention_hooks:
            actions.retention_hooks.append(redact_for_retention)
        # Timeline lines the sweep writes (not actions of the transition table).
        EVENT_LABELS.setdefault("auto_remind", "系统自动提醒")
        EVENT_LABELS.setdefault("emergency_reported", "上报应急部门")
        # a supervisor's call before any deadline passed: a 提醒, not a 催办 (§6.5)
        EVENT_LABELS.setdefault("prompt", "电话提醒")
