"""Reads of organizations: the list with their table counts, and an organization's page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partners.models import Contact, Organization, OrganizationMembership


def organizations_list(*, search: str = "", sector: str = "") -> QuerySet:
    """The current tenant's organizations with how many tables each sits at."""
    organizations = Organization.objects.annotate(
        table_count=Count(
            "participations", filter=Q(participations__left_on__isnull=True), distinct=True
        )
    )
    if search:
        organizations = organizations.filter(name__icontains=search)
    if sector:
        organizations = organizations.filter(sector=sector)
    return organizations.order_by("name")


def organization_page(*, organization) -> dict[str, object]:
    return {
        "staff": list(
            OrganizationMembership.objects.current()
            .filter(organization=organization)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        ),
        "contacts": list(Contact.objects.filter(organization=organization).order_by("name")),
    }
