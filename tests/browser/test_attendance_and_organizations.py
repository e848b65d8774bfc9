"""In Chromium, at a phone's width (390 px) and a desktop's (1280 px): recording a meeting's
attendance by organization with a guest, editing an organization, and importing the real 211
file of organizations (upload, columns, preview, confirm) with the progress bar of a long
import; axe-core on every page, and no page wider than the screen."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from cswb.models import ImportRecord
from partners.models import Organization
from tables.models import Guest, OrganizationAttendance
from tables.services.meetings import meeting_schedule

from ..builders import organization_build
from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]
SHELTERS = Path(__file__).parents[1] / "fixtures/toronto_211_homeless_shelters_supplement_2018.csv"


@pytest.fixture
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


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


@pytest.mark.usefixtures("_import_dir")
@pytest.mark.parametrize("width", WIDTHS)
def test_admin_imports_the_211_file_through_preview_and_confirmation(
    page: Page, browser_world: World, width: int
) -> None:
    world = browser_world
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    log_in(page, "admin@halton.example", world.password)
    page.goto("/halton/partners/")
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import organizations from a CSV file"
    )
    _fits(page)
    page.get_by_label("CSV file").set_input_files(str(SHELTERS))
    page.get_by_role("button", name="Read the file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Columns of {SHELTERS.name}")
    expect(page.get_by_label("Name")).to_have_value("1")  # the NAME column, guessed
    page.get_by_label("Sector for rows without one").select_option(label="Housing")
    _fits(page)
    page.get_by_role("button", name="Check every row").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import of {SHELTERS.name}")
    expect(page.get_by_text("24 rows: 24 new, 0 updated, 0 unchanged, 0 rejected.")).to_be_visible()
    expect(
        page.get_by_role("cell", name=re.compile("^Cornerstone Place · Housing"))
    ).to_be_visible()
    _fits(page)
    page.get_by_role("button", name="Import: 24 new, 0 updated").click()
    expect(page.get_by_text("Imported.", exact=True)).to_be_visible()
    _fits(page)
    page.get_by_role("link", name="See the organizations").click()
    expect(page.get_by_role("link", name="Cornerstone Place")).to_be_visible()
    with scope(tenant=world.halton):
        assert Organization.objects.filter(sector="housing").count() == 24

    # The import page lists it, to come back to.
    page.goto("/halton/manage/organizations/import/")
    expect(page.get_by_role("link", name=SHELTERS.name)).to_be_visible()
    _fits(page)


def test_a_long_organizations_import_shows_its_progress_until_it_ends(
    page: Page, browser_world: World
) -> None:
    world = browser_world
    with scope(tenant=world.halton):
        record = ImportRecord.objects.create(
            tenant=world.halton, kind="organizations", file_name="regional_211.csv",
            checksum="0" * 64, state="applying", rows_total=50_000, created_count=50_000,
            options={"mapping": {"name": "0"}, "digest_contacts": {"count": 0, "listed": []}},
        )  # fmt: skip
    cache.set(f"import-progress:{record.pk}", 20_000)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"/halton/manage/imports/{record.pk}/")
    log_in(page, "admin@halton.example", world.password)
    status = page.locator("#import-progress").get_by_role("status")
    expect(page.get_by_role("progressbar", name="Progress")).to_be_visible()
    expect(status).to_contain_text("20000 of 50000 rows")
    _fits(page)
    cache.set(f"import-progress:{record.pk}", 45_000)
    expect(status).to_contain_text("45000 of 50000 rows")
    with scope(tenant=world.halton):
        ImportRecord.objects.filter(pk=record.pk).update(state="applied", rows_done=50_000)
    expect(page.get_by_text("Imported.", exact=True)).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress")).to_be_hidden()
    _fits(page)
