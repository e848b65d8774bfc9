from __future__ import annotations

from django.urls import reverse

from cswb.models import TenantRole

from ..conftest import World
from ..factories import MembershipFactory, UserFactory


def test_anonymous_visitors_are_sent_to_log_in(db: None, client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_one_tenant_redirects_to_its_home(world: World, client_for) -> None:
    response = client_for("member").get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("tenant-home", args=["halton"])


def test_several_tenants_are_listed(world: World, client_for) -> None:
    MembershipFactory(tenant=world.lakeshore, user=world.member, role=TenantRole.MEMBER)
    response = client_for("member").get("/")
    assert response.status_code == 200
    names = [m.tenant.name for m in response.context["memberships"]]
    assert names == ["Halton Region", "Lakeshore"]
    assert b'href="/lakeshore/"' in response.content


def test_no_tenant_explains_how_access_is_given(world: World, client) -> None:
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert b"You are not part of a plan yet" in response.content


def test_the_switcher_lists_only_my_tenants(world: World, client_for) -> None:
    MembershipFactory(tenant=world.lakeshore, user=world.leader, role=TenantRole.MEMBER)
    leader_page = client_for("leader").get(reverse("tenant-home", args=["halton"]))
    assert b"Switch plan" in leader_page.content
    assert b'href="/lakeshore/"' in leader_page.content
    member_page = client_for("member").get(reverse("tenant-home", args=["halton"]))
    assert b'href="/lakeshore/"' not in member_page.content
    assert b"Switch plan" not in member_page.content  # one plan: nothing to switch to
    account_page = client_for("member").get(reverse("account_email"))
    assert b"Your plans" in account_page.content  # the way back from account pages


def test_landing_rejects_writes(world: World, client_for) -> None:
    assert client_for("member").post("/").status_code == 405


def test_landing_query_budget_holds_with_many_plans(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("member")
    client.get("/")  # warm the session (its "last seen" is refreshed every few minutes)
    for _ in range(2):
        for _ in range(10):
            MembershipFactory(user=world.member)
        with django_assert_max_num_queries(6):  # session, user, MFA, list, 2 savepoints
            response = client.get("/")
        assert response.status_code == 200
    assert len(response.context["memberships"]) == 21
