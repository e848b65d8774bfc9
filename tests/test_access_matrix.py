"""The access matrix of DESIGN.md, asserted for every URL under /<tenant>/ and every role.

A URL pattern added under the tenant that is not listed in MATRIX fails
`test_every_tenant_url_is_in_the_matrix`: decide who may use it, then add its row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, reverse
from django_scopes import scope

from cswb import tenant_urls
from cswb.models import TenantMembership

from .conftest import ROLES, World
from .factories import InvitationFactory

ANONYMOUS = None
LOGIN = "login"  # anonymous visitors are sent to the login page, whatever the URL


@dataclass(frozen=True)
class Row:
    """Who gets what on one URL. Roles are the world's; `outsider` belongs to another tenant."""

    admin: int
    leader: int
    coordinator: int
    partner: int
    member: int
    outsider: int = 404
    anonymous: str = LOGIN
    method: str = "get"
    kwargs: Callable[[World], dict[str, object]] = field(default=lambda world: {})

    def expected(self, role: str | None) -> int | str:
        return self.anonymous if role is None else getattr(self, role)


def every_member(status: int = 200, **extra: object) -> Row:
    return Row(status, status, status, status, status, **extra)


def admin_only(status: int = 200, **extra: object) -> Row:
    return Row(status, 403, 403, 403, 403, **extra)


def _invitation(world: World) -> dict[str, object]:
    return {"pk": InvitationFactory(tenant=world.halton, invited_by=world.admin).pk}


def _member(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        return {"pk": TenantMembership.objects.get(user=world.member).pk}


MATRIX: dict[str, Row] = {
    "tenant-home": every_member(200),
    "partners:invitations": admin_only(200),
    "partners:invitation-resend": admin_only(302, method="post", kwargs=_invitation),
    "partners:invitation-revoke": admin_only(200, kwargs=_invitation),
    "manage:members": admin_only(200),
    "manage:member-role": admin_only(302, method="post", kwargs=_member),
    "manage:member-deactivate": admin_only(200, kwargs=_member),
    "manage:security": admin_only(200),
}


def _tenant_url_names(patterns: list, prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _tenant_url_names(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


def test_every_tenant_url_is_in_the_matrix() -> None:
    names = set(_tenant_url_names(tenant_urls.urlpatterns))
    assert names == set(MATRIX), (
        f"not in the matrix: {sorted(names - set(MATRIX))}; "
        f"in the matrix but gone: {sorted(set(MATRIX) - names)}"
    )


CASES = [(name, role) for name in MATRIX for role in (*ROLES, ANONYMOUS)]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r or 'anonymous'}" for n, r in CASES])
def test_access_matrix(world: World, client_for, name: str, role: str | None) -> None:
    row = MATRIX[name]
    url = reverse(name, kwargs={"tenant_slug": world.halton.slug, **row.kwargs(world)})
    response = getattr(client_for(role), row.method)(url)
    expected = row.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == (f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", list(MATRIX))
def test_other_tenants_pages_are_not_found_for_halton_people(world: World, client_for, name):
    """The second tenant proves nothing leaks: Halton's admin gets 404 on Lakeshore's URLs."""
    row = MATRIX[name]
    url = reverse(name, kwargs={"tenant_slug": world.lakeshore.slug, **row.kwargs(world)})
    assert getattr(client_for("admin"), row.method)(url).status_code == 404


@pytest.mark.parametrize("name", list(MATRIX))
def test_unknown_tenant_looks_like_any_other_forbidden_tenant(world: World, client_for, name):
    row = MATRIX[name]
    url = reverse(name, kwargs={"tenant_slug": "no-such-plan", **row.kwargs(world)})
    response = getattr(client_for("admin"), row.method)(url)
    assert response.status_code == 404
    anonymous = getattr(client_for(None), row.method)(url)
    assert anonymous.status_code == 302  # no hint, to strangers, of which plans exist
