from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from partners.models import Invitation, InvitationStatus
from partners.services import invitation_token_hash


def invitation_from_token(*, token: str) -> Invitation | None:
    """The invitation a link's secret opens, in any tenant: the invitee is not a member yet,
    so no scope can be known before this lookup. Found by the secret's digest only."""
    if not token or len(token) > 100:
        return None
    with scopes_disabled():
        return (
            Invitation.objects.select_related("tenant", "invited_by")
            .filter(token_hash=invitation_token_hash(token), tenant__is_active=True)
            .first()
        )


def invitations_list(*, status: str | None = None) -> QuerySet[Invitation]:
    """The current tenant's invitations, newest first, filtered by derived status."""
    invitations = Invitation.objects.select_related("invited_by", "accepted_by")
    now = timezone.now()
    open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
    filters = {
        InvitationStatus.PENDING: open_ & Q(expires_at__gt=now),
        InvitationStatus.EXPIRED: open_ & Q(expires_at__lte=now),
        InvitationStatus.ACCEPTED: Q(accepted_at__isnull=False),
        InvitationStatus.REVOKED: Q(revoked_at__isnull=False),
    }
    if status in filters:
        invitations = invitations.filter(filters[status])
    return invitations.order_by("-created_at", "-id")


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
