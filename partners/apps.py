from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Organizations, their people and contacts, invitations and the sector taxonomy."""

    name = "partners"
