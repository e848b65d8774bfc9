from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """Progress digests, surveys, recommendations and voluntary self-identification."""

    name = "engagement"

    def ready(self) -> None:
        # Imported here, not at the top: selectors need the app registry ready.
        from cswb.demo import demo_step_register
        from cswb.sections import panel_register
        from engagement.demo import demo_engagement_seed
        from engagement.sections import representation_panel, table_page_panel

        demo_step_register(demo_engagement_seed)
        panel_register("table-page", table_page_panel)
        panel_register("representation", representation_panel)
