"""Tenant member management and the security page, for tenant administrators."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.urls import reverse
from django_scopes import scope

from cswb.models import ActivityEvent, TenantMembership, TenantRole
from cswb.services import activity_record

from ..conftest import World
from ..factories import MembershipFactory


def _membership(world: World, role: str, tenant=None) -> TenantMembership:
    tenant = tenant or world.halton
    with scope(tenant=tenant):
        return TenantMembership.objects.select_related("user").get(user=world.user(role))


def test_members_are_listed_with_role_and_mfa_status(world: World, client_for) -> None:
    Authenticator.objects.create(user=world.leader, type=Authenticator.Type.TOTP, data={})
    response = client_for("admin").get(reverse("manage:members", args=["halton"]))
    rows = {m.user.email: (m.role, m.has_mfa) for m in response.context["members"]}
    assert rows == {
        "admin@halton.example": ("admin", False),
        "leader@halton.example": ("leadership", True),
        "coordinator@halton.example": ("member", False),
        "partner@halton.example": ("member", False),
        "member@halton.example": ("member", False),
    }


def test_changing_a_role(world: World, client_for) -> None:
    membership = _membership(world, "member")
    url = reverse("manage:member-role", args=["halton", membership.pk])
    response = client_for("admin").post(url, {"role": "leadership"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == TenantRole.LEADERSHIP
    with scope(tenant=world.halton):
        event = ActivityEvent.objects.get(verb="membership.role_changed")
    assert event.actor == world.admin


def test_an_unknown_role_changes_nothing(world: World, client_for) -> None:
    membership = _membership(world, "member")
    url = reverse("manage:member-role", args=["halton", membership.pk])
    response = client_for("admin").post(url, {"role": "owner"}, follow=True)
    assert "Choose one of the listed roles." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == TenantRole.MEMBER


def test_the_last_admin_cannot_step_down(world: World, client_for) -> None:
    membership = _membership(world, "admin")
    admin = client_for("admin")
    response = admin.post(
        reverse("manage:member-role", args=["halton", membership.pk]), {"role": "member"},
        follow=True,
    )  # fmt: skip
    assert "at least one administrator" in response.content.decode()
    admin.post(reverse("manage:member-deactivate", args=["halton", membership.pk]))
    membership.refresh_from_db()
    assert membership.role == TenantRole.ADMIN and membership.is_active


def test_removing_access_asks_first_then_takes_effect_at_once(world: World, client_for):
    member_client = client_for("member")
    assert member_client.get("/halton/").status_code == 200
    membership = _membership(world, "member")
    url = reverse("manage:member-deactivate", args=["halton", membership.pk])
    admin = client_for("admin")
    assert b"lose access" in admin.get(url).content
    membership.refresh_from_db()
    assert membership.is_active

    assert admin.post(url).status_code == 302
    assert member_client.get("/halton/").status_code == 404  # the open session, next request
    assert admin.get(url).status_code == 404  # no longer a member to act on


def test_members_of_other_plans_are_not_reachable(world: World, client_for) -> None:
    theirs = _membership(world, "outsider", tenant=world.lakeshore)
    admin = client_for("admin")
    assert (
        admin.get(reverse("manage:member-deactivate", args=["halton", theirs.pk])).status_code
        == 404
    )
    response = admin.post(
        reverse("manage:member-role", args=["halton", theirs.pk]), {"role": "member"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == TenantRole.ADMIN


def test_members_page_query_budget_holds_as_the_plan_grows(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    admin = client_for("admin")
    url = reverse("manage:members", args=["halton"])
    admin.get(url)
    for _ in range(2):
        for _ in range(20):
            MembershipFactory(tenant=world.halton)
        with django_assert_max_num_queries(10):
            assert admin.get(url).status_code == 200


def test_security_page_shows_this_plans_events_only(world: World, client_for) -> None:
    activity_record(tenant=world.lakeshore, actor=world.outsider, verb="auth.login",
                    summary="Lakeshore-only sign-in")  # fmt: skip
    activity_record(tenant=world.halton, actor=world.member, verb="auth.login",
                    summary="Halton sign-in")  # fmt: skip
    activity_record(tenant=world.halton, actor=world.member, verb="table.updated",
                    summary="Not a security event")  # fmt: skip
    page = client_for("admin").get(reverse("manage:security", args=["halton"]))
    summaries = [event.summary for event in page.context["events"]]
    assert "Halton sign-in" in summaries
    assert "Lakeshore-only sign-in" not in summaries
    assert "Not a security event" not in summaries


def test_security_page_query_budget_holds_as_events_grow(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    admin = client_for("admin")
    url = reverse("manage:security", args=["halton"])
    admin.get(url)
    for _ in range(2):
        for n in range(30):
            activity_record(tenant=world.halton, actor=world.member, verb="auth.login",
                            summary=f"sign-in {n}")  # fmt: skip
        with django_assert_max_num_queries(10):
            assert admin.get(url).status_code == 200
