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
    ProgressOverride,
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
        ProgressStatus.objects.create(
            indicator=indicator, status="deterioration",
            geography=Geography.objects.get(name="Halton Region"),
        )  # fmt: skip
    page = client_for("member").get(URL).content.decode()
    card = _text(page[page.index("Opioid toxicity deaths") :])
    assert "Halton Region 30.0 per 100,000 2023" in card
    assert "Ontario 2,700.0" in card
    # Halton's latest (2023) against the year before (2022): down, which is better.
    assert "Halton Region: ↓ Down since 2022, better" in card
    assert "Progress status: Halton Region: Deterioration" in card
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
    assert "1 indicator matches these filters." in _text(by_domain)
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


def test_a_partial_year_is_shown_but_neither_trend_nor_status_compares_it(
    world: World, client_for
) -> None:
    """Halton's 2024 count runs to September only: it must not read as a fall from 2023, and
    the progress status is worked out from whole years, saying which year it left out."""
    from indicators.services.progress import progress_compute

    indicator = indicator_values_build(
        None, code="3.13.8", name="Deaths counted", years=range(2020, 2025),
        value=lambda year, geo: 10 if year == 2024 else 40 + 2 * (year - 2020) + geo,
    )  # fmt: skip
    mark(world)
    with scope(tenant=None):
        Observation.objects.filter(indicator=indicator, period__label="2024").update(
            status="partial", complete_through=date(2024, 9, 30)
        )
        statuses = progress_compute(indicator=indicator)
    halton = next(s for s in statuses if s.geography and s.geography.name == "Halton Region")
    assert halton.inputs["current_year"] == 2023
    assert halton.inputs["left_out"] == "2024 (part of the year only)"
    assert halton.status == "deterioration"  # rising, and lower is better
    card = _card(client_for("member").get(URL).content.decode(), "Deaths counted")
    assert "2024 (partial, to September 30, 2024)" in card
    assert "Up since 2022, worse" in card and "Down since 2023" not in card
    detail = _text(client_for("member").get(f"{URL}3-13-8/").content.decode())
    assert "Left out 2024 (part of the year only)" in detail
    assert "between 2020 and 2023" in detail and "between 2020 and 2024" not in detail


def _canada() -> None:
    with scope(tenant=None):
        Geography.objects.create(name="Canada", kind="country")


def _card(page: str, name: str) -> str:
    card = page[page.index(name) :]
    return _text(card[: card.index("</li>")])


def test_a_status_is_for_a_place_on_the_card_and_names_it(world: World, client_for) -> None:
    """Statistics Canada's headline status is Canada's: it is never shown beside Halton's or
    Ontario's values as if it were theirs."""
    _canada()
    both = indicator_values_build(
        None, code="3.13.1", name="Opioid deaths",
        geographies=("Halton Region", "Ontario", "Canada"),
    )  # fmt: skip
    ontario = indicator_values_build(
        None, code="16.2.1", name="Crime rate", geographies=("Ontario", "Canada")
    )  # fmt: skip
    national = indicator_values_build(
        None, code="3.8.1", name="Mental health", geographies=("Canada",)
    )  # fmt: skip
    mark(world)
    with scope(tenant=None):
        for indicator in (both, ontario, national):  # the headline, as published
            ProgressStatus.objects.create(indicator=indicator, status="deterioration")
        for indicator in (both, ontario):
            ProgressStatus.objects.create(
                indicator=indicator, status="substantial_progress",
                geography=Geography.objects.get(name="Ontario"),
            )  # fmt: skip
    client = client_for("member")
    page = client.get(URL).content.decode()
    card = _card(page, "Opioid deaths")
    # Halton has values but no status worked out: Ontario's, named, not Canada's.
    assert "Halton Region 105.0 per 100,000 2020" in card
    assert "Progress status: Ontario: On track" in card and "Deterioration" not in card
    assert "Canada" not in card  # both places have values: no need for the country
    card = _card(page, "Crime rate")
    assert "Halton Region No value" in card
    assert "Ontario: ↑ Up since 2019, worse" in card
    assert "Progress status: Ontario: On track" in card and "Canada" not in card
    # Neither place has values: the country's are shown, and its status says it is Canada's.
    card = _card(page, "Mental health")
    assert "Halton Region No value Ontario No value Canada 105.0 per 100,000 2020" in card
    assert "Canada: ↑ Up since 2019, worse" in card
    assert "Progress status: Canada: Deterioration" in card
    # The status filter reads the status shown.
    on_track = (
        _text(client.get(URL, {"status": "substantial_progress"}).content.decode())
        if (client := client_for("member"))
        else ""
    )
    assert "Opioid deaths" in on_track and "Crime rate" in on_track
    assert "Mental health" not in on_track and "2 indicators match these filters." in on_track


def test_an_admins_status_names_the_place_of_the_one_worked_out(world: World, client_for) -> None:
    indicator = indicator_values_build(None, code="3.13.1", name="Opioid deaths")
    mark(world)
    with scope(tenant=None):
        ProgressStatus.objects.create(indicator=indicator, status="deterioration")  # Canada's
        ProgressStatus.objects.create(
            indicator=indicator, status="moderate_progress",
            geography=Geography.objects.get(name="Ontario"),
        )  # fmt: skip
    with scope(tenant=world.halton):
        ProgressOverride.objects.create(
            tenant=world.halton, indicator=indicator, status="limited_progress",
            reason="Counts are affected by the pandemic.", set_by=world.admin,
        )  # fmt: skip
    card = _card(client_for("member").get(URL).content.decode(), "Opioid deaths")
    assert "Progress status: Limited progress" in card
    assert (
        "Set by an admin; worked out for Ontario: Progress made but acceleration needed. "
        "Reason: Counts are affected by the pandemic." in card
    )
    assert "Deterioration" not in card


def test_a_series_for_another_place_is_listed_apart_never_as_ours(world: World, client_for) -> None:
    """Toronto's shelter flow on Halton's dashboard: not among Halton's indicators, but
    counted, and one link away in a list of its own that names the place."""
    _canada()
    indicator_values_build(
        None, code="3.13.1", name="Opioid deaths",
        geographies=("Halton Region", "Ontario", "Canada"),
    )  # fmt: skip
    indicator_values_build(
        None, code="TO.SHELTER.ACTIVE", name="Actively homeless", geographies=("Toronto",),
        domain_slug="community",
    )  # fmt: skip
    mark(world)
    client = client_for("member")
    page = client.get(URL).content.decode()
    text = _text(page)
    assert "Actively homeless" not in text and "Toronto" not in text
    assert "1 indicator." in text
    assert (
        "1 more indicator has no value for Halton Region, Ontario or Canada. "
        "Show the indicators for other places" in text
    )
    assert 'href="?places=other"' in page
    other = client.get(URL, {"places": "other"}).content.decode()
    text = _text(other)
    assert "1 indicator has values only for other places." in text
    assert "None of them has a value for Halton Region, Ontario or Canada" in text
    card = _card(other, "Actively homeless")
    assert "Toronto 105.0 per 100,000 2020" in card and "Toronto: ↑ Up since 2019" in card
    assert "Halton Region" not in card and "Opioid deaths" not in text
    # The other filters stay with the link and in the address.
    page = client.get(URL, {"domain": "community"}).content.decode()
    assert 'href="?domain=community&amp;places=other"' in page
    assert "No indicator matches these filters." in _text(page)


def test_a_plan_without_places_sees_each_indicator_with_the_places_it_has(
    world: World, client_for
) -> None:
    _canada()
    indicator_values_build(
        None, code="3.8.1", name="Mental health", geographies=("Ontario", "Canada", "Alberta")
    )  # fmt: skip
    page = client_for("member").get(URL).content.decode()
    assert "has not chosen its own place and comparison yet" in _text(page)
    card = _card(page, "Mental health")
    # The country first, then the others by name; the rest counted.
    assert "Canada 106.0 per 100,000 2020 Alberta 107.0 per 100,000 2020" in card
    assert "Values for 1 more place." in card
    assert 'name="places"' not in page


def test_the_dashboard_comes_in_pages_that_keep_the_filters(world: World, client_for) -> None:
    for n in range(30):
        indicator_values_build(
            None, code=f"3.{n:02d}", name=f"Health indicator {n:02d}", years=range(2019, 2021)
        )  # fmt: skip
    indicator_values_build(None, code="16.2.1", name="Crime rate", domain_slug="safety")
    mark(world)
    client = client_for("member")
    first = client.get(URL, {"domain": "health"}).content.decode()
    text = _text(first)
    assert "30 indicators match these filters. Showing 1 to 24, page 1 of 2." in text
    assert first.count('class="card indicator-card"') == 24
    assert "Health indicator 23" in text and "Health indicator 24" not in text
    assert 'href="?domain=health&amp;page=2" rel="next"' in first
    second = client.get(URL, {"domain": "health", "page": "2"}).content.decode()
    assert second.count('class="card indicator-card"') == 6
    assert "Showing 25 to 30, page 2 of 2." in _text(second)
    assert 'href="?domain=health&amp;page=1" rel="prev"' in second
    # Results fetched by htmx carry the count (in its live region) and the pages too.
    partial = client.get(URL, {"domain": "health"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert 'role="status" aria-live="polite"' in body and "page 1 of 2" in body
    assert 'rel="next"' in body
