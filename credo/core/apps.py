from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credo.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from importlib import import_module

        from django.apps import apps
        from django.db.models.signals import pre_save
        from django.utils.module_loading import module_has_submodule

        from credo.core.limits import guard_text_on_save

        # Every save of a Credo model checks its text columns (core/limits.py).
        pre_save.connect(guard_text_on_save, dispatch_uid="credo.core.limits.text")

        # Each app declares its audit events in its own `events.py` (core/audit.py: `register`);
        # importing them here fills the registry before anything records or lists an event.
        # Only Credo's own apps: another package's `events` module is none of the registry's.
        for config in apps.get_app_configs():
            if config.name.startswith("credo.") and module_has_submodule(config.module, "events"):
                import_module(f"{config.name}.events")
