from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cswb.models import ActivityEvent
from tables.models import Action, ActionStatus, ActionUpdate
from tables.services.actions import action_update

from ..builders import action_build
from ..conftest import World


def _action(world: World, table=None, org=None, **kwargs) -> Action:
    """An action of the partner's organization at the open table, unless told otherwise."""
    return action_build(
        table or world.table, actor=world.admin, owner_organization=org or world.youth_org, **kwargs
    )


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["in_progress", "blocked", "in_progress", "done"], True),
        (["done", "in_progress"], True),  # reopened
        (["cancelled", "planned"], True),  # revived
        (["done", "blocked"], False),
        (["cancelled", "done"], False),
        (["planned"], False),  # no change and no text is not an update
    ],
)
def test_status_transitions(world: World, path: list[str], ok: bool) -> None:
    action = _action(world)
    with scope(tenant=world.halton):
        if ok:
            for status in path:
                action_update(action=action, actor=world.admin, status=status)
            action.refresh_from_db()
            assert action.status == path[-1]
            assert ActionUpdate.objects.filter(action=action).count() == len(path)
        else:
            with pytest.raises(ValidationError):
                for status in path:
                    action_update(action=action, actor=world.admin, status=status)


def test_overdue_is_derived(world: World) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    action = _action(world, due_date=yesterday)
    assert action.is_overdue
    with scope(tenant=world.halton):
        action_update(action=action, actor=world.admin, status=ActionStatus.DONE)
    action.refresh_from_db()
    assert not action.is_overdue and action.completed_at is not None


def test_partner_staff_log_for_their_own_organization_only(world: World, client_for) -> None:
    url = reverse("tables:actions", args=["halton", world.table.slug])
    partner = client_for("partner")
    choices = dict(partner.get(url).context["form"].fields["owner_organization"].choices)
    assert set(choices.values()) == {"Me, not an organization", "Halton Youth Services"}
    refused = partner.post(
        url,
        {
            "title": "Police patrol plan",
            "priority": "normal",
            "owner_organization": str(world.police_org.pk),
        },
    )
    assert refused.status_code == 400
    created = partner.post(
        url,
        {
            "title": "Youth peer support",
            "priority": "high",
            "owner_organization": str(world.youth_org.pk),
        },
    )
    assert created.status_code == 302
    with scope(tenant=world.halton):
        action = Action.objects.get(title="Youth peer support")
        assert ActivityEvent.objects.filter(verb="action.created", table=world.table).exists()
    assert action.owner_organization == world.youth_org and action.owner == world.partner


def test_an_update_in_place_and_as_a_plain_form(world: World, client_for) -> None:
    action = _action(world)
    url = reverse("tables:action-update", args=["halton", world.table.slug, action.pk])
    partner = client_for("partner")
    swapped = partner.post(
        url, {"status": "in_progress", "text": "Kick-off held."}, headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 200
    content = swapped.content.decode()
    assert "<html" not in content and "Update saved." in content and "Kick-off held." in content
    plain = partner.post(url, {"status": "done", "text": ""})
    assert plain.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    with scope(tenant=world.halton):
        timeline = list(
            ActionUpdate.objects.filter(action=action)
            .order_by("at", "id")
            .values_list("status_from", "status_to", "text")
        )
    assert timeline == [("planned", "in_progress", "Kick-off held."), ("in_progress", "done", "")]


def test_a_refused_transition_changes_nothing(world: World, client_for) -> None:
    action = _action(world, statuses=["cancelled"])
    response = client_for("coordinator").post(
        reverse("tables:action-update", args=["halton", world.table.slug, action.pk]),
        {"status": "done"},
    )
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == "cancelled"


def test_personal_information_is_flagged_before_saving(world: World, client_for) -> None:
    action = _action(world)
    url = reverse("tables:action-update", args=["halton", world.table.slug, action.pk])
    partner = client_for("partner")
    warned = partner.post(url, {"text": "Followed up with the client at 905-555-0142."})
    assert warned.status_code == 400
    content = warned.content.decode()
    assert "looks like it contains a phone number" in content
    assert 'name="not_personal"' in content  # the confirmation appears
    with scope(tenant=world.halton):
        assert not ActionUpdate.objects.filter(action=action).exists()
    confirmed = partner.post(
        url, {"text": "Agency intake line 905-555-0142 now open.", "not_personal": "on"}
    )
    assert confirmed.status_code == 302
    with scope(tenant=world.halton):
        assert ActionUpdate.objects.filter(action=action).count() == 1


def test_my_work_lists_mine_and_my_organizations_open_actions(world: World, client_for) -> None:
    overdue = _action(world, title="Overdue one", due_date=timezone.localdate() - timedelta(days=3))
    later = _action(
        world,
        table=world.ipv,
        title="Later one",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    _action(world, org=world.police_org, title="Police work")
    _action(world, title="Finished", statuses=["done"])
    response = client_for("partner").get(reverse("my-work", args=["halton"]))
    assert [a.title for a in response.context["actions"]] == [overdue.title, later.title]
    assert client_for("member").get(reverse("my-work", args=["halton"])).context["actions"] == []


def test_action_pages_keep_their_query_budget(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    partner = client_for("partner")
    urls = [
        reverse("tables:actions", args=["halton", world.table.slug]),
        reverse("my-work", args=["halton"]),
    ]
    for url in urls:
        partner.get(url)
    for round_ in range(2):
        for n in range(10):
            action = _action(world, title=f"Action {round_}-{n}")
            with scope(tenant=world.halton):
                action_update(action=action, actor=world.admin, text="Progress.")
        for url in urls:
            with django_assert_max_num_queries(15):
                assert partner.get(url).status_code == 200
        detail = reverse("tables:action", args=["halton", world.table.slug, action.pk])
        with django_assert_max_num_queries(15):
            assert partner.get(detail).status_code == 200
