"""In Chromium, at a phone's width (390 px) and a desktop's (1280 px): recording a meeting's
attendance by organization with a guest, and editing an organization; axe-core on every page,
and no page wider than the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from partners.models import Organization
from tables.models import Guest, OrganizationAttendance
from tables.services.meetings import meeting_schedule

from ..builders import organization_build
from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]


def _fits(page: Page) -> None:
    """Accessible, and nothing wider than the window."""
    assert_accessible(page)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide in a {width[1]} px window"


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_records_attendance_by_organization_with_a_guest(
    page: Page, browser_world: World, width: int
) -> None:
    world = browser_world
    page.set_viewport_size({"width": width, "height": 900})
    start = timezone.now() - timedelta(hours=3)
    with scope(tenant=world.halton):
        meeting = meeting_schedule(
            table=world.table,
            actor=world.admin,
            title="June meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        later = meeting_schedule(
            table=world.table,
            actor=world.admin,
            title="July meeting",
            starts_at=start + timedelta(days=30),
            ends_at=start + timedelta(days=30, hours=2),
        )
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", world.password)

    # A meeting to come is refused before any form is shown.
    page.goto(f"/halton/tables/youth-mental-health/meetings/{later.pk}/record/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This meeting cannot be recorded yet")
    _fits(page)

    page.goto(f"/halton/tables/youth-mental-health/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Record attendance and minutes").click()
    _fits(page)
    page.get_by_role("group", name="Halton Police").get_by_label("Regrets").check()
    youth = page.locator(
        ".attendance-org", has=page.get_by_role("group", name="Halton Youth Services")
    )
    youth.get_by_label("Represented by").select_option(label=world.partner.display_name)
    page.get_by_label("Guest 1: name").fill("Dana Whitefeather")
    page.get_by_label("Guest 1: organization").fill("Halton Elders Circle")
    page.get_by_role("button", name="Save as held").click()
    expect(page.get_by_text("The meeting was recorded.")).to_have_count(1)
    expect(page.get_by_text("1 of 2 organizations represented.")).to_be_visible()
    expect(page.get_by_text("Dana Whitefeather")).to_be_visible()
    _fits(page)

    page.goto("/halton/tables/youth-mental-health/meetings/")
    expect(page.get_by_role("heading", name="Attendance by organization")).to_be_visible()
    _fits(page)
    with scope(tenant=world.halton):
        assert OrganizationAttendance.objects.filter(meeting=meeting).count() == 2
        assert Guest.objects.filter(meeting=meeting).count() == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_edits_an_organization_and_picks_member_organizations(
    page: Page, browser_world: World, width: int
) -> None:
    world = browser_world
    page.set_viewport_size({"width": width, "height": 900})
    for n in range(12):
        organization_build(world.halton, actor=world.admin, name=f"Agency {n:02d}")
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", world.password)

    page.goto(f"/halton/partners/{world.police_org.slug}/")
    page.get_by_role("link", name="Edit the organization").click()
    _fits(page)
    page.get_by_label("Name").fill("Halton Regional Police Service")
    page.get_by_label("Website").fill("hrps.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Halton Regional Police Service")
    expect(page.get_by_text("Halton Regional Police Service was saved.")).to_have_count(1)
    _fits(page)
    with scope(tenant=world.halton):
        assert Organization.objects.get(pk=world.police_org.pk).website == "https://hrps.example"

    # The new table's member organizations: a list of checkboxes with a filter box.
    page.goto("/halton/manage/tables/new/")
    page.get_by_label("Filter organizations by name").fill("agency 1")
    expect(page.get_by_label("Agency 10")).to_be_visible()
    expect(page.get_by_label("Agency 03")).to_be_hidden()
    page.get_by_label("Agency 10").check()
    page.get_by_label("Filter organizations by name").fill("")
    expect(page.get_by_label("Agency 03")).to_be_visible()
    _fits(page)
