from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import ScopeError, scope, scopes_disabled

from cswb.models import ActivityEvent, Tenant, TenantMembership
from cswb.services import membership_deactivate, tenant_create
from tables.services.actions import action_create
from tables.services.seats import table_seat_add
from tables.services.tables import table_create

from ..builders import meeting_build
from ..conftest import World
from ..factories import MembershipFactory


@pytest.mark.parametrize("slug", ["accounts", "admin", "django-admin", "healthz", "static", "API"])
def test_reserved_slugs_are_refused(db: None, slug: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tenant_create(slug=slug, name="Somewhere")
    assert "reserved" in str(excinfo.value)
    assert not Tenant.objects.filter(slug__iexact=slug).exists()


def test_unknown_time_zone_is_refused(db: None) -> None:
    with pytest.raises(ValidationError):
        tenant_create(slug="elsewhere", name="Elsewhere", time_zone="Mars/Olympus")


def test_tenant_data_cannot_be_read_outside_a_scope(world: World) -> None:
    with pytest.raises(ScopeError):
        list(TenantMembership.objects.all())
    with pytest.raises(ScopeError):
        ActivityEvent.objects.count()


def test_a_scope_sees_its_own_tenant_only(world: World) -> None:
    with scope(tenant=world.halton):
        emails = set(TenantMembership.objects.values_list("user__email", flat=True))
        events = set(ActivityEvent.objects.values_list("tenant_id", flat=True))
    assert "outsider@lakeshore.example" not in emails
    assert len(emails) == 5
    assert events == {world.halton.pk}


def test_the_view_runs_inside_the_tenant_scope(world: World, client_for) -> None:
    # Lakeshore's activity exists, yet Halton's admin only ever sees Halton's.
    response = client_for("admin").get(reverse("tenant-home", args=["halton"]))
    shown = {event.pk for event in response.context["recent_activity"]}
    assert shown, "the admin sees the plan's recent activity"
    with scopes_disabled():
        lakeshore_events = set(
            ActivityEvent.objects.filter(tenant=world.lakeshore).values_list("pk", flat=True)
        )
    assert lakeshore_events
    assert not lakeshore_events & shown


def test_members_do_not_see_the_audit_trail_on_home(world: World, client_for) -> None:
    response = client_for("member").get(reverse("tenant-home", args=["halton"]))
    assert response.status_code == 200
    assert response.context["recent_activity"] == []
    assert b"Recent activity" not in response.content


def test_a_deactivated_member_gets_404_on_the_next_request(world: World, client_for) -> None:
    client = client_for("member")
    url = reverse("tenant-home", args=["halton"])
    assert client.get(url).status_code == 200
    with scope(tenant=world.halton):
        membership = TenantMembership.objects.get(user=world.member)
    membership_deactivate(membership=membership, actor=world.admin)
    assert client.get(url).status_code == 404


def test_an_inactive_tenant_is_not_found(world: World, client_for) -> None:
    Tenant.objects.filter(pk=world.halton.pk).update(is_active=False)
    assert client_for("admin").get(reverse("tenant-home", args=["halton"])).status_code == 404


def test_a_deactivated_user_is_not_a_member(world: World, client_for) -> None:
    client = client_for("partner")
    world.partner.is_active = False
    world.partner.save(update_fields=["is_active"])
    response = client.get(reverse("tenant-home", args=["halton"]))
    # Django logs the inactive user out; the tenant is then behind the login page.
    assert response.status_code == 302


def test_tenant_home_query_budget_holds_as_the_plan_grows(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("admin")
    url = reverse("tenant-home", args=["halton"])
    client.get(url)  # warm the session
    for round_ in range(2):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
        for n in range(6):  # more people, more activity, more plans and tables of my own
            MembershipFactory(tenant=world.halton)
            MembershipFactory(user=world.admin)
            with scope(tenant=world.halton):
                table = table_create(
                    tenant=world.halton,
                    name=f"Table {round_}-{n}",
                    zone="prevention",
                    actor=world.admin,
                )
                table_seat_add(table=table, user=world.admin, role="chair", actor=world.admin)
                action_create(
                    table=table, title=f"Action {n}", owner=world.admin, actor=world.admin
                )


def test_times_are_shown_in_the_tenants_time_zone(world: World, client_for) -> None:
    Tenant.objects.filter(pk=world.halton.pk).update(time_zone="America/Vancouver")
    with scope(tenant=world.halton):
        ActivityEvent.objects.create(
            tenant=world.halton,
            verb="test.noon",
            summary="At noon UTC",
            at=datetime(2030, 6, 1, 12, 0, tzinfo=UTC),  # newest, so it is listed
        )
    page = client_for("admin").get(reverse("tenant-home", args=["halton"])).content.decode()
    assert "Jun 1, 2030, 5:00 a.m." in page  # 12:00 UTC is 05:00 in Vancouver (PDT)


def test_home_lists_my_upcoming_meetings(world: World, client_for) -> None:
    meeting = meeting_build(world.ipv, actor=world.admin, title="IPV meeting", hours=48)
    partner = client_for("partner").get("/halton/").context["my_meetings"]
    assert [(m.pk, m.table_name) for m in partner] == [(meeting.pk, world.ipv.name)]
    assert client_for("member").get("/halton/").context["my_meetings"] == []


def test_home_lists_my_tables(world: World, client_for) -> None:
    names = lambda role: [  # noqa: E731
        t.name for t in client_for(role).get("/halton/").context["my_tables"]
    ]
    assert names("coordinator") == ["Intimate partner violence", "Youth mental health"]
    assert names("partner") == ["Intimate partner violence", "Youth mental health"]
    assert names("member") == []


def test_the_home_feed_leaves_out_sign_ins(world: World, client_for) -> None:
    client = client_for("admin")  # signing in writes an auth.login event
    client_for("member")
    with scope(tenant=world.halton):
        assert ActivityEvent.objects.filter(verb="auth.login").exists()
    verbs = {
        e.verb
        for e in client.get(reverse("tenant-home", args=["halton"])).context["recent_activity"]
    }
    assert verbs
    assert not {v for v in verbs if v.startswith("auth.")}
