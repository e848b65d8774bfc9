from django.apps import AppConfig


class TablesConfig(AppConfig):
    """Action tables: focus areas, seats, meetings, actions, outcomes and progress pages."""

    name = "tables"
