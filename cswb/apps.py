from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cswb"
    label = "cswb"
    verbose_name = "CSWB Portal"

    def ready(self) -> None:
        from cswb import receivers  # noqa: F401 -- connects the account-event receivers
