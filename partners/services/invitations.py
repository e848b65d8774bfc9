"""Invitations: how a person gets into a plan. Every write is one transaction and is recorded
in the activity log; emails leave only once the transaction has committed."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cswb.celery import task_enqueue_on_commit
from cswb.emails import email_send
from cswb.models import Tenant, TenantMembership, TenantRole, User
from cswb.selectors import member_by_email
from cswb.services import activity_record, membership_create
from partners.models import (
    Invitation,
    InvitationStatus,
    Organization,
    OrganizationMembership,
    OrgRole,
)
from partners.services.organizations import organization_staff_add

if TYPE_CHECKING:
    from tables.models import ActionTable


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def _expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


def _queue_email(invitation: Invitation, token: str) -> None:
    task_enqueue_on_commit(
        "partners.invitation_send_email",
        tenant_id=invitation.tenant_id,
        invitation_id=invitation.pk,
        token=token,
    )


def invitation_ceiling_check(
    *, tenant: Tenant, invited_by: User, role: str, organization: Organization | None, org_role: str
) -> None:
    """Nobody grants more than they hold. Only the plan's administrators invite as anything
    but a member; organization administrators are made by the plan's administrators or by
    that organization's own. (Where a table's coordinator may invite is the tables app's
    concern: it calls this too.)"""
    inviter = TenantMembership.objects.filter(user=invited_by, is_active=True).first()
    if inviter is None:
        raise ValidationError("Only members of the plan can invite.")
    if organization is not None and organization.tenant_id != tenant.pk:
        raise ValidationError({"organization": "Select a valid choice."})
    if inviter.is_admin:
        return
    if role != TenantRole.MEMBER:
        raise ValidationError(
            {"role": "Only the plan's administrators can invite as leadership or admin."}
        )
    if (
        organization is not None
        and org_role == OrgRole.ORG_ADMIN
        and not OrganizationMembership.objects.current()
        .filter(organization=organization, user=invited_by, role=OrgRole.ORG_ADMIN)
        .exists()
    ):
        raise ValidationError(
            {
                "org_role": f"Only the plan's administrators and {organization}'s own "
                "administrators can make someone its administrator."
            }
        )


@transaction.atomic
def invitation_create(
    *,
    tenant: Tenant,
    email: str,
    role: str,
    invited_by: User,
    organization: Organization | None = None,
    org_role: str = "",
    table: ActionTable | None = None,
    seat_role: str = "",
) -> tuple[Invitation, str]:
    """Invite `email` into `tenant`. Returns the invitation and the link's secret (which is
    mailed, never stored). Refuses an address that is already a member, or that already has
    a pending invitation; an expired one is replaced."""
    email = email.strip().lower()
    if role not in TenantRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if organization is not None and org_role not in OrgRole.values:
        raise ValidationError({"org_role": f"Unknown role {org_role!r}."})
    invitation_ceiling_check(
        tenant=tenant,
        invited_by=invited_by,
        role=role,
        organization=organization,
        org_role=org_role,
    )
    if member_by_email(email) is not None:
        raise ValidationError({"email": f"{email} is already a member of {tenant}."})
    previous = (
        Invitation.objects.select_for_update()
        .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if previous is not None:
        if previous.status == InvitationStatus.PENDING:
            raise ValidationError(
                {
                    "email": f"{email} already has a pending invitation. The plan's "
                    "administrators can send it again from the Invitations page."
                }
            )
        _revoke(previous, actor=invited_by, summary=f"Expired invitation of {email} replaced")
    token, token_hash = _new_token()
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
        expires_at=_expiry(),
        organization=organization,
        org_role=org_role if organization else "",
        table=table,
        seat_role=seat_role if table else "",
    )
    activity_record(
        tenant=tenant,
        actor=invited_by,
        verb="invitation.sent",
        summary=f"{email} invited as {TenantRole(role).label.lower()}",
        target=invitation,
        changes={"email": email, "role": role},
    )
    _queue_email(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> tuple[Invitation, str]:
    """Send a fresh link with a fresh expiry; the previous link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(f"This invitation is {invitation.status.label.lower()}.")
    token, invitation.token_hash = _new_token()
    invitation.expires_at = _expiry()
    invitation.last_sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "expires_at", "last_sent_at", "send_count"])
    activity_record(
        tenant=invitation.tenant,
        actor=actor,
        verb="invitation.resent",
        summary=f"Invitation of {invitation.email} sent again",
        target=invitation,
    )
    _queue_email(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(f"This invitation is {invitation.status.label.lower()}.")
    _revoke(invitation, actor=actor, summary=f"Invitation of {invitation.email} revoked")
    return invitation


def _revoke(invitation: Invitation, *, actor: User, summary: str) -> None:
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    activity_record(
        tenant=invitation.tenant,
        actor=actor,
        verb="invitation.revoked",
        summary=summary,
        target=invitation,
    )


def _lock_pending(invitation: Invitation) -> Invitation:
    """Re-read the invitation under a row lock and refuse it unless it is still pending, so
    two people racing with one link cannot both get in."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status != InvitationStatus.PENDING:
        raise ValidationError(f"This invitation is {locked.status.label.lower()}.")
    return locked


def _accept(invitation: Invitation, user: User) -> TenantMembership:
    # The grants are checked again now: whoever sent the invitation must still be able to
    # grant what it offers (they may have lost a role since, or sent it before a rule).
    try:
        invitation_ceiling_check(
            tenant=invitation.tenant,
            invited_by=invitation.invited_by,
            role=invitation.role,
            organization=invitation.organization,
            org_role=invitation.org_role,
        )
    except ValidationError:
        raise ValidationError(NO_LONGER_GRANTABLE) from None
    membership = TenantMembership.objects.filter(user=user).first()
    if membership is None or not membership.is_active:
        membership = membership_create(
            tenant=invitation.tenant, user=user, role=invitation.role, actor=user
        )
    _apply_affiliations(invitation, user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    activity_record(
        tenant=invitation.tenant,
        actor=user,
        verb="invitation.accepted",
        summary=f"{user.display_name} accepted the invitation of {invitation.email}",
        target=invitation,
    )
    return membership


# What else an accepted invitation promised, registered by the apps that own it (the tables
# app seats the person at the invitation's table): partners cannot import tables.
# A step raises ValidationError(NO_LONGER_GRANTABLE) when the inviter can no longer grant
# what it would apply; the whole acceptance is then undone.
InvitationStep = Callable[[Invitation, User], None]
NO_LONGER_GRANTABLE = (
    "This invitation can no longer be accepted: whoever sent it can no longer grant what it "
    "offers. Ask the plan's administrators for a new invitation."
)
_steps: list[InvitationStep] = []


def invitation_step_register(step: InvitationStep) -> None:
    if step not in _steps:
        _steps.append(step)


def _apply_affiliations(invitation: Invitation, user: User) -> None:
    """The organization the invitation promised, then each registered step (a table seat)."""
    if (
        invitation.organization_id
        and not OrganizationMembership.objects.current()
        .filter(organization=invitation.organization, user=user)
        .exists()
    ):
        organization_staff_add(
            organization=invitation.organization,
            user=user,
            role=invitation.org_role or "staff",
            actor=user,
        )
    for step in _steps:
        step(invitation, user)


def invitation_matches_user(*, invitation: Invitation, user: User) -> bool:
    """The invitation is for one of the user's confirmed addresses."""
    if user.email.lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> TenantMembership:
    """An existing, signed-in person accepts an invitation sent to their address."""
    invitation = _lock_pending(invitation)
    if not invitation_matches_user(invitation=invitation, user=user):
        raise ValidationError("This invitation was sent to another email address.")
    return _accept(invitation, user)


@transaction.atomic
def invitation_accept_as_new_user(*, invitation: Invitation, full_name: str, password: str) -> User:
    """A new person accepts: their account (address confirmed by the invitation itself),
    their membership and the acceptance are created together or not at all."""
    invitation = _lock_pending(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account already exists for this address: sign in instead.")
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=full_name.strip()
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    _accept(invitation, user)
    return user


def invitation_accept_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("invitation-accept", kwargs={"token": token})


def invitation_email_send(*, invitation_id: int, token: str) -> bool:
    """Mail the link, unless the invitation changed since it was queued (resent, revoked or
    accepted): a stale link is never sent. Called by the task, inside the tenant's scope."""
    invitation = (
        Invitation.objects.select_related("tenant", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.token_hash != invitation_token_hash(token):
        return False
    if invitation.status != InvitationStatus.PENDING:
        return False
    email_send(
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "tenant": invitation.tenant,
            "inviter": invitation.invited_by,
            "role": TenantRole(invitation.role).label,
            "accept_url": invitation_accept_url(token),
            "expires_at": timezone.localtime(invitation.expires_at, invitation.tenant.tzinfo),
        },
    )
    return True
