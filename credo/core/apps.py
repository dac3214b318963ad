from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credo.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import pre_save

        from credo.core.limits import guard_text_on_save

        # Every save of a Credo model checks its text columns (core/limits.py).
        pre_save.connect(guard_text_on_save, dispatch_uid="credo.core.limits.text")
