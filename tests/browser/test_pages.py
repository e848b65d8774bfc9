from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cswb.models import TenantRole

from ..conftest import World
from ..factories import MembershipFactory
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_sign_in_lands_on_the_tenant_home(page: Page, browser_world: World) -> None:
    page.goto("/halton/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/halton/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    assert_accessible(page)

    log_in(page, "admin@halton.example", browser_world.password)
    expect(page).to_have_url(re.compile(r"/halton/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Halton Region")
    expect(page.get_by_role("heading", name="Recent activity")).to_be_visible()
    expect(page.get_by_role("navigation", name="Plan")).to_be_visible()
    assert_accessible(page)


def test_keyboard_user_can_skip_to_content_and_use_the_menus(
    page: Page, browser_world: World
) -> None:
    MembershipFactory(
        tenant=browser_world.lakeshore, user=browser_world.leader, role=TenantRole.MEMBER
    )
    page.goto("/accounts/login/")
    log_in(page, "leader@halton.example", browser_world.password)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plans")
    assert_accessible(page)

    page.get_by_role("link", name="Halton Region").click()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    switcher = page.locator("summary", has_text="Switch plan")
    switcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Lakeshore")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Lakeshore")).to_be_hidden()
    expect(switcher).to_be_focused()


def test_account_pages_share_the_portal_layout(page: Page, browser_world: World) -> None:
    page.goto("/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Password Reset")
    expect(page.get_by_role("banner")).to_be_visible()
    assert_accessible(page)

    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up Closed")
    assert_accessible(page)

    page.goto("/accounts/login/")
    log_in(page, "member@halton.example", browser_world.password)
    page.goto("/accounts/password/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Password")
    assert_accessible(page)


def test_wrong_password_is_explained(page: Page, browser_world: World) -> None:
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", "not-the-password")
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    assert_accessible(page)


def test_outsider_sees_the_not_found_page(page: Page, browser_world: World) -> None:
    page.goto("/accounts/login/")
    log_in(page, "outsider@lakeshore.example", browser_world.password)
    expect(page).to_have_url(re.compile(r"/lakeshore/$"))
    response = page.goto("/halton/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)


def test_sign_out_from_the_user_menu(page: Page, browser_world: World) -> None:
    page.goto("/accounts/login/")
    log_in(page, "partner@halton.example", browser_world.password)
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/halton/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
