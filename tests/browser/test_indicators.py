"""The dashboard and an indicator page in Chromium, at a desktop width and a 390 px phone:
axe-clean, nothing wider than the screen, filters and the breakdown kept in the address, the
result count announced."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from indicators.models import (
    Geography,
    IndicatorTable,
    Observation,
    ProgressStatus,
    Source,
    Target,
    TenantGeography,
)
from indicators.services.chain import story_note_create

from ..builders import indicator_values_build
from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def _data(world: World) -> None:
    opioids = indicator_values_build(
        None, code="3.13.1", name="Apparent opioid toxicity deaths, crude rate per 100,000",
        years=range(2016, 2025), domain_slug="health",
        value=lambda year, g: None if (g == 0 and year == 2019) else 5 + year - 2016 + 10 * g,
        breakdowns=({}, {"Sex": "Female"}, {"Sex": "Male"}),
    )  # fmt: skip
    indicator_values_build(
        None, code="16.2.1", name="Police-reported crime, incidents per 100,000",
        years=range(2015, 2025), domain_slug="safety",
    )  # fmt: skip
    indicator_values_build(
        None, code="TO.SHELTER.ACTIVE", name="People actively experiencing homelessness",
        geographies=("Toronto",), years=range(2018, 2025), domain_slug="community",
    )  # fmt: skip
    with scope(tenant=None):
        Observation.objects.filter(
            indicator=opioids, series__key="", geography__name="Halton Region",
            period__label="2019",
        ).update(status="suppressed", footnote="Counts under 5 are suppressed.")  # fmt: skip
        Target.objects.create(indicator=opioids, value=10, base_year=2016, target_year=2028)
        Source.objects.create(
            indicator=opioids, organisation="Statistics Canada", table_id="13-10-0001-01",
            url="https://www150.statcan.gc.ca/", licence="Statistics Canada Open Licence",
        )  # fmt: skip
        ProgressStatus.objects.create(
            indicator=opioids, status="deterioration", score=-3,
            geography=Geography.objects.get(name="Halton Region"),
            inputs={"method": "open_sdg", "base_year": 2016, "latest_year": 2024},
        )  # fmt: skip
    with scope(tenant=world.halton):
        for role, name in (("ours", "Halton Region"), ("comparison", "Ontario")):
            TenantGeography.objects.create(
                tenant=world.halton, geography=Geography.objects.get(name=name), role=role
            )
        IndicatorTable.objects.create(
            tenant=world.halton, indicator=opioids, table=world.table, added_by=world.admin
        )
        story_note_create(
            tenant=world.halton, indicator=opioids, author=world.admin,
            written_on=date(2025, 3, 1), text="Fentanyl in the supply drives the rise.",
        )  # fmt: skip


def _fits(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_reads_well_and_filters_in_place(
    page: Page, browser_world: World, width: int
) -> None:
    _data(browser_world)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    log_in(page, "member@halton.example", browser_world.password)
    nav = page.get_by_role("navigation", name="Plan")
    if width < 600:  # the plan's navigation folds into a menu on a phone
        nav.locator("summary", has_text="Menu").click()
    nav.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/halton/indicators/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CSWB dashboard")
    count = page.locator("#result-count")
    expect(count).to_have_text("2 indicators.")
    expect(count).to_have_attribute("aria-live", "polite")
    card = page.locator(".indicator-card", has_text="opioid")
    expect(card).to_contain_text("Halton Region")
    expect(card).to_contain_text("Ontario")
    expect(card.locator(".indicator-card__status")).to_have_text(
        "Progress status: Halton Region: Deterioration"
    )
    expect(card.get_by_role("img")).to_have_attribute("aria-label", re.compile(r"rate rose"))
    # Toronto's series is not Halton's: counted apart, one link away.
    expect(page.locator(".indicator-card", has_text="homelessness")).to_have_count(0)
    page.get_by_role("link", name="Show the indicators for other places").click()
    expect(page).to_have_url(re.compile(r"[?&]places=other"))
    expect(page.locator("#result-count")).to_have_text(
        "1 indicator has values only for other places."
    )
    expect(page.locator(".indicator-card", has_text="homelessness")).to_contain_text("Toronto")
    expect(page.get_by_label("Places")).to_have_value("other")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("link", name="Back to our indicators").click()
    expect(page.locator("#result-count")).to_have_text("2 indicators.")
    _fits(page)
    assert_accessible(page)

    page.get_by_label("Domain").select_option(label="Safety")
    expect(page).to_have_url(re.compile(r"[?&]domain=safety"))
    expect(page.locator("#result-count")).to_have_text("1 indicator matches these filters.")
    expect(page.locator(".indicator-card", has_text="opioid")).to_have_count(0)
    _fits(page)
    assert_accessible(page)
    # The address is a bookmark: opened afresh, the same filter.
    page.goto(page.url)
    expect(page.get_by_label("Domain")).to_have_value("safety")
    expect(page.locator("#result-count")).to_have_text("1 indicator matches these filters.")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_indicator_page_with_its_chart_table_and_breakdowns(
    page: Page, browser_world: World, width: int
) -> None:
    _data(browser_world)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", browser_world.password)
    page.goto("/halton/indicators/")
    page.get_by_role("link", name=re.compile("Apparent opioid toxicity deaths")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Apparent opioid toxicity")
    expect(page.get_by_role("img", name=re.compile("Apparent opioid"))).to_be_visible()
    table = page.get_by_role("table").first
    expect(table).to_be_visible()
    expect(table).to_contain_text("suppressed")
    expect(page.get_by_text("Fentanyl in the supply drives the rise.")).to_be_visible()
    page.get_by_text("How this was worked out").click()
    expect(page.get_by_text("Base year", exact=True)).to_be_visible()
    _fits(page)
    assert_accessible(page)

    # The breakdowns come in groups ("By sex"); chosen by keyboard alone, kept in the address.
    breakdown = page.get_by_role("combobox", name="Breakdown")
    expect(breakdown.locator("optgroup[label='By sex'] option")).to_have_text(["Female", "Male"])
    breakdown.focus()
    page.keyboard.press("ArrowDown")
    expect(breakdown).to_have_value("Sex=Female")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"breakdown=Sex%3DFemale"))
    expect(page.get_by_role("heading", name="Values: Sex: Female")).to_be_visible()
    expect(page.get_by_role("link", name="Download these values (CSV)")).to_have_attribute(
        "href", re.compile(r"data\.csv\?breakdown=Sex%3DFemale")
    )
    _fits(page)
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_sets_the_status_by_keyboard_and_clears_it(
    page: Page, browser_world: World, width: int
) -> None:
    """From "How this was worked out" to the form, its confirmation and back, by keyboard:
    every step axe-clean and no wider than the screen."""
    _data(browser_world)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", browser_world.password)
    page.goto("/halton/indicators/3-13-1/")
    page.locator("summary", has_text="How this was worked out").focus()
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="Set the status yourself, with a reason")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Set the progress status")
    _fits(page)
    assert_accessible(page)

    page.get_by_label("Limited progress").focus()
    page.keyboard.press("Space")
    page.get_by_label("Why the status worked out is not the right one").fill(
        "2024 runs to September only."
    )
    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Show “Limited progress” as this indicator's status?"
    )
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Set the status").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/halton/indicators/3-13-1/#status-heading$"))
    status = page.locator("section", has=page.locator("#status-heading"))
    expect(status).to_contain_text("Limited progress")
    expect(status).to_contain_text("Set by an admin")
    expect(status).to_contain_text("instead of the status worked out (Deterioration)")
    _fits(page)
    assert_accessible(page)

    page.goto("/halton/indicators/")
    card = page.locator(".indicator-card", has_text="opioid")
    expect(card).to_contain_text("Set by an admin; worked out for Halton Region: Deterioration.")
    _fits(page)
    assert_accessible(page)

    page.goto("/halton/indicators/3-13-1/status/clear/")
    page.get_by_role("button", name="Clear the status").focus()
    page.keyboard.press("Enter")
    expect(page.locator("section", has=page.locator("#status-heading"))).not_to_contain_text(
        "Set by an admin"
    )
