"""Importing indicator files through the one pipeline, on Statistics Canada's real Open SDG
files (copied unedited into indicators/fixtures/, provenance in its README): row counts, the
headline, the `data.` prefix, empty values kept as "not published", a re-import that revises
one value, a bad row that imports nothing, and the progress statuses Statistics Canada
publishes in cif_metadata.csv."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope, scopes_disabled

from cswb.models import ImportRecord, ImportRow
from indicators.adapters.open_sdg import OpenSdgAdapter, meta_paths_for
from indicators.models import (
    Geography,
    Indicator,
    Observation,
    ObservationRevision,
    ProgressStatus,
    Series,
)
from indicators.services.progress import series_progress

from ..conftest import World

DATA = Path(__file__).parents[2] / "indicators/fixtures/indicators"
FILES = sorted(DATA.glob("cif_indicator_*.csv"))


def _data_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [r for r in list(csv.reader(f))[1:] if any(v.strip() for v in r)]


def _import(*paths: Path) -> None:
    call_command("import_indicators", *map(str, paths), "--yes", stdout=StringIO())


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_real_file_imports_every_row_once(world: World, path: Path) -> None:
    rows = _data_rows(path)
    _import(path)
    code = path.stem.removeprefix("cif_indicator_").replace("-", ".")
    with scopes_disabled():
        indicator = Indicator.objects.get(code=code, tenant__isnull=True)
        observations = Observation.objects.filter(indicator=indicator)
        assert observations.count() == len(rows)
        record = ImportRecord.objects.get(file_name=path.name)
        assert record.state == "applied" and record.created_count == len(rows)
        assert len(record.checksum) == 64
        # Empty cells are "not published", never zero.
        empty = sum(1 for r in rows if r[-1].strip() == "")
        assert observations.filter(value__isnull=True, status="not_published").count() == empty
        # The headline (every dimension and the geography blank) is Canada, default breakdown.
        headline = sum(1 for r in rows if not any(v.strip() for v in r[1:-1]))
        default = Series.objects.get(indicator=indicator, is_default=True)
        canada = Geography.objects.get(name="Canada", kind="country")
        assert observations.filter(series=default, geography=canada).count() == headline > 0
        # No `data.` translation-key prefix survives, in names or in breakdowns.
        assert not Geography.objects.filter(name__startswith="data.").exists()
        assert not any(
            k.startswith("data.") or v.startswith("data.")
            for s in Series.objects.filter(indicator=indicator)
            for k, v in s.dimensions.items()
        )


def test_metadata_gives_names_in_both_languages_units_sources_and_target(world: World) -> None:
    _import(DATA / "cif_indicator_3-13-1.csv", DATA / "cif_indicator_16-2-1.csv")
    with scopes_disabled():
        crime = Indicator.objects.get(code="16.2.1")
        assert crime.name_fr and crime.name_fr != crime.name_en
        ind = Indicator.objects.get(code="3.13.1")
        assert ind.name_en.startswith("Rate of apparent opioid toxicity deaths")
        assert (ind.unit_type, ind.multiplier, ind.direction) == ("rate", 100_000, "negative")
        assert ind.domain.slug == "health"
        assert ind.sources.get().organisation == "Public Health Agency of Canada"
        target = ind.targets.get()
        assert (target.value, target.target_year) == (Decimal(10), 2028)


def test_text_after_the_front_matter_is_tolerated(world: World) -> None:
    en, fr = meta_paths_for(DATA / "cif_indicator_5-2-1.csv")
    assert "only one data point" in en.read_text().split("---")[-1]
    meta = OpenSdgAdapter(DATA / "cif_indicator_5-2-1.csv", meta_en=en, meta_fr=fr).indicators()
    assert meta[0].progress["target"] == 11.495


def test_the_data_prefix_is_stripped_from_headers_and_values(world: World) -> None:
    raw = (DATA / "cif_indicator_16-2-1.csv").read_text()
    assert '"data.Geography"' in raw and '"data.Ontario"' in raw
    _import(DATA / "cif_indicator_16-2-1.csv")
    with scopes_disabled():
        ontario = Geography.objects.get(scheme="sgc", code="35")
        assert ontario.name == "Ontario"
        keys = set(Series.objects.filter(indicator__code="16.2.1").values_list("key", flat=True))
        assert "Violations=Total violent Criminal Code violations [100]" in keys


def test_a_reimport_with_one_revised_value_updates_that_row_only(world: World, tmp_path) -> None:
    source = DATA / "cif_indicator_3-13-1.csv"
    _import(source)
    revised = tmp_path / "cif_indicator_3-13-1.csv"
    lines = source.read_text().splitlines(keepends=True)
    assert lines[3] == '"2018",,,,11.5\n'
    lines[3] = '"2018",,,,11.6\n'
    revised.write_text("".join(lines))
    _import(revised)
    with scopes_disabled():
        assert Observation.objects.filter(indicator__code="3.13.1").count() == len(lines) - 1
        record = ImportRecord.objects.filter(file_name=revised.name).latest("pk")
        assert (record.created_count, record.updated_count) == (0, 1)
        assert record.unchanged_count == len(lines) - 2
        changed = Observation.objects.get(revision=1)
        assert changed.value == Decimal("11.6") and changed.period.label == "2018"
        revision = ObservationRevision.objects.get()
        assert revision.observation == changed and revision.previous_value == Decimal("11.5")


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(world: World, tmp_path) -> None:
    bad = tmp_path / "cif_indicator_3-13-1.csv"
    shutil.copy(DATA / "cif_meta_3-13-1.md", tmp_path / "cif_meta_3-13-1.md")
    lines = (DATA / "cif_indicator_3-13-1.csv").read_text().splitlines(keepends=True)
    lines[5] = '"2020",,,,about ten\n'
    lines[9] = '"20x4","Ontario","Total",35,1\n'
    bad.write_text("".join(lines))
    with pytest.raises(CommandError):
        _import(bad)
    with scopes_disabled():
        assert not Observation.objects.exists()
        assert not Indicator.objects.filter(code="3.13.1").exists()
        record = ImportRecord.objects.get(file_name=bad.name)
        assert record.state == "rejected" and record.rejected_count == 2
        rejects = list(ImportRow.objects.filter(record=record, action="reject").order_by("line"))
        assert [(r.line, r.reason) for r in rejects] == [
            (6, "“about ten” is not a number"),
            (10, "“20x4” is not a period the portal reads (2015, 2015-16, 2024-Q3, Jan-18)"),
        ]


def test_a_plan_cannot_change_the_shared_catalogue(world: World) -> None:
    _import(DATA / "cif_indicator_3-13-1.csv")
    with pytest.raises(CommandError):
        call_command(
            "import_indicators",
            str(DATA / "cif_indicator_3-13-1.csv"),
            "--tenant",
            "halton",
            "--yes",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    with scope(tenant=world.halton):
        assert not Indicator.objects.filter(tenant=world.halton).exists()


PUBLISHED = {
    row["indicator_number"]: row for row in csv.DictReader((DATA / "cif_metadata.csv").open())
}
LABELS = {
    "On track": "substantial_progress",
    "Progress made but acceleration needed": "moderate_progress",
    "Limited progress": "limited_progress",
    "Deterioration": "deterioration",
    "Target achieved": "target_achieved",
    "not_available": "not_available",
}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_progress_reproduces_the_status_statistics_canada_publishes(
    world: World, path: Path
) -> None:
    """cif_metadata.csv gives each indicator's status with the current year and value it was
    worked out from; the data files are a later snapshot (e.g. 1.1.1's 2023 value was revised
    from 10.2 to 10.4). So the headline series is taken from the file up to that year, with
    the published current value, and must give the published status."""
    _import(path)
    code = path.stem.removeprefix("cif_indicator_").replace("-", ".")
    published = PUBLISHED[code]
    with scopes_disabled():
        ind = Indicator.objects.get(code=code)
        stored = ProgressStatus.objects.get(indicator=ind, geography__isnull=True)
        headline = {
            o.period.start.year: float(o.value)
            for o in Observation.objects.filter(
                indicator=ind,
                series__is_default=True,
                geography__name="Canada",
                geography__kind="country",
                value__isnull=False,
            ).select_related("period")
        }
        target = ind.targets.first()
    assert stored.inputs["direction"] == ind.direction
    if published["current_year"] != "NA":
        year = int(published["current_year"])
        headline = {y: v for y, v in headline.items() if y <= year}
        headline[year] = float(published["current_value"])
    result = series_progress(
        headline,
        direction=ind.direction,
        base_year=target.base_year if target else None,
        target=float(target.value) if target else None,
        target_year=target.target_year if target else None,
        limit=float(ind.natural_limit) if ind.natural_limit is not None else None,
    )
    assert result.status == LABELS[published["progress_status"]]
    if code != "1.1.1":  # the one whose published value was revised since
        assert stored.status == LABELS[published["progress_status"]]
