"""The other formats on their real files: Ontario's opioid deaths by health unit (JSON), the
Toronto shelter system flow (CRLF, a quoted header with a comma, "31.8%"), and the portal's own
tidy template (its downloadable example imports as it is), and the Crime Severity Index
comparison of Canada, Ontario and Waterloo Region."""

from __future__ import annotations

import csv
import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope, scopes_disabled

from cswb.models import ImportRecord, ImportRow
from indicators.models import (
    Geography,
    Indicator,
    Observation,
    ObservationRevision,
    ProgressStatus,
    Series,
)
from indicators.services.imports import format_guess

from ..conftest import World

FIXTURES = Path(__file__).parents[2] / "indicators/fixtures"
ODPRN = FIXTURES / "indicators/ontario_odprn_opioid_deaths_by_phu.json"
EXAMPLE = (Path(__file__).parents[2] / "static/indicators/indicator-template.csv").read_text()
FLOW = FIXTURES / "homelessness/toronto_shelter_system_flow_2018-01_to_2025-05.csv"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def _import(*args: str) -> None:
    call_command("import_indicators", *args, "--yes", stdout=StringIO(), stderr=StringIO())


def test_ontario_opioid_deaths_by_health_unit(world: World) -> None:
    units = {
        k: v for k, v in json.loads(ODPRN.read_text())["toxicity_phu_data"].items()
        if isinstance(v, dict)
    }  # fmt: skip
    _import(str(ODPRN))
    with scopes_disabled():
        obs = Observation.objects.filter(indicator__code="ON.OPIOID.DEATHS")
        assert obs.count() == sum(len(u["x"]) for u in units.values())
        halton = Geography.objects.get(scheme="hr_uid", code="3536")
        assert halton.name == "Halton Region Public Health" and halton.kind == "health_unit"
        series = [
            (o.period.label, o.value, o.status)
            for o in obs.filter(geography=halton).select_related("period").order_by("period")
        ]
        assert series == [
            (str(y), Decimal(v), "partial" if y == 2024 else "")
            for y, v in zip(units["Halton Region Public Health"]["x"],
                            units["Halton Region Public Health"]["y"], strict=True)
        ]  # fmt: skip
        partial = obs.get(geography=halton, period__label="2024")
        assert partial.complete_through == datetime.date(2024, 9, 30)
        assert partial.footnote == "Complete through September 2024"
        ontario = Geography.objects.get(scheme="sgc", code="35")
        assert obs.get(geography=ontario, period__label="2018").value == Decimal(
            units["All"]["y"][0]
        )
        assert Indicator.objects.get(code="ON.OPIOID.DEATHS").aggregation == "sum"


def test_toronto_flow_reads_crlf_quoted_headers_and_percent_strings(world: World) -> None:
    raw = FLOW.read_bytes()
    assert b"\r\n" in raw and b'"gender_transgender,non-binary_or_two_spirit"' in raw
    with FLOW.open(newline="") as f:
        records = list(csv.DictReader(f))
    _import(str(FLOW))
    with scopes_disabled():
        assert Observation.objects.filter(indicator__code__startswith="TO.SHELTER.").count() == (
            4 * len(records)
        )
        share = Observation.objects.get(
            indicator__code="TO.SHELTER.SHARE", period__label="Jan-18",
            series__key="Population group=Chronic",
        )  # fmt: skip
        assert share.value == Decimal("31.8")
        groups = {
            r["population_group"]: min(
                datetime.datetime.strptime(x["date(mmm-yy)"], "%b-%y")
                for x in records if x["population_group"] == r["population_group"]
            )
            for r in records
        }  # fmt: skip
        assert groups["Indigenous"] > groups["All Population"]  # groups start at different months
        indigenous = Series.objects.get(
            indicator__code="TO.SHELTER.ACTIVE", key="Population group=Indigenous"
        )
        first = Observation.objects.filter(series=indigenous).order_by("period__start").first()
        assert first.period.start == groups["Indigenous"].date()
        default = Series.objects.get(indicator__code="TO.SHELTER.ACTIVE", is_default=True)
        assert default.key == "Population group=All Population"


def test_toronto_revises_past_months_by_updating_them(world: World, tmp_path) -> None:
    _import(str(FLOW))
    lines = FLOW.read_bytes().split(b"\r\n")
    assert lines[1].startswith(b"1,Jan-18,All Population,") and b",7958," in lines[1]
    lines[1] = lines[1].replace(b",7958,", b",7960,")
    revised = tmp_path / FLOW.name
    revised.write_bytes(b"\r\n".join(lines))
    _import(str(revised))
    with scopes_disabled():
        record = ImportRecord.objects.filter(file_name=FLOW.name).latest("pk")
        assert (record.created_count, record.updated_count) == (0, 1)
        changed = ObservationRevision.objects.get().observation
        assert changed.value == Decimal(7960) and changed.period.label == "Jan-18"


def test_the_tidy_example_imports_for_a_plan_and_a_bad_row_is_named(world: World, tmp_path) -> None:
    example = tmp_path / "example.csv"
    example.write_text(EXAMPLE)
    _import(str(example), "--tenant", "halton")
    with scope(tenant=world.halton):
        ind = Indicator.objects.get(code="HR.ED.MH")
        assert ind.tenant == world.halton and ind.unit_type == "rate"
        obs = Observation.objects.filter(indicator=ind)
        assert obs.count() == 4
        suppressed = obs.get(status="suppressed")
        assert suppressed.value is None and suppressed.footnote == "Fewer than 5 visits in a cell"
    with scope(tenant=world.lakeshore):
        assert not Indicator.objects.filter(code="HR.ED.MH").exists()

    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE.replace(",655.0,,", ",655.0,invented,", 1))
    with pytest.raises(CommandError):
        _import(str(bad), "--tenant", "halton")
    with scopes_disabled():
        record = ImportRecord.objects.get(file_name="bad.csv")
        row = ImportRow.objects.get(record=record, action="reject")
        assert row.line == 3 and row.reason.startswith("“invented” is not a status")
        assert Observation.objects.filter(indicator__code="HR.ED.MH").count() == 4


CSI = FIXTURES / "indicators/waterloo_csi_comparison_1998-2025.csv"


def test_the_crime_severity_comparison_makes_two_indicators_for_three_places(
    world: World,
) -> None:
    with CSI.open(newline="") as f:
        records = list(csv.DictReader(f))
    assert len(records) == 84 and {r["region"] for r in records} == {
        "Canada", "Ontario", "Waterloo Region",
    }  # fmt: skip
    assert format_guess(CSI.name) == "csi_comparison"
    assert format_guess("csi_comparison.csv") == "csi_comparison"  # as its source names it
    _import(str(CSI))
    with scopes_disabled():
        record = ImportRecord.objects.get(file_name=CSI.name)
        assert (record.state, record.file_format) == ("applied", "csi_comparison")
        assert (record.created_count, record.rejected_count) == (2 * len(records), 0)
        csi, violent = Indicator.objects.get(code="CSI"), Indicator.objects.get(code="CSI.VIOLENT")
        for indicator in (csi, violent):
            assert (indicator.unit_type, indicator.direction) == ("index", "negative")
            assert indicator.domain.slug == "safety" and indicator.multiplier == 1
            assert [s.table_id for s in indicator.sources.all()][:2] == [
                "35-10-0026-01", "35-10-0188-01",
            ]  # fmt: skip
            obs = Observation.objects.filter(indicator=indicator)
            assert obs.count() == len(records)
            assert {o.series.key for o in obs.select_related("series")} == {""}  # the headline
        places = {
            g.name: (g.scheme, g.code, g.kind)
            for g in Geography.objects.filter(
                pk__in=Observation.objects.filter(indicator=csi).values("geography")
            )
        }
        assert places == {
            "Canada": ("none", "", "country"),
            "Ontario": ("sgc", "35", "province"),
            "Waterloo Region": ("sgc", "3530", "municipality"),
        }
        values = {
            (o.geography.name, o.period.label): (o.value, o.status)
            for o in Observation.objects.filter(indicator=violent).select_related(
                "geography", "period"
            )
        }
        for r in records:
            assert values[(r["region"], r["year"])] == (Decimal(r["csi_violent"]), "")
        waterloo = Observation.objects.get(
            indicator=csi, geography__name="Waterloo Region", period__label="2025"
        )
        assert waterloo.value == Decimal("66.82")
        # The status is worked out on import, for each place and as the headline (Canada).
        statuses = ProgressStatus.objects.filter(indicator=csi)
        assert statuses.count() == 4 and statuses.get(geography=None).inputs["base_year"] == 2015


def test_the_crime_severity_comparison_updates_a_revised_index(world: World, tmp_path) -> None:
    _import(str(CSI))
    text = CSI.read_text()
    line = next(x for x in text.splitlines() if x.startswith("2024,Waterloo Region,"))
    revised = tmp_path / CSI.name
    revised.write_text(text.replace(line, line.replace(",73.13,", ",73.5,")))
    _import(str(revised))
    with scopes_disabled():
        record = ImportRecord.objects.filter(file_name=CSI.name).latest("pk")
        assert (record.created_count, record.updated_count) == (0, 1)
        assert record.unchanged_count == 2 * 84 - 1
        changed = ObservationRevision.objects.get().observation
        assert (changed.indicator.code, changed.period.label) == ("CSI", "2024")
        assert changed.value == Decimal("73.5") and changed.revision == 1
        assert Observation.objects.filter(indicator__code__startswith="CSI").count() == 2 * 84


@pytest.mark.parametrize(
    ("edit", "line", "reason"),
    [
        (lambda t: t.replace("2001,Canada,105.3,", "2001,Canada,n/a,"), 5,
         "csi: “n/a” is not a number"),
        (lambda t: t.replace("1999,Ontario,", "199x,Ontario,"), 31,
         "“199x” is not a period the portal reads (2015, 2015-16, 2024-Q3, Jan-18)"),
        (lambda t: t.replace("2003,Waterloo Region,", "2003,,"), 63, "no region"),
        (lambda t: t.replace("2001,Canada,105.3,", "2001,Canada,-105.3,"), 5,
         "csi: an index is never negative"),
        (lambda t: t.replace("2002,Canada,", "2002,Canada,-1,"), 6,
         "5 fields where the header has 4"),
        (lambda t: t.replace("csi_violent", "violent"), 1, "the header lacks csi_violent"),
    ],
)  # fmt: skip
def test_a_bad_row_in_the_crime_severity_comparison_imports_nothing(
    world: World, tmp_path, edit, line: int, reason: str
) -> None:
    bad = tmp_path / CSI.name
    bad.write_text(edit(CSI.read_text()))
    with pytest.raises(CommandError):
        _import(str(bad))
    with scopes_disabled():
        record = ImportRecord.objects.get(file_name=CSI.name)
        assert record.state != "applied"
        rejected = list(ImportRow.objects.filter(record=record, action="reject"))
        assert [r.line for r in rejected] == [line]
        assert rejected[0].reason == reason
        assert not Observation.objects.filter(indicator__code__startswith="CSI").exists()
        assert not Indicator.objects.filter(code__startswith="CSI").exists()
