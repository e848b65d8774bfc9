from django.apps import AppConfig


class TablesConfig(AppConfig):
    """Action tables: focus areas, seats, meetings, actions, outcomes and progress pages."""

    name = "tables"

    def ready(self) -> None:
        # Imported here, not at the top: models and selectors need the app registry ready.
        from cswb.sections import section_register
        from partners.services.invitations import invitation_step_register
        from tables.sections import organization_section, tenant_home_section
        from tables.services.seats import table_seat_for_invitation

        section_register("tenant-home", tenant_home_section)
        section_register("organization", organization_section)
        invitation_step_register(table_seat_for_invitation)
