from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cswb.models import ActivityEvent, User
from partners.models import OrganizationMembership, OrgRole
from partners.services.organizations import organization_staff_add, organization_staff_end
from tables.access import table_access
from tables.models import ACTION_OPEN_STATUSES, Action, ActionStatus, ActionUpdate
from tables.selectors.actions import overdue_first
from tables.services.actions import (
    PAST_DUE_AT_CREATION,
    action_create,
    action_update,
    decision_to_action,
)
from tables.services.meetings import decision_add
from tables.services.seats import table_seat_add
from tables.views.actions import _owner_choices

from ..builders import action_build, meeting_build
from ..conftest import World
from ..factories import MembershipFactory, UserFactory


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
    assert set(choices.values()) == {"No organization", "Halton Youth Services"}
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
    # Whoever types it in is not its owner: the organization is, with nobody in particular.
    assert action.owner_organization == world.youth_org and action.owner is None
    assert action.created_by == world.partner


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
        # The list's form offers owner people: the organizations' staff and the seats (one
        # statement with the organizations, whatever their numbers).
        for url, budget in zip(urls, (14, 15), strict=True):
            with django_assert_max_num_queries(budget):
                assert partner.get(url).status_code == 200
        detail = reverse("tables:action", args=["halton", world.table.slug, action.pk])
        with django_assert_max_num_queries(15):
            assert partner.get(detail).status_code == 200


# -- a past due date at creation, editing, owners ---------------------------------------------


def _staff(world: World, organization, email: str):
    """A member of the plan working at `organization` now."""
    user = UserFactory(email=email)
    MembershipFactory(tenant=world.halton, user=user)
    with scope(tenant=world.halton):
        organization_staff_add(
            organization=organization, user=user, role=OrgRole.STAFF, actor=world.admin
        )
    return user


def _edit_data(action: Action, **changes: object) -> dict[str, object]:
    return {
        "title": action.title,
        "description": action.description,
        "owner_organization": action.owner_organization_id or "",
        "owner": action.owner_id or "",
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "priority": action.priority,
        "due_change_reason": "",
        **changes,
    }


def test_the_shown_form_offers_the_owners_the_submitted_one_accepts(world: World) -> None:
    """The action list's form, only shown, reads its owners in one statement
    (`action_owner_options`): the same organizations and people, in the same groups and
    order, as the submitted form's model instances, for a coordinator and for partner staff.
    Staff who left, members no longer active and other plans' people are offered by neither."""
    officer = _staff(world, world.police_org, "officer@halton.example")
    nameless = _staff(world, world.police_org, "nameless@halton.example")
    User.objects.filter(pk=nameless.pk).update(full_name="")  # shown by address
    gone = _staff(world, world.youth_org, "gone@halton.example")
    inactive = _staff(world, world.youth_org, "inactive@halton.example")
    MembershipFactory(tenant=world.lakeshore, user=officer)  # a member of two plans
    with scope(tenant=world.halton):
        organization_staff_end(
            membership=OrganizationMembership.objects.get(user=gone), actor=world.admin
        )
        table_seat_add(table=world.table, user=world.member, role="member", actor=world.admin)
        table_seat_add(table=world.table, user=inactive, role="member", actor=world.admin)
        inactive.tenant_memberships.update(is_active=False)  # seated, then no longer a member
        # On an organization's staff and in a seat of their own: offered once, under it.
        table_seat_add(table=world.table, user=world.partner, role="member", actor=world.admin)
        for role in ("coordinator", "partner"):
            user = world.user(role)
            membership = user.tenant_memberships.get(tenant=world.halton)
            access = table_access(user=user, membership=membership, table=world.table)
            request = SimpleNamespace(user=user)
            shown = _owner_choices(request, world.table, access, options=True)
            submitted = _owner_choices(request, world.table, access)
            assert [(o.pk, o.name) for o in shown["organizations"]] == [
                (o.pk, o.name) for o in submitted["organizations"]
            ]
            assert [
                (group, [(u.pk, u.display_name) for u in users]) for group, users in shown["people"]
            ] == [
                (group, [(u.pk, u.display_name) for u in users])
                for group, users in submitted["people"]
            ]
            offered = {u.pk for _group, users in shown["people"] for u in users}
            assert not offered & {gone.pk, inactive.pk, world.outsider.pk}
            listed = [u.pk for _group, users in shown["people"] for u in users]
            assert listed.count(world.partner.pk) == 1
            assert len(listed) == len(offered)  # nobody twice (nobody here is on two staffs)
            assert world.member.pk in offered
            assert (officer.pk in offered) is (role == "coordinator")


def test_a_past_due_date_is_refused_at_creation(world: World, client_for) -> None:
    url = reverse("tables:actions", args=["halton", world.table.slug])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for("coordinator").post(
        url, {"title": "Late one", "priority": "normal", "due_date": yesterday.isoformat()}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["due_date"] == [PAST_DUE_AT_CREATION]
    with scope(tenant=world.halton):
        assert not Action.objects.filter(title="Late one").exists()
    today = client_for("coordinator").post(
        url, {"title": "Today's", "priority": "normal", "due_date": timezone.localdate()}
    )
    assert today.status_code == 302


def test_the_owner_person_works_at_the_owner_organization(world: World, client_for) -> None:
    """Server-side: a person of another organization (or none at the table, or another plan)
    is a field error and nothing is saved."""
    officer = _staff(world, world.police_org, "officer@halton.example")
    url = reverse("tables:actions", args=["halton", world.table.slug])
    coordinator = client_for("coordinator")
    data = {
        "title": "Joint outreach",
        "priority": "normal",
        "owner_organization": world.youth_org.pk,
    }
    wrong = coordinator.post(url, {**data, "owner": officer.pk})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["owner"] == [
        "Choose someone who works at Halton Youth Services now, or nobody."
    ]
    foreign = coordinator.post(url, {**data, "owner": world.outsider.pk})
    assert foreign.status_code == 400 and "owner" in foreign.context["form"].errors
    no_org = coordinator.post(url, {**data, "owner_organization": "", "owner": officer.pk})
    assert no_org.status_code == 400 and "seat at this table" in no_org.context["form"].errors[
        "owner"][0]  # fmt: skip
    with scope(tenant=world.halton):
        assert not Action.objects.filter(title="Joint outreach").exists()
        with pytest.raises(ValidationError):  # the service refuses it whoever calls
            action_create(table=world.table, title="Joint outreach", actor=world.admin,
                          owner_organization=world.youth_org, owner=officer)  # fmt: skip
    assert coordinator.post(url, {**data, "owner": world.partner.pk}).status_code == 302
    with scope(tenant=world.halton):
        action = Action.objects.get(title="Joint outreach")
    assert (action.owner, action.created_by) == (world.partner, world.coordinator)


def test_a_new_due_date_needs_a_reason_kept_in_the_timeline(world: World, client_for) -> None:
    action = _action(world, due_date=timezone.localdate() + timedelta(days=10))
    url = reverse("tables:action-edit", args=["halton", world.table.slug, action.pk])
    partner = client_for("partner")  # staff of the owner organization
    assert partner.get(url).status_code == 200
    late = timezone.localdate() - timedelta(days=5)
    no_reason = partner.post(url, _edit_data(action, due_date=late.isoformat()))
    assert no_reason.status_code == 400
    assert no_reason.context["form"].errors["due_change_reason"]
    with scope(tenant=world.halton):
        action.refresh_from_db()
    assert action.due_date == timezone.localdate() + timedelta(days=10)
    reason = "Agreed at the March meeting; recorded late."
    saved = partner.post(
        url, _edit_data(action, due_date=late.isoformat(), due_change_reason=reason)
    )
    assert saved.status_code == 302
    with scope(tenant=world.halton):
        action.refresh_from_db()
        entry = ActionUpdate.objects.get(action=action, due_changed=True)
        event = ActivityEvent.objects.get(verb="action.edited", table=world.table)
    assert action.due_date == late and action.is_overdue  # a past date, with its reason
    assert (entry.due_to, entry.text, entry.author) == (late, reason, world.partner)
    assert event.changes["due_change_reason"] == reason
    page = partner.get(reverse("tables:action", args=["halton", world.table.slug, action.pk]))
    content = page.content.decode()
    assert f"Due date moved from {entry.due_from:%b %-d, %Y} to {late:%b %-d, %Y}" in content
    assert reason in content


def test_editing_an_action_records_what_changed(world: World, client_for) -> None:
    action = _action(world, title="Map pathways", description="Who refers whom.")
    url = reverse("tables:action-edit", args=["halton", world.table.slug, action.pk])
    officer = _staff(world, world.police_org, "officer@halton.example")
    coordinator = client_for("coordinator")
    response = coordinator.post(
        url,
        _edit_data(
            action,
            title="Map referral pathways",
            owner_organization=world.police_org.pk,
            owner=officer.pk,
            priority="high",
        ),
    )
    assert response.status_code == 302
    with scope(tenant=world.halton):
        action.refresh_from_db()
        event = ActivityEvent.objects.get(verb="action.edited")
    assert (action.title, action.owner, action.priority) == (
        "Map referral pathways",
        officer,
        "high",
    )
    assert event.changes == {
        "title": ["Map pathways", "Map referral pathways"],
        "owner_organization": ["Halton Youth Services", "Halton Police"],
        "owner": [None, officer.display_name],
        "priority": ["normal", "high"],
    }
    shown = coordinator.get(response["Location"]).content.decode()
    assert shown.count("The action was saved.") == 1  # once, not in the layout and in place
    # The partner's organization no longer owns it: they may no longer edit it.
    assert client_for("partner").get(url).status_code == 403


def test_my_work_is_the_owners_not_the_typists(world: World, client_for) -> None:
    """A coordinator who records an action for the youth organization does not see it as hers;
    its staff do. Moving its owner moves it between people's My work and home pages."""
    officer = _staff(world, world.police_org, "officer@halton.example")
    coordinator = client_for("coordinator")
    created = coordinator.post(
        reverse("tables:actions", args=["halton", world.table.slug]),
        {"title": "Peer support pilot", "priority": "normal",
         "owner_organization": world.youth_org.pk},
    )  # fmt: skip
    assert created.status_code == 302

    def titles(role_or_user) -> tuple[list[str], list[str]]:
        client = client_for(role_or_user) if isinstance(role_or_user, str) else Client()
        if not isinstance(role_or_user, str):
            client.force_login(role_or_user)
        work = client.get(reverse("my-work", args=["halton"])).context["actions"]
        home = client.get(reverse("tenant-home", args=["halton"])).context["my_actions"]
        return [a.title for a in work], [a.title for a in home]

    mine = (["Peer support pilot"], ["Peer support pilot"])
    assert titles("coordinator") == ([], [])
    assert titles("partner") == mine
    assert titles(officer) == ([], [])
    with scope(tenant=world.halton):
        action = Action.objects.get(title="Peer support pilot")
    due = timezone.localdate() + timedelta(days=14)
    moved = coordinator.post(
        reverse("tables:action-edit", args=["halton", world.table.slug, action.pk]),
        _edit_data(action, owner_organization=world.police_org.pk, owner=officer.pk,
                   due_date=due.isoformat(), due_change_reason="Police lead the pilot now."),
    )  # fmt: skip
    assert moved.status_code == 302
    assert titles("partner") == ([], [])
    assert titles(officer) == mine
    assert titles("coordinator") == ([], [])


def test_an_action_from_a_decision_is_in_its_owners_work(world: World, client_for) -> None:
    meeting = meeting_build(world.table, actor=world.admin, hours=-3)
    with scope(tenant=world.halton):
        decision = decision_add(meeting=meeting, actor=world.admin, text="Share the intake form.")
    url = reverse(
        "tables:decision-action", args=["halton", world.table.slug, meeting.pk, decision.pk]
    )
    past = timezone.localdate() - timedelta(days=1)
    data = {"owner_organization": world.youth_org.pk, "owner": world.partner.pk,
            "due_date": past.isoformat(), "priority": "normal"}  # fmt: skip
    refused = client_for("coordinator").post(url, data)
    assert refused.status_code == 400 and refused.context["form"].errors["due_date"]
    due = timezone.localdate() + timedelta(days=21)
    assert client_for("coordinator").post(url, {**data, "due_date": due}).status_code == 302
    work = client_for("partner").get(reverse("my-work", args=["halton"])).context["actions"]
    assert [(a.title, a.due_date) for a in work] == [("Share the intake form.", due)]
    action_url = reverse("tables:action", args=["halton", world.table.slug, work[0].pk])
    page = client_for("partner").get(action_url).content.decode()
    assert page.count("Share the intake form.") == 2  # the page title and the heading, no more


def test_a_long_decision_keeps_its_words_once(world: World) -> None:
    meeting = meeting_build(world.table, actor=world.admin, hours=-3)
    text = "Pilot a joint outreach shift " + "with every partner at the table " * 8
    with scope(tenant=world.halton):
        decision = decision_add(meeting=meeting, actor=world.admin, text=text)
        action = decision_to_action(decision=decision, actor=world.admin)
    assert len(action.title) <= 200 and action.title.endswith("…")
    assert action.description == text.strip()  # the whole decision, once, where it fits


def test_a_finished_list_is_in_due_order_page_by_page(world: World, client_for) -> None:
    """Done (or cancelled) actions are never overdue: their list is in due order, oldest
    first, those without a date last, as overdue_first orders every list, page after page."""
    today = timezone.localdate()
    dues = [today + timedelta(days=d) for d in (40, -300, 5, -20, 90)] + [None] * 2
    for n, due in enumerate(dues * 5):
        action_build(
            world.food, actor=world.admin, title=f"Done {n}", statuses=["done"], due_date=due
        )
    action_build(
        world.food, actor=world.admin, title="Still open", due_date=today + timedelta(days=1)
    )
    client = client_for("admin")
    url = reverse("tables:actions", args=["halton", world.food.slug])
    shown = []
    for page in (1, 2):
        shown += client.get(url, {"status": "done", "page": page}).context["actions"]
    with scope(tenant=world.halton):
        expected = list(
            overdue_first(Action.objects.filter(table=world.food, status="done")).values_list(
                "pk", flat=True
            )
        )
    assert [a.pk for a in shown] == expected and len(expected) == 35
    assert [a.due_date for a in shown][:5] == sorted(d for d in dues * 5 if d)[:5]
    assert all(a.due_date is None for a in shown[-10:])


def test_a_list_counts_its_actions_from_the_tally(world: World, client_for) -> None:
    """The pages of an action list are counted from the table's ActionTally: the same number
    as counting the actions, for every filter, as actions are added and move on."""
    today = timezone.localdate()
    for n, (statuses, due) in enumerate(
        [([], -3), (["in_progress"], -1), (["blocked"], 4), (["done"], -8), (["cancelled"], 2)] * 7
    ):
        action_build(
            world.food,
            actor=world.admin,
            title=f"Action {n}",
            statuses=statuses,
            due_date=today + timedelta(days=due),
        )
    client = client_for("admin")
    url = reverse("tables:actions", args=["halton", world.food.slug])
    with scope(tenant=world.halton):
        actions = Action.objects.filter(table=world.food)
        expected = {
            "": actions.filter(status__in=ACTION_OPEN_STATUSES).count(),
            "overdue": actions.filter(status__in=ACTION_OPEN_STATUSES, due_date__lt=today).count(),
            "all": actions.count(),
            **{s: actions.filter(status=s).count() for s in ActionStatus.values},
        }
    assert expected[""] == 21 and expected["overdue"] == 14
    for status, count in expected.items():
        assert client.get(url, {"status": status}).context["page"].paginator.count == count
