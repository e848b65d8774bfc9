"""Importing in the browser (administrators): upload, the check runs in the background (the
page polls its progress), the preview lists every rejected row with its line and reason,
and a confirmed import is applied in the background too."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from cswb.models import ImportRecord
from indicators.models import Indicator, Observation, ProgressStatus

from ..conftest import World

DATA = Path(__file__).parents[2] / "indicators/fixtures/indicators"
UPLOAD = "/halton/manage/indicators/imports/"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def _file(path: Path, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes() if content is None else content)


def test_an_admin_uploads_a_cif_file_sees_the_preview_confirms_and_it_is_imported(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    data = DATA / "cif_indicator_5-2-1.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            UPLOAD,
            {"file": _file(data), "meta_en": _file(DATA / "cif_meta_5-2-1.md"),
             "meta_fr": _file(DATA / "fr/cif_meta_5-2-1.md")},
        )  # fmt: skip
    with scope(tenant=world.halton):
        record = ImportRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "manage:import", kwargs={"tenant_slug": "halton", "pk": record.pk}
    )
    rows = sum(1 for line in data.read_text().splitlines()[1:] if line.strip())
    assert (record.state, record.created_count, record.rejected_count) == ("checked", rows, 0)
    page = admin.get(response["Location"]).content.decode()
    assert f"{rows} rows: {rows} new, 0 updated, 0 unchanged, 0 rejected." in page
    assert "cif_indicator_5-2-1.csv" in page and "Import: " in page
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(reverse("manage:import-confirm", kwargs={"tenant_slug": "halton",
                                                                   "pk": record.pk}))  # fmt: skip
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.state == "applied" and record.applied_by == world.admin
    with scope(tenant=world.halton):
        ind = Indicator.objects.get(code="5.2.1")
        assert ind.tenant == world.halton and ind.name_fr
        assert Observation.objects.filter(indicator=ind).count() == rows
        status = ProgressStatus.objects.get(indicator=ind, geography__isnull=True)
        assert status.status == "not_available"  # one year only, as Statistics Canada says
    with scope(tenant=world.lakeshore):
        assert not Indicator.objects.filter(code="5.2.1").exists()
    again = admin.get(response["Location"]).content.decode()
    assert "Imported." in again


def test_a_rejected_row_is_shown_with_its_line_and_reason_and_cannot_be_confirmed(
    world: World, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("admin")
    bad = b"indicator,indicator_name,geography,period,value\nL.1,Local,Oakville,2024,3\n" \
          b"L.1,Local,Oakville,sometime,4\n"  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(UPLOAD, {"file": SimpleUploadedFile("local.csv", bad)})
    page = admin.get(response["Location"]).content.decode()
    assert "Rejected rows" in page and "<td>3</td>" in page
    assert "“sometime” is not a period the portal reads" in page.replace("&quot;", '"')
    assert "Nothing will be imported until every row passes." in page
    with scope(tenant=world.halton):
        record = ImportRecord.objects.get()
    confirm = reverse("manage:import-confirm", kwargs={"tenant_slug": "halton", "pk": record.pk})
    admin.post(confirm)
    record.refresh_from_db()
    assert record.state == "rejected"
    with scopes_disabled():
        assert not Observation.objects.exists()


def test_the_progress_bar_shows_rows_done_while_a_pass_runs(world: World, client_for) -> None:
    with scope(tenant=world.halton):
        record = ImportRecord.objects.create(
            tenant=world.halton, kind="indicators", file_name="big.csv", checksum="0" * 64,
            state="applying", rows_total=50_000, rows_done=0,
        )  # fmt: skip
    cache.set(f"import-progress:{record.pk}", 12_500)
    admin = client_for("admin")
    url = reverse("manage:import-progress", kwargs={"tenant_slug": "halton", "pk": record.pk})
    part = admin.get(url).content.decode()
    assert '<progress id="import-bar-' in part and 'max="50000" value="12500"' in part
    assert "12500 of 50000 rows" in part and 'hx-trigger="every 1s"' in part
    with scope(tenant=world.halton):
        ImportRecord.objects.filter(pk=record.pk).update(state="applied")
    finished = admin.get(url, headers={"HX-Request": "true"})
    assert finished.headers.get("HX-Refresh") == "true"


def test_a_file_larger_than_the_limit_is_refused_with_a_field_error(
    world: World, client_for, settings
) -> None:
    settings.IMPORT_MAX_BYTES = 100
    response = client_for("admin").post(
        UPLOAD, {"file": SimpleUploadedFile("big.csv", b"indicator,geography\n" * 20)}
    )
    assert response.status_code == 400 and b"larger than" in response.content
    with scopes_disabled():
        assert not ImportRecord.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_import_page_reads_in_a_fixed_number_of_queries(
    world: World, client_for, django_assert_max_num_queries, rows
) -> None:
    from cswb.models import ImportRow

    with scope(tenant=world.halton):
        record = ImportRecord.objects.create(
            tenant=world.halton, kind="indicators", file_name="x.csv", checksum="0" * 64,
            state="rejected", rows_total=rows, rejected_count=rows, created_by=world.admin,
        )  # fmt: skip
        ImportRow.objects.bulk_create(
            ImportRow(tenant=world.halton, record=record, line=n + 2, action="reject",
                      reason="not a number")
            for n in range(rows)
        )  # fmt: skip
    admin = client_for("admin")
    url = reverse("manage:import", kwargs={"tenant_slug": "halton", "pk": record.pk})
    with django_assert_max_num_queries(17):
        assert admin.get(url).status_code == 200
    with django_assert_max_num_queries(17):
        assert admin.get(UPLOAD).status_code == 200


def test_the_imports_page_lists_the_shared_catalogues_files_too(world: World, client_for) -> None:
    """The demo (and the site's staff) import the public files into the shared catalogue,
    which belongs to no plan: the page lists them apart, never as "nothing imported"."""
    with scopes_disabled():
        for n, state in enumerate(("applied", "applied", "rejected")):
            ImportRecord.objects.create(
                kind="indicators", file_name=f"cif_indicator_{n}.csv", checksum="0" * 64,
                state=state, rows_total=100 + n, created_count=100 + n,
            )  # fmt: skip
        ImportRecord.objects.create(
            tenant=world.lakeshore, kind="indicators", file_name="lakeshore-own.csv",
            checksum="1" * 64, state="applied",
        )  # fmt: skip
    page = client_for("admin").get(UPLOAD).content.decode()
    mine = page[page.index('id="imports-heading"') : page.index('id="catalogue-heading"')]
    assert "No indicator file has been imported into this plan yet." in mine
    assert "The dashboard reads the shared catalogue below." in mine
    shared = page[page.index('id="catalogue-heading"') :]
    assert "cif_indicator_0.csv" in shared and "cif_indicator_1.csv" in shared
    assert "101: 101 new, 0 updated" in shared
    assert "cif_indicator_2.csv" not in shared  # not applied: nothing of it is read
    assert "lakeshore-own.csv" not in page


@pytest.mark.parametrize("imports", [2, 25])
def test_the_imports_page_reads_its_lists_in_a_fixed_number_of_queries(
    world: World, client_for, django_assert_max_num_queries, imports: int
) -> None:
    """The plan's own imports and the shared catalogue's, each growing: the same queries."""
    with scopes_disabled():
        for n in range(imports):
            ImportRecord.objects.create(
                kind="indicators", file_name=f"shared-{n}.csv", checksum="0" * 64,
                state="applied", rows_total=10, created_count=10,
            )  # fmt: skip
            ImportRecord.objects.create(
                tenant=world.halton, kind="indicators", file_name=f"own-{n}.csv",
                checksum="1" * 64, state="applied", rows_total=5, created_count=5,
                created_by=world.admin,
            )  # fmt: skip
    admin = client_for("admin")
    admin.get(reverse("indicators:dashboard", args=["halton"]))  # the session's first request
    with django_assert_max_num_queries(17):
        page = admin.get(UPLOAD).content.decode()
    newest = imports - 1  # the lists show the newest first
    assert f"shared-{newest}.csv" in page and f"own-{newest}.csv" in page
