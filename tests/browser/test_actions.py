from __future__ import annotations

import re

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from tables.services.actions import action_create

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_partner_logs_an_action_update_in_place(page: Page, browser_world: World) -> None:
    with scope(tenant=browser_world.halton):
        action_create(
            table=browser_world.table,
            title="Map referral pathways",
            owner_organization=browser_world.youth_org,
            actor=browser_world.admin,
        )
    page.goto("/accounts/login/")
    log_in(page, "partner@halton.example", browser_world.password)
    page.get_by_role("link", name="My work", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert_accessible(page)
    page.get_by_role("link", name="Map referral pathways").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map referral pathways")
    assert_accessible(page)
    action_url = page.url

    # Personal details are caught before saving; the confirmation appears in place.
    page.get_by_role("textbox", name="Update").fill("Called the client back at 905-555-0142.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("looks like it contains a phone number")).to_be_visible()
    assert_accessible(page)

    # The person drags the box's corner to make it taller (the browser sets its height).
    page.get_by_role("textbox", name="Update").evaluate("el => { el.style.height = '12em'; }")
    page.get_by_role("textbox", name="Update").fill(
        "Referral map drafted with three partner agencies."
    )
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Update saved.")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Referral map drafted")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("In progress")
    assert page.url == action_url  # updated in place
    assert_accessible(page)
    page.reload()
    expect(page.locator(".timeline")).to_contain_text("Planned → In progress")
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))


def test_a_refused_form_brings_the_person_to_its_first_error(
    page: Page, browser_world: World
) -> None:
    """The add-action form sits below a long list: refused, the page comes back with the
    first field in error focused and in view, not at the top."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", browser_world.password)
    page.goto(f"/halton/tables/{browser_world.table.slug}/actions/")
    page.get_by_role("button", name="Add action").click()
    invalid = page.locator('form[method="post"] [aria-invalid="true"]').first
    expect(invalid).to_be_focused()
    expect(invalid).to_be_in_viewport()
