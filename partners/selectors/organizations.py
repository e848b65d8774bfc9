from __future__ import annotations

from django.db.models import Q, QuerySet


def organizations_list(*, search: str = "", sector: str = "") -> QuerySet:
    """The current tenant's organizations with how many tables each sits at."""
    from django.db.models import Count

    from partners.models import Organization

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


def organization_page(*, organization, visible_tables: QuerySet) -> dict[str, object]:
    from partners.models import Contact, OrganizationMembership
    from tables.models import TableOrganization

    return {
        "participations": list(
            TableOrganization.objects.filter(
                organization=organization, left_on__isnull=True, table__in=visible_tables
            )
            .select_related("table")
            .order_by("table__name")
        ),
        "staff": list(
            OrganizationMembership.objects.filter(organization=organization, left_on__isnull=True)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        ),
        "contacts": list(Contact.objects.filter(organization=organization).order_by("name")),
    }
