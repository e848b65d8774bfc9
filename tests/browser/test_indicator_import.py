"""An administrator imports one of Statistics Canada's CIF files in the browser: upload, the
preview, confirmation; and a long import's progress bar, which the page polls until the run
ends (axe-clean at every step)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django_scopes import scope
from playwright.sync_api import Page, expect

from cswb.models import ImportRecord

from ..conftest import World
from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

DATA = Path(__file__).parents[2] / "indicators/fixtures/indicators"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def test_admin_uploads_previews_and_imports_a_cif_file(page: Page, browser_world: World) -> None:
    page.goto("/halton/manage/indicators/imports/")
    log_in(page, "admin@halton.example", browser_world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import indicator data")
    assert_accessible(page)
    page.get_by_label("Data file").set_input_files(str(DATA / "cif_indicator_5-2-1.csv"))
    page.get_by_label("Metadata (English), optional").set_input_files(
        str(DATA / "cif_meta_5-2-1.md")
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of cif_indicator_5-2-1.csv")
    expect(page.get_by_text(re.compile(r"838 rows: 838 new, 0 updated"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Import: 838 new")).click()
    expect(page.get_by_text("Imported.", exact=True)).to_be_visible()
    assert_accessible(page)


def test_the_progress_bar_follows_a_running_import_until_it_ends(
    page: Page, browser_world: World
) -> None:
    with scope(tenant=browser_world.halton):
        record = ImportRecord.objects.create(
            tenant=browser_world.halton, kind="indicators", file_name="provinces.csv",
            checksum="0" * 64, state="applying", rows_total=50_000, created_count=50_000,
        )  # fmt: skip
    cache.set(f"import-progress:{record.pk}", 20_000)
    page.goto(f"/halton/manage/imports/{record.pk}/")
    log_in(page, "admin@halton.example", browser_world.password)
    bar = page.get_by_role("progressbar", name="Progress")
    expect(bar).to_be_visible()
    expect(page.locator("#import-progress").get_by_role("status")).to_contain_text(
        "20000 of 50000 rows"
    )
    assert_accessible(page)
    cache.set(f"import-progress:{record.pk}", 35_000)
    expect(page.locator("#import-progress").get_by_role("status")).to_contain_text(
        "35000 of 50000 rows"
    )
    with scope(tenant=browser_world.halton):
        ImportRecord.objects.filter(pk=record.pk).update(state="applied", rows_done=50_000)
    expect(page.get_by_text("Imported.", exact=True)).to_be_visible()
    expect(bar).to_be_hidden()
    assert_accessible(page)
