"""The dashboard, the indicator page, its CSV and a table's page with its indicators make the
same number of queries however many indicators, geographies, years, breakdowns, linked tables
and notes there are."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from indicators.models import Geography, IndicatorTable, ProgressStatus, TenantGeography
from indicators.services.chain import story_note_create

from ..builders import action_build, indicator_values_build
from ..conftest import World

pytestmark = pytest.mark.django_db

_codes = count(1)
PLACES = ["Halton Region", "Ontario", "Canada"]


def _grow(world: World, *, indicators: int, places: list[str], years: range) -> list[str]:
    """More indicators (each with two breakdowns), on more places and years, each linked to
    the youth table, with a progress status and a story note. Returns their slugs."""
    slugs = []
    for _ in range(indicators):
        indicator = indicator_values_build(
            None, code=f"9.{next(_codes)}", geographies=places, years=years,
            breakdowns=({}, {"Sex": "Female"}),
        )  # fmt: skip
        with scope(tenant=world.halton):
            IndicatorTable.objects.create(
                tenant=world.halton, indicator=indicator, table=world.table, added_by=world.admin
            )
            ProgressStatus.objects.create(indicator=indicator, status="limited_progress")
            action = action_build(world.table, actor=world.admin)
            story_note_create(
                tenant=world.halton, indicator=indicator, author=world.admin,
                written_on=date(2025, 1, 2), text="Why.", actions=[action],
                allowed_actions=[action.pk],
            )  # fmt: skip
        slugs.append(indicator.slug)
        # And one for places that are not the plan's (the dashboard lists it apart).
        indicator_values_build(
            None, code=f"9.{next(_codes)}", geographies=[f"Elsewhere {n}" for n in range(3)],
            years=years,
        )  # fmt: skip
    return slugs


def _mark(world: World) -> None:
    with scope(tenant=world.halton):
        TenantGeography.objects.get_or_create(
            tenant=world.halton, geography=Geography.objects.get(name="Halton Region"),
            role="ours",
        )  # fmt: skip
        TenantGeography.objects.get_or_create(
            tenant=world.halton, geography=Geography.objects.get(name="Ontario"),
            role="comparison",
        )  # fmt: skip


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


PAGES = {
    # Each page's own queries, plus five for the session, the person, their plan and membership.
    # The indicator page's include one for the codes its places have had (HR_UID 2236, 3536).
    "dashboard": ("member", lambda w: "/halton/indicators/", 14),
    "dashboard filtered": ("member", lambda w: f"/halton/indicators/?table={w.table.slug}", 15),
    "dashboard by status": ("member", lambda w: "/halton/indicators/?status=limited_progress", 14),
    # One more: the places each of them has values for.
    "dashboard, other places": ("member", lambda w: "/halton/indicators/?places=other", 15),
    "indicator page": ("coordinator", lambda w: f"/halton/indicators/{w.first}/", 27),
    "indicator breakdown": (
        "member",
        lambda w: f"/halton/indicators/{w.first}/?breakdown=Sex%3DFemale",
        22,
    ),
    "indicator CSV": ("member", lambda w: f"/halton/indicators/{w.first}/data.csv", 15),
    "table page": ("member", lambda w: f"/halton/tables/{w.table.slug}/", 40),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_same_queries_as_indicators_places_and_years_grow(
    world: World, client_for, django_assert_max_num_queries, page: str
) -> None:
    role, url_of, budget = PAGES[page]
    world.first = _grow(world, indicators=2, places=PLACES[:2], years=range(2019, 2021))[0]
    _mark(world)
    client = client_for(role)
    url = url_of(world)
    client.get(url)  # warm the session
    small = _queries(client, url)
    more = [f"Place {n}" for n in range(6)]
    _grow(world, indicators=6, places=PLACES + more, years=range(2005, 2025))
    with scope(tenant=world.halton):
        TenantGeography.objects.create(
            tenant=world.halton, geography=Geography.objects.get(name="Place 0"), role="ours"
        )
    large = _queries(client, url)
    assert large == small, f"{page}: {small} queries with little data, {large} with more"
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
