"""The access matrix of DESIGN.md, asserted for every URL under /<tenant>/ and every role.

A URL pattern added under the tenant that is not listed in MATRIX fails
`test_every_tenant_url_is_in_the_matrix`: decide who may use it, then add its row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django_scopes import scope

from cswb import tenant_urls
from cswb.models import TenantMembership
from partners.models import OrganizationMembership
from partners.services.organizations import contact_create
from tables.models import Meeting, TableOrganization, TableSeat
from tables.services.actions import action_create
from tables.services.meetings import decision_add, meeting_schedule
from tables.services.outcomes import measure_create

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


def _table(world: World) -> dict[str, object]:
    return {"table_slug": world.table.slug}


def _ipv(world: World) -> dict[str, object]:
    return {"table_slug": world.ipv.slug}


def _participation(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        pk = TableOrganization.objects.get(table=table, organization=world.youth_org).pk
    return {"table_slug": table.slug, "pk": pk}


def _seat(world: World, table_attr: str = "table") -> dict[str, object]:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        pk = TableSeat.objects.get(table=table, user=world.coordinator).pk
    return {"table_slug": table.slug, "pk": pk}


def _org(world: World) -> dict[str, object]:
    return {"org_slug": world.youth_org.slug}


def _staff(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        pk = OrganizationMembership.objects.get(organization=world.youth_org, user=world.partner).pk
    return {"org_slug": world.youth_org.slug, "pk": pk}


def _contact(world: World) -> dict[str, object]:
    with scope(tenant=world.halton):
        contact = contact_create(
            organization=world.youth_org,
            name="Intake desk",
            email="intake@youth.example",
            actor=world.admin,
        )
        return {"org_slug": world.youth_org.slug, "pk": contact.pk}


def _action(world: World, table_attr: str = "table", org_attr: str = "youth_org") -> dict:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        action = action_create(
            table=table,
            title="Map referral pathways",
            actor=world.admin,
            owner_organization=getattr(world, org_attr),
        )
    return {"table_slug": table.slug, "pk": action.pk}


def _meeting(world: World, table_attr: str = "table") -> dict:
    table = getattr(world, table_attr)
    start = timezone.now() + timedelta(days=1)
    with scope(tenant=world.halton):
        meeting = meeting_schedule(
            table=table,
            actor=world.admin,
            title="Regular meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    return {"table_slug": table.slug, "pk": meeting.pk}


def _decision(world: World) -> dict:
    kwargs = _meeting(world)
    with scope(tenant=world.halton):
        meeting = Meeting.objects.get(pk=kwargs["pk"])
        decision = decision_add(meeting=meeting, actor=world.admin, text="Pilot a joint shift.")
    return {**kwargs, "decision_pk": decision.pk}


def _measure(world: World, table_attr: str = "table", org_attr: str = "youth_org") -> dict:
    table = getattr(world, table_attr)
    with scope(tenant=world.halton):
        measure = measure_create(
            table=table,
            actor=world.admin,
            name="Days to first counselling appointment",
            kind="how_well",
            unit="days",
            direction="down",
            baseline_value=45,
            baseline_date=date(2024, 1, 1),
            target_value=30,
            target_date=date(2027, 12, 31),
            reporting_organization=getattr(world, org_attr),
        )
    return {"table_slug": table.slug, "pk": measure.pk}


def _digest_run(world: World) -> dict[str, object]:
    from engagement.services.digests import digest_run_plan

    with scope(tenant=world.halton):
        run, _ = digest_run_plan(tenant=world.halton, now=timezone.now(), trigger="command")
    return {"pk": run.pk}


def runs_table(status: int = 200, **extra: object) -> Row:
    """Admins and the table's coordinator; leadership and members may not (403)."""
    return Row(status, 403, status, 403, 403, **extra)


def runs_members_only_table(status: int = 200, **extra: object) -> Row:
    """The same on the members-only table, where a plan member not at it gets 404."""
    return Row(status, 403, status, 403, 404, **extra)


MATRIX: dict[str, Row | list[Row]] = {
    "tenant-home": every_member(200),
    "partners:invitations": admin_only(200),
    "partners:invitation-resend": admin_only(302, method="post", kwargs=_invitation),
    "partners:invitation-revoke": admin_only(200, kwargs=_invitation),
    "manage:members": admin_only(200),
    "manage:member-role": admin_only(302, method="post", kwargs=_member),
    "manage:member-deactivate": admin_only(200, kwargs=_member),
    "manage:security": admin_only(200),
    "manage:table-new": admin_only(200),
    "manage:focus-areas": admin_only(200),
    "manage:organization-new": admin_only(200),
    "manage:organization-import": admin_only(200),
    "tables:list": every_member(200),
    "tables:representation": Row(200, 200, 403, 403, 403),
    "tables:detail": [
        every_member(200, kwargs=_table),
        Row(200, 200, 200, 200, 404, kwargs=_ipv),  # members only: leadership sees a summary
    ],
    "tables:edit": [runs_table(kwargs=_table), runs_members_only_table(kwargs=_ipv)],
    "tables:status": [
        runs_table(302, method="post", kwargs=_table),
        runs_members_only_table(302, method="post", kwargs=_ipv),
    ],
    "tables:members": [runs_table(kwargs=_table), runs_members_only_table(kwargs=_ipv)],
    "tables:organization-add": runs_table(400, method="post", kwargs=_table),
    "tables:organization-end": [
        runs_table(kwargs=_participation),
        runs_members_only_table(kwargs=lambda w: _participation(w, "ipv")),
    ],
    "tables:seat-add": runs_table(400, method="post", kwargs=_table),
    "tables:seat-end": [
        runs_table(kwargs=_seat),
        runs_members_only_table(kwargs=lambda w: _seat(w, "ipv")),
    ],
    "tables:invite": runs_table(400, method="post", kwargs=_table),
    "my-work": every_member(200),
    "progress": every_member(200),  # members see their own tables only (tested elsewhere)
    "progress-csv": every_member(200),
    "tables:progress": [
        every_member(200, kwargs=_table),
        Row(200, 200, 200, 200, 404, kwargs=_ipv),
    ],
    "tables:outcomes": [
        every_member(200, kwargs=_table),
        Row(200, 200, 200, 200, 404, kwargs=_ipv),  # leadership: figures of members-only tables
        runs_table(400, method="post", kwargs=_table),
    ],
    "tables:measure": [
        every_member(200, kwargs=_measure),
        Row(200, 200, 200, 200, 404, kwargs=lambda w: _measure(w, "ipv")),
        # Recording: the reporting organization's staff and the coordinators (400: empty form).
        Row(400, 403, 400, 400, 403, method="post", kwargs=_measure),
        Row(
            400,
            403,
            400,
            403,
            403,
            method="post",
            kwargs=lambda w: _measure(w, org_attr="police_org"),
        ),
    ],
    "tables:measure-csv": [
        every_member(200, kwargs=_measure),
        Row(200, 200, 200, 200, 404, kwargs=lambda w: _measure(w, "ipv")),
    ],
    "tables:feed": [
        every_member(200, kwargs=_table),
        Row(200, 403, 200, 200, 404, kwargs=_ipv),
    ],
    "tables:meetings": [
        every_member(200, kwargs=_table),
        Row(200, 403, 200, 200, 404, kwargs=_ipv),
        runs_table(400, method="post", kwargs=_table),
    ],
    "tables:meeting": [
        every_member(200, kwargs=_meeting),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _meeting(w, "ipv")),
    ],
    "tables:meeting-edit": [
        runs_table(kwargs=_meeting),
        runs_members_only_table(kwargs=lambda w: _meeting(w, "ipv")),
    ],
    "tables:meeting-cancel": runs_table(kwargs=_meeting),
    "tables:meeting-agenda": runs_table(302, method="post", kwargs=_meeting),
    "tables:meeting-record": runs_table(kwargs=_meeting),
    "tables:meeting-decision": runs_table(302, method="post", kwargs=_meeting),
    "tables:decision-action": runs_table(302, method="post", kwargs=_decision),
    "tables:meeting-rsvp": [
        every_member(302, method="post", kwargs=_meeting),
        Row(302, 403, 302, 302, 404, method="post", kwargs=lambda w: _meeting(w, "ipv")),
    ],
    "tables:actions": [
        every_member(200, kwargs=_table),
        Row(200, 403, 200, 200, 404, kwargs=_ipv),  # leadership: summary only, no action text
        Row(400, 403, 400, 400, 403, method="post", kwargs=_table),  # empty form: who may log
    ],
    "tables:action": [
        every_member(200, kwargs=_action),
        Row(200, 403, 200, 200, 404, kwargs=lambda w: _action(w, "ipv")),
    ],
    "tables:action-update": [
        # An empty update is refused (400) to those who may update the youth organization's
        # action: admins, the coordinator and that organization's staff.
        Row(400, 403, 400, 400, 403, method="post", kwargs=_action),
        # Another organization's action: its table's coordinator may, the partner may not.
        Row(
            400,
            403,
            400,
            403,
            403,
            method="post",
            kwargs=lambda w: _action(w, org_attr="police_org"),
        ),
        Row(400, 403, 400, 400, 404, method="post", kwargs=lambda w: _action(w, "ipv")),
    ],
    "partners:organizations": every_member(200),
    "partners:organizations-export": admin_only(200),
    "partners:organization": every_member(200, kwargs=_org),
    "partners:staff-add": admin_only(302, method="post", kwargs=_org),
    "partners:staff-end": admin_only(200, kwargs=_staff),
    "partners:contact-add": admin_only(302, method="post", kwargs=_org),
    "partners:contact-delete": admin_only(200, kwargs=_contact),
    "digest-settings": [every_member(200), every_member(400, method="post")],
    "digest-preview": every_member(200),
    "digest-preview-html": every_member(200),
    "manage:digests": [admin_only(200), admin_only(400, method="post")],
    "manage:digest-run": admin_only(200, kwargs=_digest_run),
    "manage:digest-preview": admin_only(200),
    # Without ?recipient= there is nobody to show: 404 to admins, 403 to everyone else.
    "manage:digest-preview-html": admin_only(404),
}


def _rows(name: str) -> list[Row]:
    rows = MATRIX[name]
    return rows if isinstance(rows, list) else [rows]


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


CASES = [(name, index) for name in MATRIX for index in range(len(_rows(name)))]


def _outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL) + "?next="
    ):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_access_matrix(world: World, client_for, name: str, index: int) -> None:
    """Every role (and anonymous) on one URL, against one world: the whole row at once, so a
    failure shows every cell that differs."""
    row = _rows(name)[index]
    kwargs = row.kwargs(world)
    url = reverse(name, kwargs={"tenant_slug": world.halton.slug, **kwargs})
    actual, expected = {}, {}
    for role in (*ROLES, ANONYMOUS):
        response = getattr(client_for(role), row.method)(url)
        key = role or "anonymous"
        actual[key], expected[key] = _outcome(response), row.expected(role)
        if expected[key] == LOGIN:
            assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"
    assert actual == expected, url

    # The second tenant proves nothing leaks: Halton's admin gets 404 at the same address in
    # Lakeshore, and at a plan that does not exist; strangers are sent to log in either way.
    for slug in (world.lakeshore.slug, "no-such-plan"):
        elsewhere = reverse(name, kwargs={"tenant_slug": slug, **kwargs})
        assert getattr(client_for("admin"), row.method)(elsewhere).status_code == 404, elsewhere
        assert _outcome(getattr(client_for(None), row.method)(elsewhere)) == LOGIN
