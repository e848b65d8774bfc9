from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from ..conftest import World
from .conftest import assert_accessible, log_in, watch_console

pytestmark = pytest.mark.browser


def test_invitation_acceptance_and_first_sign_in(
    page: Page, browser: Browser, live_server, browser_world: World
) -> None:
    # The administrator invites a new address from the invitations page.
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", browser_world.password)
    page.locator("summary", has_text="Manage").click()
    page.get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations")
    assert_accessible(page)
    page.get_by_label("Email address").fill("nadia@agency.example")
    page.get_by_label("Role in the plan").select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nadia@agency.example.")).to_be_visible()
    expect(page.get_by_role("cell", name="nadia@agency.example", exact=True)).to_be_visible()
    assert_accessible(page)

    # The invitee opens the link from the email in a browser of their own.
    [message] = [m for m in mail.outbox if m.to == ["nadia@agency.example"]]
    link = re.search(r"http://testserver(/accounts/invitation/[\w-]+/)", message.body).group(1)
    invitee = watch_console(browser.new_context(base_url=live_server.url).new_page())
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    assert_accessible(invitee)
    invitee.get_by_label("Your name").fill("Nadia Okafor")
    invitee.get_by_label("Choose a password").fill("short")
    invitee.get_by_label("Repeat the password").fill("short")
    invitee.get_by_role("button", name="Create account and join").click()
    expect(invitee.get_by_text("This password is too short.")).to_be_visible()
    assert_accessible(invitee)

    invitee.get_by_label("Choose a password").fill("river-lantern-orchard-42")
    invitee.get_by_label("Repeat the password").fill("river-lantern-orchard-42")
    invitee.get_by_role("button", name="Create account and join").click()
    expect(invitee).to_have_url(re.compile(r"/halton/$"))
    expect(invitee.get_by_text("Welcome to Halton Region.")).to_be_visible()
    assert_accessible(invitee)

    # First sign-in with the new password, after signing out.
    invitee.locator("summary", has_text="Account menu for").click()
    invitee.get_by_role("button", name="Sign out").click()
    invitee.goto("/accounts/login/")
    log_in(invitee, "nadia@agency.example", "river-lantern-orchard-42")
    expect(invitee).to_have_url(re.compile(r"/halton/$"))

    # The link is spent.
    response = invitee.goto(link)
    assert response.status == 410
    expect(invitee.get_by_role("heading", level=1)).to_have_text(
        "This invitation has already been used"
    )
    assert_accessible(invitee)
    invitee.context.close()


def test_admin_pages_are_accessible(page: Page, browser_world: World) -> None:
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", browser_world.password)
    page.goto("/halton/manage/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    assert_accessible(page)
    page.goto("/halton/manage/security/")
    expect(page.get_by_role("heading", name="Account and access events")).to_be_visible()
    assert_accessible(page)
    assert page.goto("/accounts/2fa/").status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    assert_accessible(page)
    assert page.goto("/accounts/sessions/").status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    assert_accessible(page)
