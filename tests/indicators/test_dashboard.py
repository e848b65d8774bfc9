"""The CSWB dashboard: each indicator's latest value for the plan's place beside its
comparison, the latest change in words, a sparkline with its text, the progress status in
words, how current the data is; filters kept in the address; the shared catalogue for every
plan and a plan's own indicators for that plan only."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope

from indicators.models import (
    Geography,
    IndicatorTable,
    Observation,
    Period,
    ProgressStatus,
    TenantGeography,
)

from ..builders import indicator_values_build
from ..conftest import World

pytestmark = pytest.mark.django_db

URL = "/halton/indicators/"


def mark(world: World, ours: str = "Halton Region", comparison: str = "Ontario") -> None:
    with scope(tenant=world.halton):
        TenantGeography.objects.create(
            tenant=world.halton, geography=Geography.objects.get(name=ours), role="ours"
        )
        TenantGeography.objects.create(
            tenant=world.halton,
            geography=Geography.objects.get(name=comparison),
            role="comparison",
        )


def link(world: World, indicator, table) -> None:
    with scope(tenant=world.halton):
        IndicatorTable.objects.create(
            tenant=world.halton, indicator=indicator, table=table, added_by=world.admin
        )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_empty_dashboard_says_so(world: World, client_for) -> None:
    response = client_for("member").get(URL)
    assert response.status_code == 200
    assert "This plan has no indicators yet." in response.content.decode()
    admin = client_for("admin").get(URL).content.decode()
    assert "Import a file of indicator values</a> to start the dashboard." in admin
    assert "/halton/manage/indicators/imports/" in admin


def test_latest_value_for_our_place_beside_the_comparison(world: World, client_for) -> None:
    # Opioid deaths, lower is better: Halton 41 → 30 with 2024 not published; Ontario rising.
    halton = {2019: 41, 2020: 31, 2021: 41, 2022: 36, 2023: 30, 2024: None}
    ontario = {2019: 1500, 2020: 2400, 2021: 2800, 2022: 2500, 2023: 2600, 2024: 2700}
    indicator = indicator_values_build(
        None, code="3.13.1", name="Opioid toxicity deaths", years=range(2019, 2025),
        value=lambda year, g: (halton, ontario)[g][year],
    )  # fmt: skip
    mark(world)
    with scope(tenant=None):
        ProgressStatus.objects.create(indicator=indicator, status="deterioration")
    page = client_for("member").get(URL).content.decode()
    card = _text(page[page.index("Opioid toxicity deaths") :])
    assert "Halton Region 30.0 per 100,000 2023" in card
    assert "Ontario 2,700.0" in card
    # Halton's latest (2023) against the year before (2022): down, which is better.
    assert "Down since 2022, better" in card
    assert "Deterioration" in card
    # The sparkline's text equivalent is the series in a sentence.
    assert re.search(
        r'<svg [^>]*role="img"[^>]*aria-label="Halton Region&#x27;s rate fell from 41.0 to 30.0 '
        r"per 100,000 between 2019 and 2023, moving towards where we want it.",
        page,
    )
    assert "1 indicator." in _text(page)
    assert 'href="/halton/indicators/3-13-1/"' in page


def test_trend_and_status_never_rest_on_colour(world: World, client_for) -> None:
    indicator_values_build(None, code="1.1.1", name="Poverty", years=range(2020, 2023))
    mark(world)
    page = client_for("member").get(URL).content.decode()
    # The words are there beside any arrow, and the status has its label even with none set.
    assert "Up since 2021, worse" in _text(page)
    assert "Not available" in _text(page)


def test_how_current_the_data_is(world: World, client_for) -> None:
    indicator_values_build(None, code="9.9.9", name="Old survey", years=range(2010, 2013))
    mark(world)
    text = _text(client_for("member").get(URL).content.decode())
    years = (date.today() - date(2012, 12, 31)).days // 365
    assert f"Latest data: 2012 ({years} years old). Older than two years." in text


def test_filters_are_kept_in_the_address_and_the_count_announced(world: World, client_for) -> None:
    health = indicator_values_build(None, code="3.8.1", name="Mental health", domain_slug="health")
    indicator_values_build(None, code="16.2.1", name="Police-reported crime", domain_slug="safety")
    mark(world)
    link(world, health, world.table)
    client = client_for("member")
    everything = _text(client.get(URL).content.decode())
    assert "Mental health" in everything and "Police-reported crime" in everything
    by_domain = client.get(URL, {"domain": "safety"}).content.decode()
    assert "Police-reported crime" in by_domain and "Mental health" not in by_domain
    assert "1 indicator match these filters." in _text(by_domain)
    by_table = client.get(URL, {"table": world.table.slug}).content.decode()
    assert "Mental health" in by_table and "Police-reported crime" not in by_table
    nothing = client.get(URL, {"status": "target_achieved"}).content.decode()
    assert "No indicator matches these filters." in nothing
    # The count is in a live region; htmx gets the results alone, the same way.
    partial = client.get(URL, {"domain": "safety"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and 'role="status"' in body and 'aria-live="polite"' in body
    assert "Police-reported crime" in body


def test_a_members_only_table_is_no_filter_for_those_who_may_not_know_it(
    world: World, client_for
) -> None:
    indicator = indicator_values_build(None, code="5.2.1", name="Partner violence")
    mark(world)
    link(world, indicator, world.ipv)
    member = client_for("member").get(URL).content.decode()
    assert world.ipv.slug not in member
    assert world.ipv.slug in client_for("coordinator").get(URL).content.decode()
    # Naming it in the address does not filter by it either.
    assert (
        "Partner violence"
        in client_for("member").get(URL, {"table": world.ipv.slug}).content.decode()
    )


def test_a_plans_own_indicators_stay_in_that_plan(world: World, client_for) -> None:
    indicator_values_build(None, code="3.13.1", name="Shared series")
    indicator_values_build(world.lakeshore, code="L.1", name="Lakeshore local series",
                           geographies=("Lakeshore town",))  # fmt: skip
    indicator_values_build(world.halton, code="H.1", name="Halton local series",
                           geographies=("Oakville",))  # fmt: skip
    halton = client_for("member").get(URL).content.decode()
    assert "Shared series" in halton and "Halton local series" in halton
    assert "Lakeshore local series" not in halton
    lakeshore = client_for("outsider").get("/lakeshore/indicators/").content.decode()
    assert "Shared series" in lakeshore and "Halton local series" not in lakeshore
    assert client_for("outsider").get("/lakeshore/indicators/h-1/").status_code == 404
    assert client_for("member").get("/halton/indicators/l-1/").status_code == 404


def test_every_member_finds_the_dashboard_in_the_navigation(world: World, client_for) -> None:
    for role in ("admin", "leader", "coordinator", "partner", "member"):
        home = client_for(role).get("/halton/").content.decode()
        assert f'href="{reverse("indicators:dashboard", args=["halton"])}"' in home
    page = client_for("member").get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Dashboard</a>' in page


def test_a_partial_latest_value_says_how_far_it_runs(world: World, client_for) -> None:
    indicator = indicator_values_build(None, code="3.13.9", name="Deaths to date",
                                       years=range(2022, 2025))  # fmt: skip
    mark(world)
    with scope(tenant=None):
        last = Observation.objects.filter(
            indicator=indicator, period=Period.objects.get(label="2024"),
            geography__name="Halton Region",
        )  # fmt: skip
        last.update(status="partial", complete_through=date(2024, 9, 30))
    text = _text(client_for("member").get(URL).content.decode())
    assert "2024 (partial, to September 30, 2024)" in text
