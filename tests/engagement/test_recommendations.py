"""Recommendations: progress rolled up from the accompanying actions (plain or weighted),
actions at tables a reader may not see kept out of sight, the administrators' pages, and the
"you said, we did" story."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope

from cswb.models import TenantMembership
from engagement.models import PlanAction, Recommendation, RecommendationLink
from engagement.selectors.recommendations import recommendations_for, rollup
from engagement.services.recommendations import plan_action_create, plan_action_update
from tables.models import ActionStatus

from ..builders import action_build, recommendation_build
from ..conftest import World


def _membership(user) -> TenantMembership:
    return TenantMembership.objects.get(user=user)


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"tenant_slug": "halton", **kwargs})


def test_rollup_plain_and_weighted() -> None:
    parts = [("done", 3), ("planned", 1), ("in_progress", 1), ("cancelled", 5)]
    assert rollup(parts, "plain") == 50  # (100 + 0 + 50) / 3; cancelled does not count
    assert rollup(parts, "weighted") == 70  # (300 + 0 + 50) / 5
    assert rollup([("cancelled", 1)], "plain") is None
    assert rollup([], "weighted") is None


def _three_actions(world: World) -> list:
    a = world.admin
    return [
        (
            action_build(
                world.table, actor=a, title="Publish quarterly progress", statuses=["done"]
            ),
            3,
        ),
        (action_build(world.table, actor=a, title="Plain-language summaries"), 1),
        (action_build(world.food, actor=a, title="Open data", statuses=["in_progress"]), 1),
    ]


@pytest.mark.parametrize(("method", "percent"), [("plain", 50), ("weighted", 70)])
def test_progress_rolls_up_by_the_chosen_method(
    world: World, client_for, method: str, percent: int
) -> None:
    rec = recommendation_build(
        world.halton, actor=world.admin, number=1, actions=_three_actions(world),
        progress_method=method,
    )  # fmt: skip
    with scope(tenant=world.halton):
        view = recommendations_for(user=world.member, membership=_membership(world.member))
    assert [(v.percent, v.status, v.rolled_up) for v in view] == [(percent, "in_progress", True)]
    page = client_for("member").get(_url("recommendation", pk=rec.pk)).content.decode()
    assert f"<strong>{percent}%</strong>" in page
    label = "plain average of its actions" if method == "plain" else "weighted average"
    assert label in page


def test_without_actions_the_staffs_status_and_percent_stand(world: World, client_for) -> None:
    rec = recommendation_build(
        world.halton, actor=world.admin, number=2, status="in_progress", percent=30
    )
    page = client_for("member").get(_url("recommendation", pk=rec.pk)).content.decode()
    assert "<strong>30%</strong>" in page and "set by the plan" in page


def test_a_plan_action_counts_and_changes_like_a_table_action(world: World) -> None:
    rec = recommendation_build(world.halton, actor=world.admin, number=3)
    with scope(tenant=world.halton):
        pa = plan_action_create(recommendation=rec, actor=world.admin, title="Annual report")
        membership = _membership(world.admin)
        assert recommendations_for(user=world.admin, membership=membership)[0].percent == 0
        plan_action_update(plan_action=pa, actor=world.admin, title=pa.title, status="done")
        assert recommendations_for(user=world.admin, membership=membership)[0].percent == 100
        with pytest.raises(Exception, match="cannot become"):
            plan_action_update(plan_action=pa, actor=world.admin, title=pa.title, status="planned")


def test_an_action_at_a_members_only_table_is_counted_not_shown(world: World, client_for) -> None:
    secret = action_build(world.ipv, actor=world.admin, title="Safety plan protocol")
    open_one = action_build(world.table, actor=world.admin, title="Youth hub referrals")
    rec = recommendation_build(
        world.halton, actor=world.admin, number=4, actions=[(secret, 1), (open_one, 1)]
    )
    for role, sees in [("member", False), ("leader", False), ("coordinator", True)]:
        page = client_for(role).get(_url("recommendation", pk=rec.pk)).content.decode()
        assert ("Safety plan protocol" in page) is sees, role
        assert "Youth hub referrals" in page
        assert ("1 more action, at a table open to its members only" in page) is not sees
    page = client_for("member").get(_url("you-said-we-did")).content.decode()
    assert "Safety plan protocol" not in page and "Youth hub referrals" in page


def test_the_owner_links_only_actions_they_may_see(world: World, client_for) -> None:
    rec = recommendation_build(world.halton, actor=world.admin, number=5, owner=world.member)
    secret = action_build(world.ipv, actor=world.admin, title="Safety plan protocol")
    visible = action_build(world.table, actor=world.admin, title="Youth hub referrals")
    client = client_for("member")
    page = client.get(_url("recommendation", pk=rec.pk)).content.decode()
    assert "Youth hub referrals" in page and "Safety plan protocol" not in page
    url = _url("recommendation-link", pk=rec.pk)
    refused = client.post(url, {"link-action": secret.pk, "link-weight": 1})
    assert refused.status_code == 400
    with scope(tenant=world.halton):
        assert not RecommendationLink.objects.exists()
    assert client.post(url, {"link-action": visible.pk, "link-weight": 2}).status_code == 302
    with scope(tenant=world.halton):
        assert list(RecommendationLink.objects.values_list("action_id", "weight")) == [
            (visible.pk, 2)
        ]
    # Another member, not the owner, may not link at all.
    assert client_for("partner").post(url, {"link-action": visible.pk}).status_code == 403


def test_administrators_add_edit_and_delete_with_confirmation(world: World, client_for) -> None:
    client = client_for("admin")
    response = client.post(
        _url("manage:recommendation-new"),
        {"number": 6, "title": "Diverse, representative membership", "theme": "Membership",
         "source_report": "2023 partner engagement", "source_date": "2023-11-30",
         "partners_said": "Tables should look like the community.", "owner": world.leader.pk,
         "progress_method": "weighted", "status": "not_started", "percent": 0},
    )  # fmt: skip
    assert response.status_code == 302
    with scope(tenant=world.halton):
        rec = Recommendation.objects.get()
    assert (rec.number, rec.owner, rec.progress_method) == (6, world.leader, "weighted")
    # The same number twice: a field error, nothing written.
    again = client.post(
        _url("manage:recommendation-new"),
        {"number": 6, "title": "Twice", "progress_method": "plain", "status": "done",
         "percent": 100},
    )  # fmt: skip
    assert again.status_code == 400 and "already exists" in again.content.decode()
    edit = client.post(
        _url("manage:recommendation-edit", pk=rec.pk),
        {"number": 6, "title": "More diverse membership", "progress_method": "plain",
         "status": "in_progress", "percent": 20, "owner": ""},
    )  # fmt: skip
    assert edit.status_code == 302
    with scope(tenant=world.halton):
        rec.refresh_from_db()
        pa = plan_action_create(recommendation=rec, actor=world.admin, title="Recruit advisors")
    assert (rec.title, rec.owner, rec.percent) == ("More diverse membership", None, 20)
    delete_url = _url("manage:recommendation-delete", pk=rec.pk)
    ask = client.get(delete_url)
    assert ask.status_code == 200 and "Delete recommendation 6" in ask.content.decode()
    with scope(tenant=world.halton):
        assert Recommendation.objects.exists()
    assert client.post(delete_url).status_code == 302
    with scope(tenant=world.halton):
        assert not Recommendation.objects.exists()
        assert not PlanAction.objects.filter(pk=pa.pk).exists()  # served nothing else


def test_unlinking_asks_first_and_keeps_the_action(world: World, client_for) -> None:
    action = action_build(world.table, actor=world.admin, title="Youth hub referrals")
    rec = recommendation_build(world.halton, actor=world.admin, number=7, actions=[(action, 1)])
    with scope(tenant=world.halton):
        link = RecommendationLink.objects.get()
    url = _url("recommendation-link-remove", pk=link.pk)
    assert "Stop counting" in client_for("admin").get(url).content.decode()
    assert client_for("member").post(url).status_code == 403
    assert client_for("admin").post(url).status_code == 302
    with scope(tenant=world.halton):
        assert not RecommendationLink.objects.exists()
        action.refresh_from_db()
    assert rec.pk and action.status == ActionStatus.PLANNED


def test_you_said_we_did_tells_the_story_with_dates(world: World, client_for) -> None:
    done = action_build(
        world.table, actor=world.admin, title="Publish quarterly progress", statuses=["done"]
    )
    under_way = action_build(
        world.food, actor=world.admin, title="Open data portal", due_date=date(2027, 3, 31)
    )
    recommendation_build(
        world.halton, actor=world.admin, number=1,
        title="More communication and transparency on progress, outcomes and impact",
        source_report="2023 partner engagement", source_date=date(2023, 11, 1),
        partners_said="Partners asked to hear what their work adds up to.",
        actions=[(done, 1), (under_way, 1)],
    )  # fmt: skip
    page = client_for("partner").get(_url("you-said-we-did")).content.decode()
    assert "Partners asked to hear what their work adds up to." in page
    assert "2023 partner engagement" in page and "November 2023" in page
    assert f"{done.completed_at:%-d %b %Y}</time>: Publish quarterly progress" in page
    assert "Open data portal" in page and "due 31 Mar 2027" in page
    assert "<strong>50%</strong>" in page


def test_you_said_we_did_is_empty_when_there_is_nothing(world: World, client_for) -> None:
    page = client_for("member").get(_url("you-said-we-did")).content.decode()
    assert "No recommendations yet." in page


def _grow(world: World, n: int) -> None:
    for _ in range(n):
        actions = [
            (action_build(world.table, actor=world.admin, statuses=["done"]), 1),
            (action_build(world.ipv, actor=world.admin), 2),
        ]
        rec = recommendation_build(world.halton, actor=world.admin, actions=actions)
        with scope(tenant=world.halton):
            plan_action_create(recommendation=rec, actor=world.admin, title="Report")


@pytest.mark.parametrize(("name", "budget"), [("recommendations", 16), ("you-said-we-did", 16)])
def test_pages_hold_their_query_budget_as_recommendations_grow(
    world: World, client_for, django_assert_max_num_queries, name: str, budget: int
) -> None:
    client = client_for("member")
    client.get(_url(name))
    for n in (2, 8):
        _grow(world, n)
        with django_assert_max_num_queries(budget):
            assert client.get(_url(name)).status_code == 200


def test_the_recommendation_page_holds_its_budget(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    rec = recommendation_build(world.halton, actor=world.admin, number=1)
    client = client_for("admin")
    url = _url("recommendation", pk=rec.pk)
    client.get(url)
    for n in (2, 10):
        for _ in range(n):
            action_build(world.table, actor=world.admin)
            with scope(tenant=world.halton):
                plan_action_create(recommendation=rec, actor=world.admin, title="Report")
        with django_assert_max_num_queries(19):
            assert client.get(url).status_code == 200


def test_a_recommendation_names_the_survey_it_came_from(world: World, client_for) -> None:
    from django.utils import timezone

    from engagement.models import Response, Survey

    with scope(tenant=world.halton):
        survey = Survey.objects.create(
            tenant=world.halton, title="2023 partner engagement survey", status="published",
            published_at=timezone.now(), created_by=world.admin,
        )  # fmt: skip
        for _ in range(3):
            Response.objects.create(
                tenant=world.halton, survey=survey, is_anonymous=True,
                submitted_on=timezone.localdate(),
            )  # fmt: skip
    client = client_for("admin")
    response = client.post(
        _url("manage:recommendation-new"),
        {"number": 1, "title": "More communication", "survey": survey.pk, "owner": "",
         "progress_method": "plain", "status": "not_started", "percent": 0},
    )  # fmt: skip
    assert response.status_code == 302
    with scope(tenant=world.halton):
        assert Recommendation.objects.get().survey == survey
    page = client_for("member").get(_url("you-said-we-did")).content.decode()
    assert "From the survey “2023 partner engagement survey”: 3 responses" in page
    # Partners can read what they said: the published results are one click away.
    results = reverse("survey-results", args=["halton", survey.pk])
    assert f'<a href="{results}">read the results</a>' in page
    assert client_for("member").get(results).status_code == 200
