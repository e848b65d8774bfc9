"""Reads that span tenants or relations, already scoped and prefetched."""

from __future__ import annotations

from datetime import datetime

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django_scopes import scopes_disabled

from cswb.models import ActivityEvent, MfaPolicy, Tenant, TenantMembership, TenantRole, User


def memberships_for_user(*, user: User) -> list[TenantMembership]:
    """The user's active memberships across tenants, for the landing page and the tenant
    switcher. This is the one read that deliberately spans tenants: it only ever returns the
    user's own rows."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            TenantMembership.objects.filter(user=user, is_active=True, tenant__is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )


def memberships_for_request(request: HttpRequest) -> list[TenantMembership]:
    """memberships_for_user for the signed-in person, read once per request: the page and the
    header's tenant switcher share it."""
    if not hasattr(request, "_my_memberships"):
        request._my_memberships = memberships_for_user(user=request.user)
    return request._my_memberships


def member_by_email(email: str) -> TenantMembership | None:
    """The current plan's active member with this address, in any case, or None. Only this
    plan's members are looked up: an account of another plan is never found, nor named."""
    return (
        TenantMembership.objects.filter(user__email__iexact=email.strip(), is_active=True)
        .select_related("user")
        .first()
    )


def membership_for(*, tenant: Tenant, user: User) -> TenantMembership | None:
    """The user's active membership of `tenant`, or None. The caller is inside the scope."""
    if not user.is_authenticated or not user.is_active:
        return None
    return TenantMembership.objects.filter(tenant=tenant, user=user, is_active=True).first()


def mfa_setup_required(*, user: User) -> bool:
    """True when one of the user's plans requires two-factor authentication of them (by its
    policy and their role there) and they have no authenticator yet. One query."""

    with scopes_disabled():
        requiring = TenantMembership.objects.filter(
            user=OuterRef("pk"), is_active=True, tenant__is_active=True
        ).filter(
            Q(tenant__mfa_policy=MfaPolicy.EVERYONE)
            | Q(tenant__mfa_policy=MfaPolicy.ADMINS, role=TenantRole.ADMIN)
        )
        authenticators = Authenticator.objects.filter(
            user=OuterRef("pk"),
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        )
        return (
            User.objects.filter(pk=user.pk)
            .filter(Exists(requiring), ~Exists(authenticators))
            .exists()
        )


# Account events (sign-ins, failed sign-ins, two-factor changes) belong on the security page,
# not in the plan's activity feed.
ACCOUNT_VERB_PREFIXES = ("auth.", "security.")


def activity_last_at() -> datetime | None:
    """When the current tenant's data last changed: every write records an ActivityEvent in
    its transaction, so this is the Last-Modified of anything built from the plan's data
    (account events, which change no plan data, aside). One query, on the (tenant, -at)
    index."""
    events = ActivityEvent.objects.all()
    for prefix in ACCOUNT_VERB_PREFIXES:
        events = events.exclude(verb__startswith=prefix)
    return events.order_by("-at").values_list("at", flat=True).first()


def activity_recent(*, limit: int = 10) -> QuerySet[ActivityEvent]:
    """The current tenant's latest events about its work, with their actors."""
    account = Q()
    for prefix in ACCOUNT_VERB_PREFIXES:
        account |= Q(verb__startswith=prefix)
    return (
        ActivityEvent.objects.exclude(account)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


SECURITY_VERB_PREFIXES = ("auth.", "invitation.", "membership.", "security.")


def security_events() -> QuerySet[ActivityEvent]:
    """The current tenant's account and access events, newest first."""
    prefixes = Q()
    for prefix in SECURITY_VERB_PREFIXES:
        prefixes |= Q(verb__startswith=prefix)
    return ActivityEvent.objects.filter(prefixes).select_related("actor").order_by("-at", "-id")


def members_list() -> QuerySet[TenantMembership]:
    """The current tenant's active members with whether each has two-factor authentication."""

    return (
        TenantMembership.objects.filter(is_active=True)
        .select_related("user")
        .annotate(
            has_mfa=Exists(
                Authenticator.objects.filter(
                    user=OuterRef("user"),
                    type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
                )
            )
        )
        .order_by("user__full_name", "user__email")
    )
