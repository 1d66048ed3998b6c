from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "hotline.orders"
    label = "orders"
    verbose_name = "工单"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from hotline.calendars.signals import calendar_changed
        from hotline.orders import fulltext

        connection_created.connect(fulltext.on_connection, dispatch_uid="orders.fulltext.conn")
        post_migrate.connect(fulltext.on_post_migrate, sender=self, dispatch_uid="orders.fulltext")

        def recompute(**kwargs) -> None:
            from hotline.orders.actions import recompute_provisional_deadlines

            recompute_provisional_deadlines()

        calendar_changed.connect(recompute, weak=False, dispatch_uid="orders.recompute_provisional")
