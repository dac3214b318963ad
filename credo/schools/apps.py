from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "credo.schools"
    label = "schools"
    default_auto_field = "django.db.models.BigAutoField"
