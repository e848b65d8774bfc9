"""The indicator page: the chart's points and the data table are the same values; gaps,
statuses and footnotes; a breakdown chosen in the address; a sentence per line; the CSV is
exactly the table; the progress status with how it was worked out; sources linked safely."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django_scopes import scope

from indicators.models import (
    Geography,
    Observation,
    ProgressOverride,
    ProgressStatus,
    Source,
    Target,
)

from ..builders import indicator_values_build
from ..conftest import World
from .test_dashboard import mark

pytestmark = pytest.mark.django_db

URL = "/halton/indicators/3-13-1/"
HALTON = {2016: 10, 2017: 12, 2018: None, 2019: 15, 2020: 16}
ONTARIO = {2016: 20, 2017: 21, 2018: 22, 2019: 25, 2020: 26}


@pytest.fixture
def opioids(world: World):
    indicator = indicator_values_build(
        None, code="3.13.1", name="Opioid toxicity deaths", years=range(2016, 2021),
        value=lambda year, g: (HALTON, ONTARIO)[g][year],
        breakdowns=({}, {"Sex": "Female"}, {"Sex": "Male"}),
    )  # fmt: skip
    mark(world)
    with scope(tenant=None):
        cells = Observation.objects.filter(indicator=indicator, series__key="")
        cells.filter(geography__name="Halton Region", period__label="2018").update(
            status="suppressed", footnote="Counts under 5 are not published."
        )
        cells.filter(geography__name="Ontario", period__label="2020").update(
            status="preliminary", footnote='=HYPERLINK("http://evil.example")'
        )
        female = Observation.objects.filter(indicator=indicator, series__key="Sex=Female")
        female.filter(geography__name="Halton Region", period__label="2020").update(value=3)
        Target.objects.create(indicator=indicator, value=10, base_year=2016, target_year=2028)
        Source.objects.create(
            indicator=indicator, organisation="Statistics Canada", table_id="13-10-0001-01",
            url="https://www150.statcan.gc.ca/", licence="Statistics Canada Open Licence",
        )  # fmt: skip
        Source.objects.create(
            indicator=indicator, organisation="A file", url="javascript:alert(1)", position=1
        )
    return indicator


def _table(html: str) -> dict[tuple[str, str], str]:
    """(geography, period) → the value the data table shows, from data-value."""
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    columns = [unescape(c) for c in re.findall(r'<th scope="col" class="num">(.*?)</th>', head)]
    cells = {}
    for period, row in re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', html, re.S):
        values = re.findall(r'data-value="([^"]*)"', row)
        for column, value in zip(columns, values, strict=True):
            cells[(column, period)] = value
    return cells


def _chart_points(html: str) -> dict[tuple[str, str], str]:
    """(geography, period) → the value of each marker the chart draws, from its title."""
    svg = re.search(r'<svg [^>]*class="chart chart--line".*?</svg>', html, re.S).group(0)
    points = {}
    for title in re.findall(r'class="chart__point[^"]*"[^>]*><title>(.*?)</title>', svg):
        match = re.match(r"(.+), (\d{4}): ([\d,.]+)", unescape(title))
        if match:
            points[(match[1], match[2])] = match[3].replace(",", "")
    return points


def test_the_chart_draws_exactly_the_values_in_the_table(opioids, client_for) -> None:
    html = client_for("member").get(URL).content.decode()
    table = _table(html)
    shown = {key: value for key, value in table.items() if value}
    assert _chart_points(html) == shown
    assert len(shown) == 9  # ten cells, one suppressed
    assert table[("Halton Region", "2018")] == ""
    assert shown[("Ontario", "2019")] == "25.0"


def test_a_gap_is_a_gap_and_says_why(opioids, client_for) -> None:
    html = client_for("member").get(URL).content.decode()
    svg = re.search(r'<svg [^>]*class="chart chart--line".*?</svg>', html, re.S).group(0)
    halton_line = re.search(r'chart__series--0"><path class="chart__line" d="([^"]+)"', svg)[1]
    assert halton_line.count("M") == 2  # broken at 2018
    assert "<title>Halton Region, 2018: suppressed</title>" in svg
    row_2018 = re.search(r'<tr><th scope="row">2018</th>(.*?)</tr>', html, re.S).group(1)
    assert "suppressed" in row_2018 and ">0<" not in row_2018
    # Footnotes are numbered beside their values and listed under the table.
    assert '<a href="#note-1" class="footnote-ref">[1]' in row_2018
    assert 'id="note-1" hx-disable>Counts under 5 are not published.</li>' in html
    assert "2,020" not in html  # a year is never drawn as a number


def test_the_target_is_drawn_and_listed(opioids, client_for) -> None:
    html = unescape(client_for("member").get(URL).content.decode())
    assert '<g class="chart__target">' in html and ">Target 10.0 per 100,000 by 2028</text>" in html
    assert re.search(r"2028 \(target\)</th><td[^>]*>10.0 per 100,000 by 2028", html)


def test_one_sentence_per_line(opioids, client_for) -> None:
    html = unescape(client_for("member").get(URL).content.decode())
    assert (
        "Halton Region's rate rose from 10.0 to 16.0 per 100,000 between 2016 and 2020, "
        "moving away from where we want it." in html
    )
    assert "Ontario's rate rose from 20.0 to 26.0 per 100,000 between 2016 and 2020" in html


def test_a_breakdown_is_chosen_in_the_address(opioids, client_for) -> None:
    client = client_for("member")
    default = client.get(URL).content.decode()
    assert '<option value="" selected>All (headline)</option>' in default
    # The breakdowns are grouped by what they break down by, each named by its value.
    group = re.search(r'<optgroup label="By sex">(.*?)</optgroup>', default, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)">([^<]*)</option>', group) == [
        ("Sex=Female", "Female"),
        ("Sex=Male", "Male"),
    ]
    female = client.get(URL, {"breakdown": "Sex=Female"}).content.decode()
    assert '<option value="Sex=Female" selected>' in female
    assert _table(female)[("Halton Region", "2020")] == "3.0"
    assert "Values: Sex: Female" in female
    # The CSV link keeps the breakdown.
    assert 'href="/halton/indicators/3-13-1/data.csv?breakdown=Sex%3DFemale"' in female
    # A breakdown the indicator does not have: said so, the default shown.
    wrong = client.get(URL, {"breakdown": "Sex=Other"})
    assert wrong.status_code == 200
    assert "Select a valid choice." in wrong.content.decode()
    assert _table(wrong.content.decode())[("Halton Region", "2020")] == "16.0"


def test_the_csv_is_exactly_what_the_page_shows_and_safe_in_a_spreadsheet(
    opioids, client_for
) -> None:
    client = client_for("member")
    for query in ({}, {"breakdown": "Sex=Female"}):
        html = client.get(URL, query).content.decode()
        response = client.get("/halton/indicators/3-13-1/data.csv", query)
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert {(r["geography"], r["period"]): r["value"] for r in rows} == _table(html)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/halton/indicators/3-13-1/data.csv").content.decode())
        )
    )
    ontario_2020 = next(r for r in rows if (r["geography"], r["period"]) == ("Ontario", "2020"))
    assert ontario_2020["note"].startswith("'=HYPERLINK")
    assert ontario_2020["status"] == "preliminary"
    halton_2018 = next(
        r for r in rows if (r["geography"], r["period"]) == ("Halton Region", "2018")
    )
    assert (halton_2018["value"], halton_2018["status"]) == ("", "suppressed")


def test_how_the_status_was_worked_out(opioids, world: World, client_for) -> None:
    with scope(tenant=None):
        ProgressStatus.objects.create(
            indicator=opioids, status="deterioration", score=-2,
            inputs={"method": "open_sdg_progress_measure", "base_year": 2016,
                    "current_year": 2020, "cagr_observed": 0.0412, "cagr_required": -0.0313},
        )  # fmt: skip
    html = unescape(client_for("member").get(URL).content.decode())
    # Worked out for the national headline only: said so beside Halton's and Ontario's lines.
    assert (
        '<span class="status status--deterioration">Deterioration</span> <span class="muted">'
        "for Canada, as Statistics Canada publishes it</span>" in html
    )
    assert "<summary>How this was worked out</summary>" in html
    assert "<dt>Base year</dt><dd>2016</dd>" in html
    assert "<dt>Growth per year needed to reach the target</dt><dd>-0.0313</dd>" in html
    assert "<dd>Open SDG progress measure (Statistics Canada)</dd>" in html
    with scope(tenant=world.halton):
        ProgressOverride.objects.create(
            tenant=world.halton, indicator=opioids, status="limited_progress",
            reason="2020 counts are affected by the pandemic.", set_by=world.admin,
        )  # fmt: skip
    html = unescape(client_for("member").get(URL).content.decode())
    assert "Limited progress</span>" in html
    assert "instead of the status worked out (Deterioration)" in html
    assert "2020 counts are affected by the pandemic." in html
    # Another plan sees Statistics Canada's status, not Halton's override.
    lakeshore = client_for("outsider").get("/lakeshore/indicators/3-13-1/").content.decode()
    assert "Deterioration</span>" in lakeshore and "pandemic" not in lakeshore


def test_sources_and_licence_link_only_to_web_addresses(opioids, client_for) -> None:
    html = client_for("member").get(URL).content.decode()
    assert '<a href="https://www150.statcan.gc.ca/" rel="noopener">Statistics Canada</a>' in html
    assert "Statistics Canada Open Licence" in html and "13-10-0001-01" in html
    assert "javascript:" not in html
    assert "<li>A file</li>" in html


def test_an_indicator_without_values_says_so(world: World, client_for) -> None:
    indicator_values_build(None, code="11.2.1", name="Core housing need", years=())
    response = client_for("member").get("/halton/indicators/11-2-1/")
    assert response.status_code == 200
    assert "No values have been published for this selection." in response.content.decode()


def test_an_unknown_indicator_is_404(world: World, client_for) -> None:
    assert client_for("member").get("/halton/indicators/no-such/").status_code == 404
    assert client_for("member").get("/halton/indicators/no-such/data.csv").status_code == 404


def test_uneven_years_are_spaced_as_time_is(world: World, client_for) -> None:
    indicator_values_build(None, code="11.2.2", name="Housing need", years=(2018, 2021, 2022))
    mark(world)
    html = client_for("member").get("/halton/indicators/11-2-2/").content.decode()
    xs = [float(x) for x in re.findall(r'<circle class="chart__point" cx="([\d.]+)"', html)[:3]]
    assert (xs[1] - xs[0]) == pytest.approx(3 * (xs[2] - xs[1]), rel=0.02)


def test_the_status_is_the_one_of_a_line_drawn_and_names_its_place(opioids, client_for) -> None:
    with scope(tenant=None):
        ProgressStatus.objects.create(indicator=opioids, status="deterioration")  # headline
        ProgressStatus.objects.create(
            indicator=opioids, status="substantial_progress",
            geography=Geography.objects.get(name="Ontario"),
        )  # fmt: skip
    html = unescape(client_for("member").get(URL).content.decode())
    status = html[html.index('id="status-heading"') :]
    status = status[: status.index("</details>")]
    assert '<span class="status status--substantial_progress">On track</span>' in status
    assert "for Ontario" in status and "Deterioration" not in status


def test_many_breakdowns_are_grouped_by_the_dimensions_they_change(
    world: World, client_for
) -> None:
    """Statistics Canada's mental-health file has 123 breakdowns over six dimensions: the
    select groups them by what each changes from the one shown first."""
    totals = {"Age group": "Total, 18 years and over", "Sex": "Both sexes"}
    ages, sexes = ("18 to 34 years", "35 to 49 years"), ("Females", "Males")
    breakdowns = [
        totals,
        *({**totals, "Age group": a} for a in ages),
        *({**totals, "Sex": s} for s in sexes),
        *({"Age group": a, "Sex": s} for a in ages for s in sexes),
        {"Age group": "Total, 18 years and over", "Household income": "First quintile"},
    ]
    indicator_values_build(
        None, code="3.8.1", name="Perceived mental health", years=range(2019, 2021),
        breakdowns=breakdowns,
    )  # fmt: skip
    mark(world)
    html = client_for("member").get("/halton/indicators/3-8-1/").content.decode()
    select = re.search(r'<select name="breakdown"[^>]*>(.*?)</select>', html, re.S).group(1)
    groups = dict(re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S))
    assert list(groups) == [
        "By age group",
        "By household income",
        "By sex",
        "By age group and sex",
    ]
    labels = lambda text: re.findall(r">([^<]+)</option>", text)  # noqa: E731
    assert labels(groups["By age group"]) == list(ages)
    assert labels(groups["By household income"]) == ["First quintile"]
    assert labels(groups["By age group and sex"]) == [
        "18 to 34 years; Females",
        "18 to 34 years; Males",
        "35 to 49 years; Females",
        "35 to 49 years; Males",
    ]
    # The one shown first heads the list, named in full; every breakdown is there once.
    first = re.search(r"<option [^>]*selected>([^<]*)</option>", select).group(1)
    assert unescape(first) == "Age group: Total, 18 years and over; Sex: Both sexes"
    assert select.index("selected") < select.index("<optgroup")
    assert len(re.findall(r"<option ", select)) == len(breakdowns)
    # Chosen from a group, it is kept in the address as before.
    chosen = client_for("member").get(
        "/halton/indicators/3-8-1/", {"breakdown": "Age group=18 to 34 years|Sex=Males"}
    )
    assert "Values: Age group: 18 to 34 years; Sex: Males" in unescape(chosen.content.decode())
