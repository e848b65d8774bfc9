from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engagement.selectors.digests import user_key
from engagement.services.digests import unsubscribe_token

from ..conftest import World
from ..engagement.utils import contact, happenings, send_round
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_a_partner_sets_their_digest_and_previews_it(page: Page, browser_world: World) -> None:
    happenings(browser_world, browser_world.table, "Youth")
    page.goto("/halton/")
    log_in(page, "partner@halton.example", browser_world.password)
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("link", name="Digest emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress digests")
    expect(page.get_by_role("link", name="Intimate partner violence")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(re.compile("^Monthly")).check()
    page.get_by_role("region", name="How often you get them").get_by_role(
        "button", name="Save"
    ).click()
    expect(page.get_by_text("Saved: digests monthly.")).to_be_visible()
    expect(page.get_by_label(re.compile("^Monthly"))).to_be_checked()

    page.get_by_role("link", name="Preview your next digest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digest preview")
    email = page.frame_locator("iframe.email-preview")
    expect(email.get_by_role("link", name="Youth new action")).to_be_visible()
    expect(email.get_by_role("heading", name="Youth mental health")).to_be_visible()
    assert_accessible(page)  # includes: the frame's inline styles all pass its policy


def test_an_admin_schedules_and_reviews_a_run(page: Page, browser_world: World) -> None:
    happenings(browser_world, browser_world.table, "Youth")
    contact(browser_world, browser_world.youth_org, "intake@youth.example")
    page.goto("/halton/manage/digests/")
    log_in(page, "admin@halton.example", browser_world.password)
    expect(page.get_by_text("No digests have gone out yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day of the week").select_option(label="Thursday")
    page.get_by_label("Hour").select_option(label="07:00")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Digest schedule saved.")).to_be_visible()

    send_round(browser_world)
    page.reload()
    page.get_by_role("link", name=re.compile(r"^The week of \d{1,2} \w+ \d{4}$")).click()
    expect(page.get_by_role("row", name=re.compile("partner@halton.example"))).to_contain_text(
        "Sent"
    )
    assert_accessible(page)
    page.get_by_role("combobox", name="Status").select_option(label="Skipped: nothing to report")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("member@halton.example").first).to_be_visible()
    expect(page.get_by_text("partner@halton.example")).to_have_count(0)

    page.goto("/halton/manage/digests/")
    page.get_by_label("Recipient's email address").fill("intake@youth.example")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Nothing to report since the last digest")).to_be_visible()
    assert_accessible(page)


def test_unsubscribing_from_the_link_without_signing_in(page: Page, browser_world: World) -> None:
    token = unsubscribe_token(
        tenant=browser_world.halton, recipient=user_key(browser_world.partner.pk)
    )
    page.goto(f"/digests/unsubscribe/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress digests from Halton Region")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_text("You are unsubscribed: no more digests")).to_be_visible()
    expect(page.get_by_role("button", name="Unsubscribe")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"/digests/unsubscribe/{token[:-3]}xyz/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This unsubscribe link does not work")
