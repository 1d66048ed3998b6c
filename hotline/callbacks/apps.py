from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "hotline.callbacks"
    label = "callbacks"
    verbose_name = "智能回访与短信通知"

    def ready(self) -> None:
        from hotline.callbacks import hooks

        hooks.install()
