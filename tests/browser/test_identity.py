"""Voluntary self-identification in the browser, on a phone-sized screen: a member fills it in
with the keyboard, sees only their own answers, and withdraws; axe finds nothing on the way."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from engagement.models import SelfIdentification

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 390px"


def test_a_member_fills_in_self_identification_on_a_phone(page: Page, browser_world: World) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/halton/engagement/self-identification/")
    log_in(page, "member@halton.example", browser_world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voluntary self-identification")
    assert_accessible(page)
    _fits(page)

    # Saving without consent keeps nothing and says why.
    page.get_by_role("group", name=re.compile("First Nations")).get_by_label("Yes").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Tick the consent box to save your answers.").first).to_be_visible()
    assert_accessible(page)

    # With the keyboard: the radio group, the consent box, the button.
    group = page.get_by_role("group", name=re.compile("lived or living experience"))
    group.get_by_label("Prefer not to say").focus()
    page.keyboard.press("Space")
    expect(group.get_by_label("Prefer not to say")).to_be_checked()
    page.get_by_label(re.compile("^I choose to share these answers")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save my answers").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved. Only you can see your answers.")).to_be_visible()
    expect(page.get_by_role("heading", name="What you have shared")).to_be_visible()
    assert_accessible(page)
    _fits(page)
    with scopes_disabled():
        assert SelfIdentification._base_manager.filter(user=browser_world.member).exists()

    page.get_by_role("link", name="Withdraw and delete my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw and delete").click()
    expect(page.get_by_text("Your self-identification is deleted.")).to_be_visible()
    with scopes_disabled():
        assert not SelfIdentification._base_manager.filter(user=browser_world.member).exists()
