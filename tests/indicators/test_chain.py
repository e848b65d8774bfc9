"""The chain: the tables working on an indicator (chosen by admins, and by coordinators for
their own tables), shown on the indicator and on the table's page; the story behind the curve,
written, edited and deleted (after asking) by admins and the coordinators of those tables."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django_scopes import scope

from cswb.models import ActivityEvent
from indicators.models import Geography, IndicatorTable, ProgressStatus, StoryNote
from indicators.services.chain import story_note_create

from ..builders import action_build, indicator_values_build
from ..conftest import World
from .test_dashboard import link, mark

pytestmark = pytest.mark.django_db

PAGE = "/halton/indicators/3-8-1/"
TABLES = PAGE + "tables/"
NOTES = PAGE + "notes/"


@pytest.fixture
def indicator(world: World):
    found = indicator_values_build(None, code="3.8.1", name="Mental health rated very good")
    mark(world)
    return found


def _links(world: World) -> set[str]:
    with scope(tenant=world.halton):
        return set(IndicatorTable.objects.values_list("table__name", flat=True))


def test_a_coordinator_links_their_own_tables_only(world: World, indicator, client_for) -> None:
    link(world, indicator, world.food)  # by an admin, at a table the coordinator does not run
    client = client_for("coordinator")
    form = client.get(TABLES).content.decode()
    assert world.table.name in form and world.ipv.name in form
    assert world.food.name not in form
    response = client.post(TABLES, {"tables": [world.table.pk]})
    assert response.status_code == 302
    assert _links(world) == {world.table.name, world.food.name}
    # Another table's id is refused, and nothing changes.
    refused = client.post(TABLES, {"tables": [world.table.pk, world.food.pk]})
    assert refused.status_code == 400
    assert _links(world) == {world.table.name, world.food.name}
    # Unticking removes their own link only.
    client.post(TABLES, {})
    assert _links(world) == {world.food.name}
    with scope(tenant=world.halton):
        verbs = list(ActivityEvent.objects.filter(verb__startswith="indicator.table").values_list(
            "verb", flat=True))  # fmt: skip
    assert sorted(verbs) == ["indicator.table_linked", "indicator.table_unlinked"]


def test_admins_link_any_table_and_others_may_not(world: World, indicator, client_for) -> None:
    response = client_for("admin").post(TABLES, {"tables": [world.food.pk, world.ipv.pk]})
    assert response.status_code == 302
    assert _links(world) == {world.food.name, world.ipv.name}
    for role in ("leader", "partner", "member"):
        assert client_for(role).get(TABLES).status_code == 403
        assert client_for(role).post(TABLES, {"tables": [world.food.pk]}).status_code == 403
    assert _links(world) == {world.food.name, world.ipv.name}


def test_the_chain_is_one_click_apart_both_ways(world: World, indicator, client_for) -> None:
    link(world, indicator, world.table)
    link(world, indicator, world.ipv)
    page = client_for("member").get(PAGE).content.decode()
    assert f'href="/halton/tables/{world.table.slug}/"' in page
    # A members-only table is not named to those who may not know it exists.
    assert world.ipv.name not in page
    assert world.ipv.name in client_for("coordinator").get(PAGE).content.decode()
    table_page = client_for("member").get(f"/halton/tables/{world.table.slug}/").content.decode()
    assert "Population indicators this table works to turn" in table_page
    assert f'href="{PAGE}"' in table_page and "Mental health rated very good" in table_page
    assert "Halton Region: 105.0 per 100,000" in table_page  # its latest value for our place
    food_page = client_for("member").get(f"/halton/tables/{world.food.slug}/").content.decode()
    assert "No population indicator is linked to this table yet." in food_page


def test_a_note_is_written_dated_and_escaped(world: World, indicator, client_for) -> None:
    link(world, indicator, world.table)
    with scope(tenant=world.halton):
        action = action_build(world.table, actor=world.admin, title="Walk-in counselling")
    client = client_for("coordinator")
    text = '<img src=x onerror=alert(1)> Fewer walk-in hours <div hx-get="/x">'
    response = client.post(
        NOTES, {"written_on": "2025-03-01", "text": text, "actions": [action.pk]}
    )
    assert response.status_code == 302
    page = client_for("member").get(PAGE).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; Fewer walk-in hours" in page
    assert "<img src=x" not in page and 'hx-get="/x"' not in page
    assert '<time datetime="2025-03-01">March 1, 2025</time>' in page
    assert "Walk-in counselling</a> (Youth mental health)" in page


def test_a_bad_note_is_refused_with_its_errors(world: World, indicator, client_for) -> None:
    link(world, indicator, world.table)
    with scope(tenant=world.halton):
        elsewhere = action_build(world.food, actor=world.admin, title="Food hampers")
    client = client_for("coordinator")
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        ({"written_on": future, "text": "Later."}, "A note cannot be dated in the future."),
        ({"written_on": "2025-01-01", "text": ""}, "This field is required."),
        ({"written_on": "2025-01-01", "text": "x", "actions": [elsewhere.pk]}, "valid choice"),
        ({"written_on": "2025-01-01", "text": "Call 905-555-1234"}, "phone number"),
    ]
    for data, error in cases:
        response = client.post(NOTES, data)
        assert response.status_code == 400
        assert error in response.content.decode()
    with scope(tenant=world.halton):
        assert not StoryNote.objects.exists()


def test_who_may_write_edit_and_delete_notes(world: World, indicator, client_for) -> None:
    # The coordinator's table does not work on this indicator yet: they may not write.
    assert (
        client_for("coordinator").post(NOTES, {"written_on": "2025-01-01", "text": "x"}).status_code
        == 403
    )
    link(world, indicator, world.table)
    for role in ("leader", "partner", "member"):
        assert (
            client_for(role).post(NOTES, {"written_on": "2025-01-01", "text": "x"}).status_code
            == 403
        )
    with scope(tenant=world.halton):
        mine = story_note_create(
            tenant=world.halton, indicator=indicator, author=world.coordinator,
            written_on=date(2025, 1, 2), text="Wait lists grew.",
        )  # fmt: skip
        admins = story_note_create(
            tenant=world.halton, indicator=indicator, author=world.admin,
            written_on=date(2025, 1, 3), text="Funding ended.",
        )  # fmt: skip
    coordinator = client_for("coordinator")
    assert coordinator.get(f"{PAGE}notes/{mine.pk}/edit/").status_code == 200
    assert coordinator.get(f"{PAGE}notes/{admins.pk}/edit/").status_code == 403
    response = coordinator.post(
        f"{PAGE}notes/{mine.pk}/edit/", {"written_on": "2025-01-02", "text": "Wait lists grew 20%."}
    )
    assert response.status_code == 302
    with scope(tenant=world.halton):
        mine.refresh_from_db()
        assert mine.text == "Wait lists grew 20%."
    # Deleting asks first; the POST deletes.
    ask = coordinator.get(f"{PAGE}notes/{mine.pk}/delete/")
    assert ask.status_code == 200 and "Delete the note of January 2, 2025?" in ask.content.decode()
    with scope(tenant=world.halton):
        assert StoryNote.objects.filter(pk=mine.pk).exists()
    assert coordinator.post(f"{PAGE}notes/{mine.pk}/delete/").status_code == 302
    assert client_for("admin").post(f"{PAGE}notes/{admins.pk}/delete/").status_code == 302
    with scope(tenant=world.halton):
        assert not StoryNote.objects.exists()
        assert ActivityEvent.objects.filter(verb="indicator.note_deleted").count() == 2


def test_notes_and_links_stay_in_their_plan(world: World, indicator, client_for) -> None:
    link(world, indicator, world.table)
    with scope(tenant=world.halton):
        note = story_note_create(
            tenant=world.halton, indicator=indicator, author=world.admin,
            written_on=date(2025, 1, 2), text="Halton's own story.",
        )  # fmt: skip
    outsider = client_for("outsider")
    lakeshore_page = outsider.get("/lakeshore/indicators/3-8-1/").content.decode()
    assert "Halton&#x27;s own story." not in lakeshore_page
    assert world.table.name not in lakeshore_page
    assert outsider.get(f"/lakeshore/indicators/3-8-1/notes/{note.pk}/edit/").status_code == 404
    assert outsider.get(f"/halton/indicators/3-8-1/notes/{note.pk}/edit/").status_code == 404


def test_a_tables_indicators_name_the_place_of_each_status(world: World, client_for) -> None:
    """On the table's page as on the dashboard: the country's values and status only where
    the plan's places have none, and every status says which place it is for."""
    with scope(tenant=None):
        Geography.objects.create(name="Canada", kind="country")
    local = indicator_values_build(None, code="3.13.1", name="Opioid deaths")
    national = indicator_values_build(
        None, code="3.8.1", name="Mental health", geographies=("Canada",)
    )
    mark(world)
    with scope(tenant=None):
        for found in (local, national):
            ProgressStatus.objects.create(indicator=found, status="deterioration")  # headline
    link(world, local, world.table)
    link(world, national, world.table)
    page = client_for("member").get(f"/halton/tables/{world.table.slug}/").content.decode()
    rows = {
        re.sub(r"<[^>]+>", "", name): " ".join(unescape(re.sub(r"<[^>]+>", " ", cells)).split())
        for name, cells in re.findall(r'<th scope="row"><a [^>]*>(.*?)</a></th>(.*?)</tr>',
                                      page, re.S)
    }  # fmt: skip
    assert rows["Opioid deaths"] == (
        "Halton Region: 105.0 per 100,000 (2020) Ontario: 106.0 per 100,000 (2020) Not available"
    )
    assert rows["Mental health"] == (
        "Halton Region: no value Ontario: no value Canada: 105.0 per 100,000 (2020) "
        "Canada: Deterioration"
    )
