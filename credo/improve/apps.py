from django.apps import AppConfig


class ImproveConfig(AppConfig):
    name = "credo.improve"
    label = "improve"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credo.improve import benchmarks  # noqa: F401 -- registers its `credo bench` section
