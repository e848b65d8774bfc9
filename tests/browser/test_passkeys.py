"""A security key (WebAuthn) added and used to sign in, with Chromium's virtual authenticator
standing in for the hardware: the browser, allauth's scripts and the CSP are all real."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_add_a_security_key_and_sign_in_with_it(page: Page, browser_world: World) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", browser_world.password)
    page.goto("/accounts/2fa/webauthn/add/")
    # Adding a key asks for the password again first.
    page.get_by_label("Password").fill(browser_world.password)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Security Key")
    assert_accessible(page)
    page.get_by_label("Name").fill("Office key")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert Authenticator.objects.filter(
        user=browser_world.coordinator, type=Authenticator.Type.WEBAUTHN
    ).exists()

    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", browser_world.password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert_accessible(page)
    page.get_by_role("button", name="Use a security key").click()
    expect(page).to_have_url(re.compile(r"/halton/$"))
    assert page.csp_violations == []
