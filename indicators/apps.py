from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """Population indicators, geographies, values, targets, imports and the dashboard."""

    name = "indicators"

    def ready(self) -> None:
        # Imported here, not at the top: they need the app registry ready.
        from cswb.imports import import_handler_register
        from cswb.sections import panel_register
        from indicators.sections import table_indicators_panel
        from indicators.services.imports import IndicatorImportHandler

        import_handler_register("indicators", IndicatorImportHandler())
        # On a table's page, the population indicators it works to turn.
        panel_register("table-page", table_indicators_panel)
