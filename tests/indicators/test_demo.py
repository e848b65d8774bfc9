"""The demo's indicators: the real files imported once (a second run imports nothing), Halton's
health unit marked "ours" against Ontario, and real series to read."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from cswb.models import ImportRecord
from indicators.models import Indicator, IndicatorTable, Observation
from indicators.selectors.catalogue import geographies_marked
from indicators.selectors.observations import latest_values

from ..conftest import World


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def test_demo_indicators_are_imported_once_and_halton_reads_its_health_unit_against_ontario(
    world: World,
) -> None:
    call_command("seed_demo_indicators", stdout=StringIO())
    with scopes_disabled():
        records = ImportRecord.objects.count()
        observations = Observation.objects.count()
    call_command("seed_demo_indicators", stdout=StringIO())
    with scopes_disabled():
        assert ImportRecord.objects.count() == records == 8
        assert Observation.objects.count() == observations
    with scope(tenant=world.halton):
        marked = geographies_marked(tenant=world.halton)
        assert [g.code for g in marked.ours] == ["3536"]
        assert marked.ours[0].name == "Halton Region Public Health"
        assert (marked.comparison.scheme, marked.comparison.code) == ("sgc", "35")
        opioids = Indicator.objects.get(code="ON.OPIOID.DEATHS")
        crime = Indicator.objects.get(code="16.2.1")
        latest = latest_values(indicators=[opioids, crime], geographies=marked.all)
        # The demo's tables are linked to the indicators they work on, once.
        linked = list(
            IndicatorTable.objects.filter(indicator__code="3.8.1").values_list(
                "table__slug", flat=True
            )
        )
        assert linked == ["youth-mental-health"]
    halton, ontario = marked.ours[0], marked.comparison
    # Halton: 21 deaths in 2024, to September only.
    mine = latest[(opioids.pk, halton.pk)]
    assert (mine.value, mine.period.label, mine.status) == (Decimal(21), "2024", "partial")
    assert mine.complete_through == datetime.date(2024, 9, 30)
    assert latest[(opioids.pk, ontario.pk)].value == Decimal(1841)
    assert latest[(crime.pk, ontario.pk)].period.label == "2024"
    assert (crime.pk, halton.pk) not in latest  # the CIF has no health-unit values

    # Lakeshore reads as a Waterloo-sized region: Waterloo Region's Crime Severity Index
    # against Ontario's.
    with scope(tenant=world.lakeshore):
        marked = geographies_marked(tenant=world.lakeshore)
        assert [(g.name, g.code) for g in marked.ours] == [("Waterloo Region", "3530")]
        assert marked.comparison.code == "35"
        csi = Indicator.objects.get(code="CSI")
        latest = latest_values(indicators=[csi], geographies=marked.all)
    waterloo = latest[(csi.pk, marked.ours[0].pk)]
    assert (waterloo.value, waterloo.period.label) == (Decimal("66.82"), "2025")
    assert latest[(csi.pk, marked.comparison.pk)].period.label == "2025"
