from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Organizations, their people and contacts, invitations and the sector taxonomy."""

    name = "partners"

    def ready(self) -> None:
        # Imported here, not at the top: they need the app registry ready.
        from cswb.imports import import_handler_register
        from partners.services.importing import OrganizationImportHandler

        import_handler_register("organizations", OrganizationImportHandler())
