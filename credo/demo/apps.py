from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "credo.demo"
    label = "demo"
    verbose_name = "Demo network"
