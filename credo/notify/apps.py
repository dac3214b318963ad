from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "credo.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Notifications"
