"""Reads that span tenants or relations, already scoped and prefetched."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django_scopes import scopes_disabled

from .models import ActivityEvent, Tenant, TenantMembership, User


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


def membership_for(*, tenant: Tenant, user: User) -> TenantMembership | None:
    """The user's active membership of `tenant`, or None. The caller is inside the scope."""
    if not user.is_authenticated or not user.is_active:
        return None
    return TenantMembership.objects.filter(tenant=tenant, user=user, is_active=True).first()


def activity_recent(*, limit: int = 10) -> QuerySet[ActivityEvent]:
    """The current tenant's latest events, with their actors."""
    return ActivityEvent.objects.select_related("actor").order_by("-at", "-id")[:limit]
