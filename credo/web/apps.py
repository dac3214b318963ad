from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    name = "credo.web"
    label = "web"
    default = True
    default_auto_field = "django.db.models.BigAutoField"


class CredoAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin whose site lets in only superusers verified by their second factor."""

    default = False
    default_site = "credo.web.admin.CredoAdminSite"
