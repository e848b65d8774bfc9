from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_admin_onboards_a_table_and_a_coordinator_adds_a_member(
    page: Page, browser_world: World
) -> None:
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", browser_world.password)
    page.get_by_role("link", name="Tables", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action tables")
    assert_accessible(page)

    # Filtering narrows the list in place and keeps the address bookmarkable.
    page.get_by_label("Zone").focus()
    page.get_by_label("Zone").select_option("risk_intervention")
    expect(page.locator("#results [role=status]")).to_contain_text("1 table matches these filters.")
    expect(page).to_have_url(re.compile(r"zone=risk_intervention"))
    expect(page.get_by_label("Zone")).to_be_focused()  # the person keeps their place
    assert_accessible(page)
    # Typing a search narrows the list as they type, without taking the field away from them.
    page.get_by_label("Zone").select_option("")
    search = page.locator("#id_q")
    search.press_sequentially("you", delay=50)
    expect(page).to_have_url(re.compile(r"q=you"))
    expect(page.locator("#results [role=status]")).to_contain_text("1 table matches these filters.")
    expect(search).to_be_focused()
    search.press_sequentially("th")
    expect(search).to_have_value("youth")
    expect(page).to_have_url(re.compile(r"q=youth"))
    expect(search).to_be_focused()
    search.fill("")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#results [role=status]")).to_contain_text("3 tables.")

    page.get_by_role("link", name="Start a new table").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a new action table")
    assert_accessible(page)
    page.get_by_label("Name of the table").fill("Homelessness and encampments")
    page.get_by_label("CSWB zone").select_option("risk_intervention")
    page.get_by_label("Lead organization").select_option(label="Halton Police")
    page.get_by_label("Coordinator's email").fill("coordinator@halton.example")
    page.get_by_role("button", name="Start the table").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Homelessness and encampments")
    expect(
        page.get_by_text("Its coordinator, coordinator@halton.example, has a seat.")
    ).to_be_visible()
    assert_accessible(page)
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("button", name="Sign out").click()

    # The coordinator adds an organization in place, then removes it after confirming.
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", browser_world.password)
    page.goto("/halton/tables/homelessness-and-encampments/")
    page.get_by_role("link", name="Manage members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage members")
    assert_accessible(page)
    page.get_by_label("Organization to add").select_option(label="Halton Youth Services")
    page.get_by_role("button", name="Add organization").click()
    expect(page.get_by_text("Halton Youth Services now sits at the table.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/members/$"))  # swapped in place, no navigation
    assert_accessible(page)

    # A refusal is shown in place too, next to the form.
    page.get_by_label("Email of a plan member").fill("outsider@lakeshore.example")
    page.get_by_role("button", name="Add seat").click()
    expect(page.get_by_text("No member of this plan has this address.")).to_be_visible()
    # Focus goes to the field in error, whose message is read with it, not to the top.
    expect(page.get_by_label("Email of a plan member")).to_be_focused()
    assert_accessible(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Remove Halton Youth Services").click()
    expect(page.get_by_text("Halton Youth Services no longer sits at the table.")).to_be_visible()
    assert_accessible(page)


def test_a_members_only_table_is_hidden_from_other_members(page: Page, browser_world: World):
    page.goto("/accounts/login/")
    log_in(page, "member@halton.example", browser_world.password)
    page.goto("/halton/tables/")
    expect(page.get_by_role("link", name="Youth mental health")).to_be_visible()
    expect(page.get_by_role("link", name="Intimate partner violence")).to_have_count(0)
    response = page.goto("/halton/tables/intimate-partner-violence/")
    assert response.status == 404
    page.goto("/halton/partners/")
    assert_accessible(page)
    page.get_by_role("link", name="Halton Youth Services").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Halton Youth Services")
    expect(page.get_by_role("link", name="Intimate partner violence")).to_have_count(0)
    assert_accessible(page)
