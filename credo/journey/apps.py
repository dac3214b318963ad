from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "credo.journey"
    label = "journey"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credo.journey import benchmarks  # noqa: F401 -- registers its `credo bench` section
