from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "hotline.orders"
    label = "orders"
    verbose_name = "工单"

    def ready(self) -> None:
        from hotline.calendars.signals import calendar_changed

        def recompute(**kwargs) -> None:
            from hotline.orders.actions import recompute_provisional_deadlines

            recompute_provisional_deadlines()

        calendar_changed.connect(recompute, weak=False, dispatch_uid="orders.recompute_provisional")
