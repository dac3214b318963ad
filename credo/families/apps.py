from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "credo.families"
    label = "families"
    default_auto_field = "django.db.models.BigAutoField"
