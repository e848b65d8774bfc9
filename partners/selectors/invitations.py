"""Reads of invitations."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from partners.models import Invitation, InvitationStatus
from partners.services.invitations import invitation_token_hash


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
