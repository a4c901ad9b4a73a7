from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "satulayar.demo"
    verbose_name = "Demo"
