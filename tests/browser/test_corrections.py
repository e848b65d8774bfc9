"""Keeping a table's record true, in Chromium at a phone's width and a desktop's: a partner's
bad value refused at its field, a good one recorded and corrected; a coordinator moving an
action to another person with a new due date and its reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from tables.services.actions import action_create
from tables.services.outcomes import measure_create

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)


def assert_fits(page: Page) -> None:
    """Nothing is wider than the window: no sideways scrolling of the page."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide at {width[1]} px"


def check(page: Page) -> None:
    assert_accessible(page)
    assert_fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_partner_corrects_a_value(page: Page, browser_world: World, width: int) -> None:
    world = browser_world
    with scope(tenant=world.halton):
        measure = measure_create(
            table=world.table,
            actor=world.admin,
            name="Partners engaged in joint work",
            kind="how_much",
            unit="organizations",
            unit_kind="count",
            direction="up",
            baseline_value=Decimal(4),
            baseline_date=date(2024, 1, 1),
            target_value=Decimal(12),
            target_date=date(2028, 1, 1),
            reporting_organization=world.youth_org,
        )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/halton/tables/{world.table.slug}/outcomes/{measure.pk}/")
    log_in(page, "partner@halton.example", world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text(measure.name)

    # The bad value: -3 organizations for a period that has not ended.
    page.get_by_role("spinbutton", name="Value").fill("-3")
    page.get_by_label("For the period ending").fill("2030-12-31")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("A count cannot be below zero.")).to_be_visible()
    expect(page.get_by_text("The period has not ended yet")).to_be_visible()
    check(page)

    page.get_by_role("spinbutton", name="Value").fill("7")
    page.get_by_label("For the period ending").fill("2025-12-31")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("The value was recorded.")).to_be_visible()
    check(page)

    page.get_by_role("link", name="Correct the value for Dec 31, 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct a value")
    check(page)
    page.get_by_role("spinbutton", name="Value").fill("6.5")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("A count is a whole number.")).to_be_visible()
    check(page)
    page.get_by_role("spinbutton", name="Value").fill("6")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("The value was corrected.")).to_be_visible()
    # A count reads as a whole number, "6", not "6.00".
    expect(page.locator("table").first.get_by_role("cell", name="6", exact=True)).to_be_visible()
    expect(page.locator("table").first).not_to_contain_text("6.00")

    page.get_by_role("link", name="Correct the value for Dec 31, 2025").click()
    page.get_by_role("link", name="Remove the value…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove the value 6")
    check(page)
    page.get_by_role("button", name="Remove the value").click()
    expect(page.get_by_text("The value was removed.")).to_be_visible()
    check(page)

    page.goto(f"/halton/tables/{world.table.slug}/")
    expect(page.locator("main")).to_contain_text("corrected from 7 to 6 organizations")


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_moves_an_action_to_a_person(
    page: Page, browser_world: World, width: int
) -> None:
    world = browser_world
    with scope(tenant=world.halton):
        action = action_create(
            table=world.table,
            title="Map referral pathways",
            owner_organization=world.police_org,
            due_date=timezone.localdate() + timedelta(days=20),
            actor=world.coordinator,
        )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/halton/tables/{world.table.slug}/actions/{action.pk}/")
    log_in(page, "coordinator@halton.example", world.password)
    page.get_by_role("link", name="Edit the action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the action")
    check(page)

    page.get_by_label("Owner organization").select_option(label="Halton Youth Services")
    page.get_by_label("Owner person").select_option(label=world.partner.display_name)
    new_due = timezone.localdate() - timedelta(days=2)
    page.get_by_label("Due:", exact=True).fill(new_due.isoformat())
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("Say why the due date changes")).to_be_visible()
    check(page)
    page.get_by_label("Why the due date changes").fill("Agreed at the March meeting.")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("The action was saved.")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text(
        f"Due date moved from {action.due_date:%b %-d, %Y} to {new_due:%b %-d, %Y}"
    )
    expect(page.locator(".timeline")).to_contain_text("Agreed at the March meeting.")
    check(page)

    # Hers no more (she typed it in, and never owned it); the partner's now.
    page.goto("/halton/my-work/")
    expect(page.get_by_role("link", name="Map referral pathways")).to_have_count(0)
    check(page)
