"""A plan's admin sets the progress status shown for an indicator, with a reason: confirmed
first, stored for that plan only (the status worked out is shared and stays), shown on the
dashboard and the indicator page as set by an admin with the reason and the status worked out
beside it, and cleared to show the status worked out again."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_scopes import scope, scopes_disabled

from cswb.models import ActivityEvent
from indicators.models import Geography, ProgressOverride, ProgressStatus
from indicators.services.progress import (
    progress_status_override,
    progress_status_override_clear,
)

from ..builders import indicator_values_build
from ..conftest import World
from .test_dashboard import _text, mark

pytestmark = pytest.mark.django_db

PAGE = "/halton/indicators/3-13-1/"
FORM = PAGE + "status/"
CLEAR = PAGE + "status/clear/"
REASON = "2020 counts are affected by the pandemic."


@pytest.fixture
def opioids(world: World):
    indicator = indicator_values_build(None, code="3.13.1", name="Opioid toxicity deaths")
    mark(world)
    with scope(tenant=None):
        ProgressStatus.objects.create(
            indicator=indicator, status="deterioration", score=-3,
            geography=Geography.objects.get(name="Halton Region"),
            inputs={"method": "open_sdg_progress_measure", "base_year": 2015},
        )  # fmt: skip
    return indicator


def _override(world: World, indicator, **changes):
    with scope(tenant=world.halton):
        return progress_status_override(
            tenant=world.halton, indicator=indicator, actor=world.admin,
            **{"status": "limited_progress", "reason": REASON, **changes},
        )  # fmt: skip


def _stored(tenant) -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(ProgressOverride.objects.filter(tenant=tenant).values_list("status", "reason"))


# -- the service -----------------------------------------------------------------------------


def test_an_override_is_stored_for_the_plan_with_its_event(world: World, opioids) -> None:
    _override(world, opioids, reason="  " + REASON + "\n")
    assert _stored(world.halton) == [("limited_progress", REASON)]
    assert _stored(world.lakeshore) == []
    _override(world, opioids, status="moderate_progress", reason="Revised counts.")
    assert _stored(world.halton) == [("moderate_progress", "Revised counts.")]  # replaced
    with scopes_disabled():
        # The shared status worked out is untouched.
        assert ProgressStatus.objects.get(indicator=opioids).status == "deterioration"
        events = list(
            ActivityEvent.objects.filter(verb="indicator.status_overridden").order_by("pk")
        )
    assert [(e.tenant_id, e.actor_id) for e in events] == [(world.halton.pk, world.admin.pk)] * 2
    assert events[1].changes["status"] == ["limited_progress", "moderate_progress"]
    assert "set by an admin to “Progress made but acceleration needed”" in events[1].summary


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   \n "}, "reason"),
        ({"reason": "x" * 1001}, "reason"),
        ({"status": "off_track"}, "status"),
        ({"status": ""}, "status"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: World, opioids, changes: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _override(world, opioids, **changes)
    assert field in refused.value.message_dict
    assert _stored(world.halton) == []
    with scopes_disabled():
        assert not ActivityEvent.objects.filter(verb__startswith="indicator.status").exists()


def test_another_plans_own_indicator_cannot_be_overridden(world: World) -> None:
    theirs = indicator_values_build(world.lakeshore, code="L.1", geographies=("Lakeside",))
    with pytest.raises(ValidationError):
        _override(world, theirs)
    assert _stored(world.halton) == [] and _stored(world.lakeshore) == []


def test_clearing_shows_the_status_worked_out_again(world: World, opioids) -> None:
    _override(world, opioids)
    with scope(tenant=world.halton):
        progress_status_override_clear(tenant=world.halton, indicator=opioids, actor=world.admin)
        with pytest.raises(ValidationError):  # nothing left to clear
            progress_status_override_clear(
                tenant=world.halton, indicator=opioids, actor=world.admin
            )
    assert _stored(world.halton) == []
    with scopes_disabled():
        cleared = ActivityEvent.objects.get(verb="indicator.status_override_cleared")
    assert cleared.changes["status"] == ["limited_progress", ""]


# -- the pages -------------------------------------------------------------------------------


def test_the_admin_finds_the_form_under_how_it_was_worked_out(
    world: World, opioids, client_for
) -> None:
    html = client_for("admin").get(PAGE).content.decode()
    working = html.split("<summary>How this was worked out</summary>")[1].split("</details>")[0]
    assert f'href="{FORM}"' in working
    assert f'href="{CLEAR}"' not in working  # nothing to clear yet
    for role in ("leader", "coordinator", "member"):
        assert FORM not in client_for(role).get(PAGE).content.decode(), role


def test_setting_a_status_asks_first_then_shows_it_set_by_an_admin(
    world: World, opioids, client_for
) -> None:
    admin = client_for("admin")
    form = unescape(admin.get(FORM).content.decode())
    assert "The status worked out by Statistics Canada's method is “Deterioration”" in form
    assert 'type="radio" name="status" value="limited_progress"' in form

    # The first post asks: nothing is stored yet.
    asked = admin.post(FORM, {"status": "limited_progress", "reason": REASON})
    assert asked.status_code == 200
    page = unescape(asked.content.decode())
    assert "Show “Limited progress” as this indicator's status?" in page
    assert 'name="step" value="confirm"' in page and REASON in page
    assert _stored(world.halton) == []
    # "Change it" goes back to the form as it was filled in.
    again = admin.post(FORM, {"status": "limited_progress", "reason": REASON, "step": "edit"})
    back = unescape(again.content.decode())
    assert 'value="limited_progress" required id="id_status_3" checked' in back
    assert f"{REASON}</textarea>" in back and _stored(world.halton) == []

    done = admin.post(
        FORM, {"status": "limited_progress", "reason": REASON, "step": "confirm"}, follow=True
    )
    assert done.redirect_chain[-1][0] == PAGE + "#status-heading"
    assert _stored(world.halton) == [("limited_progress", REASON)]
    html = unescape(done.content.decode())
    assert '<span class="status status--limited_progress">Limited progress</span>' in html
    assert "Set by an admin" in _text(html)
    assert f"instead of the status worked out (Deterioration). Their reason: {REASON}" in _text(
        html
    )
    assert f'href="{CLEAR}"' in html

    # Every member reads it; another plan sees the status worked out only.
    member = unescape(client_for("member").get(PAGE).content.decode())
    assert "Limited progress</span>" in member and REASON in member
    lakeshore = client_for("outsider").get("/lakeshore/indicators/3-13-1/").content.decode()
    assert "Deterioration</span>" in lakeshore
    assert "pandemic" not in lakeshore and "Set by an admin" not in lakeshore


def test_the_dashboard_shows_the_admins_status_with_the_reason_and_the_one_worked_out(
    world: World, opioids, client_for
) -> None:
    _override(world, opioids)
    html = unescape(client_for("member").get("/halton/indicators/").content.decode())
    card = _text(html.split("Opioid toxicity deaths")[1].split("</li>")[0])
    assert "Limited progress" in card
    assert f"Set by an admin; worked out for Halton Region: Deterioration. Reason: {REASON}" in card
    # The status filter follows the status shown.
    shown = client_for("member").get("/halton/indicators/", {"status": "limited_progress"})
    assert "Opioid toxicity deaths" in shown.content.decode()
    hidden = client_for("member").get("/halton/indicators/", {"status": "deterioration"})
    assert "Opioid toxicity deaths" not in hidden.content.decode()
    other = client_for("outsider").get("/lakeshore/indicators/").content.decode()
    assert "Set by an admin" not in other and "pandemic" not in other


def test_an_empty_reason_or_an_unlisted_status_is_refused(
    world: World, opioids, client_for
) -> None:
    admin = client_for("admin")
    for data in (
        {"status": "limited_progress", "reason": "  ", "step": "confirm"},
        {"status": "off_track", "reason": REASON, "step": "confirm"},
        {"reason": REASON, "step": "confirm"},
    ):
        response = admin.post(FORM, data)
        assert response.status_code == 400, data
        assert 'class="errorlist' in response.content.decode()
    assert _stored(world.halton) == []


def test_clearing_asks_first_and_restores_the_status_worked_out(
    world: World, opioids, client_for
) -> None:
    admin = client_for("admin")
    assert admin.get(CLEAR).status_code == 404  # nothing to clear
    _override(world, opioids)
    asked = unescape(admin.get(CLEAR).content.decode())
    assert "Clear the status set by an admin for Opioid toxicity deaths?" in asked
    assert _stored(world.halton) == [("limited_progress", REASON)]
    done = admin.post(CLEAR, follow=True)
    assert done.redirect_chain[-1][0] == PAGE + "#status-heading"
    assert _stored(world.halton) == []
    html = done.content.decode()
    assert '<span class="status status--deterioration">Deterioration</span>' in html
    assert "Set by an admin" not in html


def test_only_the_plans_admins_may_and_outsiders_do_not_know(
    world: World, opioids, client_for
) -> None:
    _override(world, opioids)
    post = {"status": "target_achieved", "reason": "No.", "step": "confirm"}
    for role in ("leader", "coordinator", "partner", "member"):
        client = client_for(role)
        assert client.get(FORM).status_code == 403, role
        assert client.post(FORM, post).status_code == 403, role
        assert client.post(CLEAR).status_code == 403, role
    outsider = client_for("outsider")
    assert outsider.get(FORM).status_code == 404
    assert outsider.post(FORM, post).status_code == 404
    assert outsider.post(CLEAR).status_code == 404
    assert _stored(world.halton) == [("limited_progress", REASON)]


def test_a_post_without_the_csrf_token_is_refused(world: World, opioids) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    data = {"status": "limited_progress", "reason": REASON, "step": "confirm"}
    assert client.post(FORM, data).status_code == 403
    assert _stored(world.halton) == []
    _override(world, opioids)
    assert client.post(CLEAR).status_code == 403
    assert _stored(world.halton) == [("limited_progress", REASON)]


def test_the_reason_is_escaped_everywhere(world: World, opioids, client_for) -> None:
    planted = '<script>alert(1)</script><div hx-get="/x" hx-trigger="load">'
    _override(world, opioids, reason=planted)
    for url in (PAGE, "/halton/indicators/", FORM, CLEAR):
        html = client_for("admin").get(url).content.decode()
        assert "<script>alert(1)" not in html and 'hx-get="/x"' not in html, url
