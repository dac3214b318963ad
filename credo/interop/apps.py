from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "credo.interop"
    label = "interop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credo.interop import benchmarks  # noqa: F401 -- registers its `credo bench` section
