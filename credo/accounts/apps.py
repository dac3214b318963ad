from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "credo.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credo.accounts import signin

        signin.connect()
