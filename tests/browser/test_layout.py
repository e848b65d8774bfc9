"""Every main page, for each role that reaches it, fits a phone (390 px) and a desktop (1280 px):
no page is wider than the screen, axe-core finds nothing, tables that scroll sideways are
reachable by keyboard, and the plan's navigation folds into a menu button that works by
keyboard."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import Page, expect

from tables.services.meetings import meeting_record

from ..builders import action_build, measure_build, meeting_build
from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def busy_world(browser_world: World) -> World:
    world = browser_world
    action_build(
        world.table,
        actor=world.admin,
        title="Map the referral pathways between schools, clinics and the crisis line",
        owner_organization=world.youth_org,
        due_date=date(2030, 1, 1),
    )
    world.measure = measure_build(
        world.table,
        actor=world.admin,
        reporting_organization=world.youth_org,
        observations=[(date(2025, 1, 1), 46), (date(2025, 6, 1), 44)],
    )
    held = meeting_build(world.table, actor=world.admin, title="June meeting", hours=-48)
    with scope(tenant=world.halton):
        world.held = meeting_record(
            meeting=held,
            actor=world.admin,
            minutes={},
            attendance={world.coordinator.pk: "present"},
        )
    meeting_build(world.table, actor=world.admin, title="Next meeting", hours=72)
    return world


def _pages(world: World) -> dict[str, list[str]]:
    h, t = "halton", world.table.slug
    everyone = [
        reverse("tenant-home", args=[h]),
        reverse("tables:list", args=[h]),
        reverse("tables:detail", args=[h, t]),
        reverse("tables:actions", args=[h, t]),
        reverse("tables:meetings", args=[h, t]),
        reverse("tables:meeting", args=[h, t, world.held.pk]),
        reverse("tables:outcomes", args=[h, t]),
        reverse("tables:measure", args=[h, t, world.measure.pk]),
        reverse("tables:progress", args=[h, t]),
        reverse("my-work", args=[h]),
        reverse("partners:organizations", args=[h]),
        reverse("progress", args=[h]),
    ]
    return {
        "coordinator": [
            *everyone,
            reverse("tables:members", args=[h, t]),
            reverse("tables:edit", args=[h, t]),
        ],
        "partner": everyone,
        "leader": [
            reverse("progress", args=[h]),
            reverse("tables:representation", args=[h]),
            reverse("tables:detail", args=[h, world.ipv.slug]),
        ],
        "admin": [
            reverse("manage:members", args=[h]),
            reverse("partners:invitations", args=[h]),
            reverse("manage:security", args=[h]),
            reverse("manage:focus-areas", args=[h]),
            reverse("manage:digests", args=[h]),
            reverse("partners:organization", args=[h, world.youth_org.slug]),
            reverse("usersessions_list"),
        ],
    }


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("role", ["coordinator", "partner", "leader", "admin"])
def test_every_page_fits_a_phone_and_a_desktop(page: Page, busy_world: World, role: str) -> None:
    page.goto("/accounts/login/")
    log_in(page, f"{role}@halton.example", busy_world.password)
    too_wide = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for url in _pages(busy_world)[role]:
            response = page.goto(url)
            assert response.status == 200, url
            if (extra := _overflow(page)) > 0:
                too_wide.append(f"{url} at {viewport['width']} px: {extra} px too wide")
            assert_accessible(page)
            # A table that scrolls sideways is a named region that takes focus.
            for region in page.locator(".table-wrap[data-scrolls]").all():
                assert region.get_attribute("tabindex") == "0", url
                assert region.get_attribute("role") == "region", url
                named = region.get_attribute("aria-label") or region.get_attribute(
                    "aria-labelledby"
                )
                assert named, url
    assert too_wide == []


def test_the_navigation_is_a_menu_button_on_a_phone(page: Page, busy_world: World) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", busy_world.password)
    nav = page.get_by_role("navigation", name="Plan")
    tables = nav.get_by_role("link", name="Tables", exact=True)
    expect(tables).to_be_hidden()  # folded away
    menu = nav.locator("summary", has_text="Menu")
    menu.focus()
    page.keyboard.press("Enter")  # a <details>: opens by keyboard, no script needed
    expect(tables).to_be_visible()
    # The administration pages open in place, inside the menu.
    manage = nav.locator("summary", has_text="Manage")
    manage.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Security")).to_be_visible()
    assert _overflow(page) <= 0
    assert_accessible(page)
    nav.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(tables).to_be_hidden()  # a new page starts folded


def test_the_navigation_is_one_line_on_a_desktop(page: Page, busy_world: World) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", busy_world.password)
    nav = page.get_by_role("navigation", name="Plan")
    expect(nav.locator("summary", has_text="Menu")).to_be_hidden()
    links = [nav.get_by_role("link", name=n, exact=True) for n in ("Home", "Tables", "Progress")]
    tops = {round(link.bounding_box()["y"]) for link in links}
    assert len(tops) == 1  # one row, not wrapped
    manage = nav.locator("summary", has_text="Manage")
    assert (
        round(manage.bounding_box()["y"]) in tops
        or abs(manage.bounding_box()["y"] - min(tops)) < 12
    )


def test_the_navigation_works_without_javascript(browser, live_server, busy_world: World) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    log_in(page, "partner@halton.example", busy_world.password)
    nav = page.get_by_role("navigation", name="Plan")
    nav.locator("summary", has_text="Menu").click()
    nav.get_by_role("link", name="My work", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    context.close()


def test_a_table_that_scrolls_sideways_is_reachable_by_keyboard(
    page: Page, busy_world: World
) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", busy_world.password)
    page.goto(reverse("progress", args=["halton"]))
    region = page.locator(".table-wrap").first
    expect(region).to_have_attribute("data-scrolls", "")
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # The browser may scroll smoothly: wait up to two seconds for the region to move.
    for _ in range(40):
        if region.evaluate("el => el.scrollLeft") > 0:
            break
        page.wait_for_timeout(50)
    assert region.evaluate("el => el.scrollLeft") > 0
    # Wide again, it no longer scrolls, and is no longer a stop for the Tab key.
    page.set_viewport_size(DESKTOP)
    expect(region).not_to_have_attribute("data-scrolls", "")
    expect(region).not_to_have_attribute("tabindex", "0")
