"""The other formats on their real files: Ontario's opioid deaths by health unit (JSON), the
Toronto shelter system flow (CRLF, a quoted header with a comma, "31.8%"), and the portal's own
tidy template (its downloadable example imports as it is)."""

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
from indicators.models import Geography, Indicator, Observation, ObservationRevision, Series

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
