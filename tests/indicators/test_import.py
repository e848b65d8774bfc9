"""Importing indicator files through the one pipeline, on Statistics Canada's real Open SDG
files (copied unedited into indicators/fixtures/, provenance in its README): row counts, the
headline, the `data.` prefix, empty values kept as "not published", a re-import that revises
one value, a bad row that imports nothing, and the progress statuses Statistics Canada
publishes in cif_metadata.csv."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from cswb.imports import (
    import_apply_run,
    import_check_run,
    import_confirm,
    import_files,
    import_handler,
    import_record_create,
    imports_expire,
)
from cswb.models import ImportRecord, ImportRow
from indicators.adapters.open_sdg import OpenSdgAdapter, meta_paths_for
from indicators.adapters.tidy import TidyAdapter
from indicators.models import (
    Geography,
    Indicator,
    Observation,
    ObservationRevision,
    ProgressStatus,
    Series,
)
from indicators.services import import_stage
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


# Large files: both passes stream the file into a staging table and work in SQL; the apply
# takes the rows the check staged (indicators.services.import_stage).

LOCAL = "indicator,indicator_name,geography,period,Sex,value,status\n"


def _tidy(tmp_path: Path, text: str, name: str = "local.csv") -> Path:
    path = tmp_path / name
    path.write_text(LOCAL + text)
    return path


def _check(path: Path, tenant=None) -> ImportRecord:
    with scope(tenant=tenant), path.open("rb") as f:
        record = import_record_create(
            tenant=tenant, kind="indicators", upload=f, file_name=path.name, created_by=None,
            file_format="tidy", check_in_background=False,
        )  # fmt: skip
        return import_check_run(record=record)


def _apply(record: ImportRecord) -> ImportRecord:
    with scope(tenant=record.tenant):
        import_confirm(record=record, actor=None, in_background=False)
        return import_apply_run(record=record)


def _rows(record: ImportRecord, action: str) -> list[tuple[int, str, str]]:
    with scopes_disabled():
        found = ImportRow.objects.filter(record=record, action=action).order_by("line")
        return [(r.line, r.summary, r.reason) for r in found]


def _staged_tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return [n for n in names if n.startswith(import_stage.PREFIX)]


def test_repeated_rows_are_rejected_with_their_line_and_the_first_ones(
    world: World, tmp_path
) -> None:
    path = _tidy(tmp_path, (
        "L.1,Local rate,Oakville,2024,Female,3,\n"      # line 2
        "L.1,Local rate,Oakville,2024,Male,4,\n"        # 3
        "L.1,Local rate,Oakville,2024,Female,5,\n"      # 4: line 2 again
        "L.1,Local rate,Oakville,2024-25,Female,6,\n"   # 5: a fiscal year, another period
        "L.1,Local rate,Oakville,2024,Female,,\n"       # 6: line 2 again
        "L.1,Local rate,Oakville,2024,Male,4,\n"        # 7: line 3 again
    ))  # fmt: skip
    record = _check(path, world.halton)
    assert (record.state, record.rejected_count, record.created_count) == ("rejected", 3, 3)
    same = "the same indicator, place, period and breakdown as line"
    assert [(line, reason) for line, _, reason in _rows(record, "reject")] == [
        (4, f"{same} 2"), (6, f"{same} 2"), (7, f"{same} 3"),
    ]  # fmt: skip
    assert _rows(record, "reject")[0][1] == "L.1 · Oakville · 2024 · Female: 5"
    assert [line for line, _, _ in _rows(record, "create")] == [2, 3, 5]
    assert _staged_tables() == []
    with scopes_disabled():
        assert not Indicator.objects.filter(code="L.1").exists()


def test_one_place_written_under_two_codes_is_one_place(world: World, tmp_path) -> None:
    """HR_UID 2236 is Halton's health unit before 2023, superseded by 3536: a file giving
    the same year under both gives it twice, and is told so before anything is written."""
    path = _tidy(tmp_path, (
        "L.2,Local count,hr_uid:2236,2019,,12,\n"
        "L.2,Local count,hr_uid:3536,2019,,13,\n"
        "L.2,Local count,hr_uid:3536,2020,,14,\n"
    ))  # fmt: skip
    record = _check(path, world.halton)
    assert record.state == "rejected"
    assert [(line, reason) for line, _, reason in _rows(record, "reject")] == [
        (3, "the same indicator, place, period and breakdown as line 2")
    ]


def test_a_reimport_updates_what_changed_records_what_it_was_and_adds_no_second_value(
    world: World, tmp_path
) -> None:
    first = _tidy(tmp_path, (
        "L.3,Local rate,Milton,2021,,1,\n"
        "L.3,Local rate,Milton,2022,,2,\n"
        "L.3,Local rate,Milton,2023,,3,preliminary\n"
    ))  # fmt: skip
    assert _apply(_check(first, world.halton)).state == "applied"
    again = _tidy(tmp_path, (
        "L.3,Local rate,Milton,2021,,1.000,\n"        # the same number: unchanged
        "L.3,Local rate,Milton,2022,,2.5,\n"          # revised
        "L.3,Local rate,Milton,2023,,,not_published\n"  # withdrawn: empty, never zero
        "L.3,Local rate,Milton,2024,,4,\n"            # new
    ), name="local-again.csv")  # fmt: skip
    record = _check(again, world.halton)
    assert (record.created_count, record.updated_count, record.unchanged_count) == (1, 2, 1)
    assert _rows(record, "update") == [
        (3, "L.3 · Milton · 2022: 2.5", "was 2"),
        (4, "L.3 · Milton · 2023: not published", "was 3"),
    ]
    record = _apply(record)
    assert (record.state, record.created_count, record.updated_count) == ("applied", 1, 2)
    with scope(tenant=world.halton):
        values = {
            o.period.label: (o.value, o.status, o.revision, o.batch_id)
            for o in Observation.objects.filter(indicator__code="L.3").select_related("period")
        }
        assert values == {
            "2021": (Decimal("1"), "", 0, values["2021"][3]),
            "2022": (Decimal("2.5"), "", 1, record.pk),
            "2023": (None, "not_published", 1, record.pk),
            "2024": (Decimal("4"), "", 0, record.pk),
        }
        assert values["2021"][3] != record.pk
        revisions = ObservationRevision.objects.filter(batch=record).order_by("previous_value")
        assert [(r.observation.period.label, r.previous_value, r.previous_status)
                for r in revisions] == [("2022", Decimal("2"), ""),
                                        ("2023", Decimal("3"), "preliminary")]  # fmt: skip
    assert _staged_tables() == []


def test_the_apply_takes_the_rows_the_check_staged(world: World, tmp_path, monkeypatch) -> None:
    path = _tidy(tmp_path, "L.4,Local rate,Milton,2021,,1,\nL.4,Local rate,Milton,2022,,2,\n")
    record = _check(path, world.halton)
    assert record.state == "checked" and len(_staged_tables()) == 2  # rows and references

    def unread(self):
        raise AssertionError("the rows are read again")

    monkeypatch.setattr(TidyAdapter, "rows", unread)
    record = _apply(record)
    assert (record.state, record.created_count) == ("applied", 2), record.error
    with scope(tenant=world.halton):
        assert Observation.objects.filter(indicator__code="L.4").count() == 2
    assert _staged_tables() == []


def test_an_unconfirmed_check_expires_and_lets_its_staged_rows_go(
    world: World, tmp_path, settings
) -> None:
    """A checked file nobody confirms within IMPORT_CONFIRM_DAYS expires: its staged rows and
    its stored file go, and it can no longer be applied."""
    path = _tidy(tmp_path, "L.9,Local rate,Milton,2021,,1,\n")
    record = _check(path, world.halton)
    stored = list(import_files(record).values())
    assert record.state == "checked" and len(_staged_tables()) == 2
    assert stored and all(p.exists() for p in stored)
    deadline = record.checked_at + timedelta(days=settings.IMPORT_CONFIRM_DAYS)
    assert imports_expire(now=deadline - timedelta(minutes=1)) == 0  # not yet
    assert len(_staged_tables()) == 2
    assert imports_expire(now=deadline + timedelta(minutes=1)) == 1
    record.refresh_from_db()
    assert record.state == "expired" and "Not confirmed within 7 days" in record.error
    assert _staged_tables() == [] and not any(p.exists() for p in stored)
    with scope(tenant=world.halton), pytest.raises(ValidationError):
        import_confirm(record=record, actor=None, in_background=False)
    assert imports_expire(now=deadline + timedelta(days=30)) == 0  # once
    with scopes_disabled():
        assert not Indicator.objects.filter(code="L.9").exists()


def test_without_the_staged_rows_the_apply_reads_the_file_again(world: World, tmp_path) -> None:
    path = _tidy(tmp_path, "L.5,Local rate,Milton,2021,,1,\nL.5,Local rate,Milton,2022,,2,\n")
    record = _check(path, world.halton)
    import_stage.Stage.discard(record.options["staged"])  # as a crash of the database would
    record = _apply(record)
    assert (record.state, record.created_count) == ("applied", 2), record.error
    with scope(tenant=world.halton):
        assert Observation.objects.filter(indicator__code="L.5").count() == 2


def test_a_place_added_between_check_and_apply_is_the_one_used(world: World, tmp_path) -> None:
    path = _tidy(tmp_path, "L.6,Local rate,Halton Hills,2021,,1,\n")
    record = _check(path, world.halton)
    with scope(tenant=world.halton):
        hills = Geography.objects.create(tenant=world.halton, name="Halton Hills")
    record = _apply(record)
    assert record.state == "applied", record.error
    with scope(tenant=world.halton):
        assert Observation.objects.get(indicator__code="L.6").geography == hills
        assert Geography.objects.filter(name="Halton Hills").count() == 1


def test_a_long_file_is_written_a_chunk_of_lines_at_a_time(
    world: World, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(import_stage, "WRITE_CHUNK", 4)
    lines = "".join(f"L.7,Local rate,Milton,{2001 + n},,{n},\n" for n in range(10))
    path = _tidy(tmp_path, lines + "\n\n" + lines.replace("Milton", "Acton"))
    record = _apply(_check(path, world.halton))
    assert (record.state, record.created_count) == ("applied", 20), record.error
    with scope(tenant=world.halton):
        values = Observation.objects.filter(indicator__code="L.7").values_list(
            "geography__name", "period__label", "value"
        )
        assert sorted(values) == sorted(
            (place, str(2001 + n), Decimal(n)) for place in ("Acton", "Milton") for n in range(10)
        )


def test_rows_past_the_listing_are_counted(world: World, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("cswb.imports.LIST_LIMIT", 2)
    monkeypatch.setattr("indicators.services.imports.LIST_LIMIT", 2)
    path = _tidy(tmp_path, "".join(f"L.8,Local rate,Milton,{2001 + n},,{n},\n" for n in range(7)))
    record = _check(path, world.halton)
    assert (record.rows_total, record.created_count) == (7, 7)
    assert [line for line, _, _ in _rows(record, "create")] == [2, 3]


def test_the_progress_bar_moves_while_the_values_are_written(
    world: World, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(import_stage, "WRITE_CHUNK", 500)
    path = _tidy(tmp_path, "".join(
        f"L.9,Local rate,Place {n // 20},{2001 + n % 20},,{n},\n" for n in range(2000)
    ))  # fmt: skip
    record = _check(path, world.halton)
    assert record.rows_total == 2000
    reported: list[int] = []
    with scope(tenant=world.halton), transaction.atomic():
        counts = import_handler("indicators").apply(record, reported.append)
    assert counts.created == 2000
    assert reported == [500, 1000, 1500, 2000]
