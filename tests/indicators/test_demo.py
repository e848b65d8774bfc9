"""The demo's indicators: the real files imported once (a second run imports nothing), Halton's
health unit marked "ours" against Ontario, and real series to read."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape
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
    world: World, client_for
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

    _halton_dashboard_reads_true(client_for)
    _the_imports_page_lists_the_demo_files(client_for)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _halton_dashboard_reads_true(client_for) -> None:
    """As a new user sees it: Halton's dashboard shows Halton's health unit and Ontario (and
    Canada where neither has values), each status names a place the card shows, and
    Toronto's shelter flow is not among Halton's indicators but listed apart."""
    client = client_for("leader")
    page = client.get("/halton/indicators/").content.decode()
    cards = re.findall(r'<li class="card indicator-card">(.*?)</li>', page, re.S)
    assert len(cards) == 8  # six CIF and ODPRN series, the two Crime Severity Indexes
    for card in cards:
        places = [_text(p) for p in re.findall(r"<dt>(.*?)</dt>", card)]
        assert places[:2] == ["Halton Region Public Health", "Ontario"]
        status = _text(re.search(r'class="indicator-card__status">(.*?)</p>', card, re.S).group(1))
        status = status.removeprefix("Progress status: ")
        named = status.split(": ", 1)[0]
        assert named in places or status == "Not available", (places, status)
    text = _text(page)
    assert "Toronto" not in text and "homeless" not in text
    assert (
        "4 more indicators have no value for Halton Region Public Health, Ontario or Canada."
        in text
    )
    other = _text(client.get("/halton/indicators/", {"places": "other"}).content.decode())
    assert "4 indicators have values only for other places." in other
    assert other.count("Toronto ") >= 4


def _the_imports_page_lists_the_demo_files(client_for) -> None:
    page = client_for("admin").get("/halton/manage/indicators/imports/").content.decode()
    shared = _text(page[page.index('id="catalogue-heading"') :])
    for name in (
        "cif_indicator_3-13-1.csv",
        "ontario_odprn_opioid_deaths_by_phu.json",
        "toronto_shelter_system_flow_2018-01_to_2025-05.csv",
    ):
        assert name in shared
    assert "No file has been imported" not in shared
