from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """Population indicators, geographies, values, targets, imports and the dashboard."""

    name = "indicators"
