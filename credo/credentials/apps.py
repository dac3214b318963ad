from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credo.credentials"
    label = "credentials"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Verifiable credentials"

    def ready(self):
        from credo.credentials import (
            benchmarks,  # noqa: F401 -- registers its `credo bench` section
            exports,
            signals,
        )

        signals.connect()
        exports.register()
