from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """Progress digests, surveys, recommendations and voluntary self-identification."""

    name = "engagement"
