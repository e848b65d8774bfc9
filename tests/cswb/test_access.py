from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error
from django_scopes import scope

from cswb.access import TenantNeed, get_tenant_for
from cswb.models import TenantMembership

from ..conftest import World


def _request(world: World, role: str):
    request = RequestFactory().get("/halton/")
    request.user = world.user(role)
    request.tenant = world.halton
    with scope(tenant=world.halton):
        request.membership = TenantMembership.objects.filter(user=request.user).first()
    return request


def test_members_may_view_the_tenant(world: World) -> None:
    for role in ("admin", "leader", "coordinator", "partner", "member"):
        assert get_tenant_for(_request(world, role)) == world.halton


def test_only_admins_may_manage_the_tenant(world: World) -> None:
    assert get_tenant_for(_request(world, "admin"), need=TenantNeed.MANAGE) == world.halton
    for role in ("leader", "coordinator", "partner", "member"):
        with pytest.raises(PermissionDenied):
            get_tenant_for(_request(world, role), need=TenantNeed.MANAGE)


def test_no_membership_is_not_found(world: World) -> None:
    request = _request(world, "outsider")
    assert request.membership is None
    with pytest.raises(Http404):
        get_tenant_for(request)


def test_friendly_error_pages(world: World) -> None:
    request = _request(world, "member")
    forbidden = permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403
    assert b"your role does not allow this action" in forbidden.content
    broken = server_error(RequestFactory().get("/"))
    assert broken.status_code == 500
    assert b"Nothing you sent was saved" in broken.content
