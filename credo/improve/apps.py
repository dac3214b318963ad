from django.apps import AppConfig


class ImproveConfig(AppConfig):
    name = "credo.improve"
    label = "improve"
    default_auto_field = "django.db.models.BigAutoField"
