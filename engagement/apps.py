from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """Progress digests, surveys, recommendations and voluntary self-identification."""

    name = "engagement"

    def ready(self) -> None:
        # Imported here, not at the top: selectors need the app registry ready.
        from cswb.demo import demo_step_register
        from cswb.sections import panel_register
        from engagement.demo import demo_engagement_seed
        from engagement.demo_surveys import demo_surveys_seed
        from engagement.sections import representation_panel, table_page_panel

        # The survey first: the recommendations name it as their source.
        demo_step_register(demo_surveys_seed)
        demo_step_register(demo_engagement_seed)
        panel_register("table-page", table_page_panel)
        panel_register("representation", representation_panel)
