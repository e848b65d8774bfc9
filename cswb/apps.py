from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cswb"
    label = "cswb"
    verbose_name = "CSWB Portal"
