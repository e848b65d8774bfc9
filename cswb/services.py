"""Every write to tenants and their memberships. Each service runs in one transaction and
records what it did in the activity log."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from cswb.models import (
    ActivityEvent,
    MembershipPeriod,
    MfaPolicy,
    Tenant,
    TenantMembership,
    TenantRole,
    User,
)
from cswb.selectors import memberships_for_user


def activity_record(
    *,
    tenant: Tenant,
    actor: User | None,
    verb: str,
    summary: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    table: models.Model | None = None,
) -> ActivityEvent:
    """Append one event to the tenant's activity log. Callers are services, inside their own
    transaction, so the event exists exactly when the change does."""
    event = ActivityEvent(
        tenant=tenant,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        summary=summary[:500],
        changes=changes or {},
        table=table,
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:300]
    event.save()
    return event


def period_end(*, period: MembershipPeriod, already_ended: str) -> None:
    """End a membership period today (a person leaves an organization or a seat, an
    organization leaves a table); the row stays as history. Refuses one already ended."""
    if period.left_on is not None:
        raise ValidationError(already_ended)
    period.left_on = timezone.localdate()
    period.save(update_fields=["left_on"])


@transaction.atomic
def tenant_create(*, slug: str, name: str, time_zone: str = "America/Toronto") -> Tenant:
    tenant = Tenant(slug=slug, name=name, time_zone=time_zone)
    tenant.full_clean()
    tenant.save()
    return tenant


@transaction.atomic
def membership_create(
    *, tenant: Tenant, user: User, role: str, actor: User | None = None
) -> TenantMembership:
    """Make `user` a member of `tenant`. A deactivated membership is reactivated with the new
    role rather than duplicated."""
    if role not in TenantRole.values:
        raise ValidationError(f"Unknown tenant role {role!r}.")
    membership = TenantMembership.objects.filter(user=user).first()
    if membership is not None and membership.is_active:
        raise ValidationError(f"{user} is already a member of {tenant}.")
    if membership is None:
        membership = TenantMembership.objects.create(tenant=tenant, user=user, role=role)
    else:
        membership.role = role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active"])
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="membership.created",
        summary=f"{user.display_name} joined as {TenantRole(role).label.lower()}",
        target=membership,
        changes={"role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(
    *, membership: TenantMembership, role: str, actor: User | None = None
) -> TenantMembership:
    if role not in TenantRole.values:
        raise ValidationError(f"Unknown tenant role {role!r}.")
    old = membership.role
    if old == role:
        return membership
    _refuse_removing_last_admin(membership, new_role=role)
    membership.role = role
    membership.save(update_fields=["role"])
    activity_record(
        tenant=membership.tenant,
        actor=actor,
        verb="membership.role_changed",
        summary=f"{membership.user.display_name} is now {TenantRole(role).label.lower()}",
        target=membership,
        changes={"role": [old, role]},
    )
    return membership


@transaction.atomic
def membership_deactivate(
    *, membership: TenantMembership, actor: User | None = None
) -> TenantMembership:
    """Take a person's access to the plan away at once: membership is checked on every request,
    so their open sessions get 404 here from the next request on (their other plans are not
    affected)."""
    _refuse_removing_last_admin(membership, new_role=None)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    activity_record(
        tenant=membership.tenant,
        actor=actor,
        verb="membership.deactivated",
        summary=f"{membership.user.display_name} no longer has access",
        target=membership,
    )
    return membership


@transaction.atomic
def membership_meeting_notices_set(*, membership: TenantMembership, on: bool) -> bool:
    """A person's own choice: meeting notices (and reminders) by email, or none. Returns
    whether anything changed."""
    if membership.meeting_notices == on:
        return False
    membership.meeting_notices = on
    membership.save(update_fields=["meeting_notices"])
    activity_record(
        tenant=membership.tenant,
        actor=membership.user,
        verb="membership.meeting_notices",
        summary=f"{membership.user.display_name} turned meeting notices {'on' if on else 'off'}",
        target=membership,
        changes={"meeting_notices": [not on, on]},
    )
    return True


@transaction.atomic
def tenant_set_mfa_policy(*, tenant: Tenant, policy: str, actor: User) -> Tenant:
    if policy not in MfaPolicy.values:
        raise ValidationError(f"Unknown MFA policy {policy!r}.")
    old = tenant.mfa_policy
    if old == policy:
        return tenant
    tenant.mfa_policy = policy
    tenant.save(update_fields=["mfa_policy"])
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="security.mfa_policy_changed",
        summary=f"Two-factor authentication: {MfaPolicy(policy).label.lower()}",
        target=tenant,
        changes={"mfa_policy": [old, policy]},
    )
    return tenant


@transaction.atomic
def security_event_record(
    *, user: User, verb: str, summary: str, changes: dict[str, Any] | None = None
) -> None:
    """An account event (sign-in, failed sign-in, MFA change) goes into the log of every plan
    the person belongs to, where that plan's administrators can see it."""

    for membership in memberships_for_user(user=user):
        activity_record(
            tenant=membership.tenant,
            actor=user,
            verb=verb,
            summary=summary,
            target=user,
            changes=changes,
        )


def _refuse_removing_last_admin(membership: TenantMembership, *, new_role: str | None) -> None:
    if membership.role != TenantRole.ADMIN or new_role == TenantRole.ADMIN:
        return
    # Lock the tenant's admin rows so two concurrent demotions cannot both pass the check.
    admins = list(
        TenantMembership.objects.select_for_update()
        .filter(role=TenantRole.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise ValidationError("A plan must keep at least one administrator.")
