"""The exploit path of planted htmx, in a real browser: a partner writes markup with `hx-*`
attributes into an action's title; when an administrator previews a digest that lists the
action, the markup must show as text and never act with the administrator's rights (here:
make the partner a tenant admin through the member-role form)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import Page, Request, expect

from cswb.models import TenantMembership, TenantRole
from tables.services.actions import action_create, action_update

from ..conftest import World
from .conftest import log_in

pytestmark = pytest.mark.browser


def _partners_role(world: World) -> str:
    with scope(tenant=world.halton):
        return TenantMembership.objects.get(user=world.partner).role


def test_planted_htmx_in_a_digest_preview_stays_text(page: Page, browser_world: World) -> None:
    world = browser_world
    with scope(tenant=world.halton):
        membership = TenantMembership.objects.get(user=world.partner)
    role_url = reverse("manage:member-role", args=[world.halton.slug, membership.pk])
    planted = (
        f'<div hx-post="{role_url}" hx-vals=\'{{"role":"admin"}}\' hx-trigger="load">'
        "Q3 pantry report</div>"
    )
    # The partner logs the action for their organization and completes it: it is in the
    # digests of everyone who follows the table, the administrator's included.
    with scope(tenant=world.halton):
        action = action_create(
            table=world.table,
            title=planted,
            actor=world.partner,
            owner_organization=world.youth_org,
        )
        action_update(action=action, actor=world.partner, status="in_progress")
        action_update(action=action, actor=world.partner, status="done")
    assert _partners_role(world) == TenantRole.MEMBER

    page.goto(reverse("digest-preview", args=[world.halton.slug]))
    log_in(page, world.admin.email, world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Digest preview")
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))

    manage_preview = reverse("manage:digest-preview", args=[world.halton.slug])
    for url in [
        reverse("digest-preview", args=[world.halton.slug]),  # the admin's own digest
        f"{manage_preview}?email={world.partner.email}",
        f"{manage_preview}?email={world.admin.email}",
    ]:
        requests.clear()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # By keyboard: a mouse click right after scrolling can land in the email's frame.
        page.locator("summary", has_text="Plain-text version").press("Enter")
        expect(page.locator("details", has=page.locator("pre.email-text"))).to_have_attribute(
            "open", ""
        )
        page.wait_for_timeout(1000)
        page.wait_for_load_state("networkidle")

        acted = [f"{r.method} {r.url}" for r in requests if r.method != "GET" or role_url in r.url]
        assert acted == [], f"on {url} the planted markup sent {acted}"
        assert _partners_role(world) == TenantRole.MEMBER, f"{url} made the partner an admin"
        # The title is on the page as the partner wrote it: text, not an element.
        text = page.locator("pre.email-text")
        expect(text).to_be_visible()
        assert f'<div hx-post="{role_url}"' in text.text_content(), url
        expect(text).to_contain_text(f'hx-post="{role_url}"')
        assert page.locator(f'[hx-post="{role_url}"]').count() == 0, url
