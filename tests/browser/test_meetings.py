from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from tables.services.meetings import agenda_item_add, meeting_schedule

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_coordinator_records_a_meeting_and_turns_a_decision_into_an_action(
    page: Page, browser_world: World
) -> None:
    start = timezone.now() - timedelta(hours=3)
    with scope(tenant=browser_world.halton):
        meeting = meeting_schedule(
            table=browser_world.table,
            actor=browser_world.admin,
            title="June meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        agenda_item_add(meeting=meeting, actor=browser_world.admin, title="Partner updates")
    page.goto("/accounts/login/")
    log_in(page, "coordinator@halton.example", browser_world.password)
    page.goto("/halton/tables/youth-mental-health/")
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    assert_accessible(page)
    page.get_by_role("link", name="June meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("June meeting")
    assert_accessible(page)

    page.get_by_role("link", name="Record attendance and minutes").click()
    assert_accessible(page)
    page.get_by_role("group", name=browser_world.coordinator.display_name).get_by_label(
        "Present"
    ).check()
    page.get_by_label("Minutes: Partner updates").fill("Schools and clinics shared wait times.")
    page.get_by_role("button", name="Save as held").click()
    expect(page.get_by_text("The meeting was recorded.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Held")
    expect(page.get_by_text("Schools and clinics shared wait times.")).to_be_visible()

    page.get_by_role("textbox", name="Decision").fill("Pilot a shared intake form in two schools.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    # One step that asks who owns it and by when.
    page.get_by_role("link", name=re.compile(r"^Make it an action")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the decision an action")
    assert_accessible(page)
    page.get_by_label("Owner organization").select_option(label="Halton Youth Services")
    page.get_by_role("button", name="Make it an action").click()
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pilot a shared intake form in two schools."
    )
    assert_accessible(page)
