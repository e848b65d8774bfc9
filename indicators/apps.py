from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """Population indicators, geographies, values, targets, imports and the dashboard."""

    name = "indicators"

    def ready(self) -> None:
        from cswb.imports import import_handler_register
        from indicators.services.imports import IndicatorImportHandler

        import_handler_register("indicators", IndicatorImportHandler())
