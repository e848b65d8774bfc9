"""The SVG charts, from plain numbers: lines break where a period has no value, suppressed
periods are marked, the target is a dashed labelled line, every text is escaped, and nothing
carries a style attribute (the content security policy allows none)."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from itertools import pairwise
from xml.etree import ElementTree

import pytest

from indicators.charts import (
    ChartPoint,
    ChartSeries,
    ChartTarget,
    LineChart,
    fmt_number,
    line_chart,
    nice_ticks,
    path_data,
    segments,
    sparkline,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
D = Decimal
X_TICKS = ".//svg:text[@class='chart__tick chart__tick--x']"
Y_TICKS = ".//svg:text[@class='chart__tick chart__tick--y']"


def _points(*values, flags=None) -> list[ChartPoint]:
    flags = flags or {}
    return [
        ChartPoint(None if v is None else D(str(v)), flags.get(i, "")) for i, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("points", "runs"),
    [
        ([(0, 0), (1, 1), (2, 2)], [[(0, 0), (1, 1), (2, 2)]]),
        ([(0, 0), None, (2, 2), (3, 3)], [[(0, 0)], [(2, 2), (3, 3)]]),
        ([None, None], []),
        ([None, (1, 1), None], [[(1, 1)]]),
        ([(0, 0), (1, 1), None, None, (4, 4), (5, 5), None], [[(0, 0), (1, 1)], [(4, 4), (5, 5)]]),
    ],
)
def test_a_line_breaks_where_a_period_has_no_value(points, runs) -> None:
    assert segments(points) == runs


@pytest.mark.parametrize(
    ("points", "data"),
    [
        ([(0, 10), (50, 20), (100, 5)], "M0,10L50,20L100,5"),
        ([(0, 10), None, (100, 5), (150, 7.25)], "M100,5L150,7.2"),  # a lone point: no line
        ([(0, 10), (10, 11), None, (100, 5), (150, 7)], "M0,10L10,11 M100,5L150,7"),
        ([None], ""),
    ],
)
def test_path_data_moves_across_a_gap_instead_of_drawing(points, data) -> None:
    assert path_data(points) == data


def _chart(**overrides) -> LineChart:
    fields = {
        "periods": ["2016", "2017", "2018", "2019", "2020"],
        "series": [
            ChartSeries("Halton", _points(10, 12, None, 15, 16)),
            ChartSeries("Ontario", _points(20, None, 22, 25, None, flags={1: "suppressed"})),
        ],
        "title": "Opioid deaths",
        "description": "Halton's rate rose.",
        "y_label": "per 100,000",
        "x_label": "Year",
        "target": ChartTarget(D(10), "Target 10 by 2028"),
        "positions": [2016, 2017, 2018, 2019, 2020],
    }
    fields.update(overrides)
    return LineChart(**fields)


def _parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # noqa: S314 (our own markup, built in the test)


def _svg(chart: LineChart) -> ElementTree.Element:
    return _parse(str(line_chart(chart, chart_id="c1")))


def test_one_line_per_geography_with_a_gap_and_a_marker_per_value() -> None:
    svg = _svg(_chart())
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find("svg:title", NS).text == "Opioid deaths"
    assert svg.find("svg:desc", NS).text == "Halton's rate rose."
    groups = svg.findall("svg:g[@class='chart__series chart__series--0']", NS)
    halton = groups[0]  # the second is its legend entry
    (line,) = halton.findall("svg:path[@class='chart__line']", NS)
    # Two runs: 2016 to 2017, then 2019 to 2020; nothing drawn across 2018.
    assert line.get("d").count("M") == 2
    assert len(line.get("d").split(" ")) == 2
    titles = [m.find("svg:title", NS).text for m in halton if m.tag.endswith(("circle",))]
    assert titles == [
        "Halton, 2016: 10",
        "Halton, 2017: 12",
        "Halton, 2019: 15",
        "Halton, 2020: 16",
    ]


def test_points_sit_where_their_values_are() -> None:
    svg = _svg(_chart())
    halton = svg.findall("svg:g[@class='chart__series chart__series--0']", NS)[0]
    circles = halton.findall("svg:circle", NS)
    xs = [float(c.get("cx")) for c in circles]
    ys = [float(c.get("cy")) for c in circles]
    assert xs == sorted(xs)  # left to right in period order
    assert ys[0] > ys[1] > ys[2] > ys[3]  # rising values are drawn higher (smaller y)
    # The line passes through the markers.
    line = halton.find("svg:path", NS).get("d")
    first = re.match(r"M([\d.]+),([\d.]+)", line)
    assert (float(first[1]), float(first[2])) == pytest.approx((xs[0], ys[0]), abs=0.1)


def test_a_suppressed_period_is_marked_on_the_axis_not_drawn_as_zero() -> None:
    svg = _svg(_chart())
    ontario = svg.findall("svg:g[@class='chart__series chart__series--1']", NS)[0]
    (missing,) = ontario.findall("svg:path[@class='chart__missing']", NS)
    assert missing.find("svg:title", NS).text == "Ontario, 2017: suppressed"
    # 2020 has no value and no reason: nothing is drawn for it.
    titles = [e.find("svg:title", NS).text for e in ontario if e.find("svg:title", NS) is not None]
    assert not any("2020" in t for t in titles)
    # No marker at the value 0.
    assert len(ontario.findall("svg:polygon", NS)) == 0
    assert len(ontario.findall("svg:rect", NS)) == 3  # squares for 2016, 2018, 2019


def test_a_qualified_value_gets_a_hollow_marker_and_says_why() -> None:
    chart = _chart(series=[ChartSeries("Halton", _points(10, 12, 13, 14, 9, flags={4: "partial"}))])
    circles = _svg(chart).findall(".//svg:circle", NS)
    flagged = [c for c in circles if "chart__point--flagged" in c.get("class")]
    assert [c.find("svg:title", NS).text for c in flagged] == ["Halton, 2020: 9 (partial)"]


def test_the_target_is_a_labelled_line_within_the_scale() -> None:
    svg = _svg(_chart(target=ChartTarget(D(40), "Target 40 by 2030")))
    target = svg.find("svg:g[@class='chart__target']", NS)
    assert target.find("svg:text", NS).text == "Target 40 by 2030"
    line = target.find("svg:line", NS)
    assert line.get("y1") == line.get("y2")
    # The scale stretches to show the target above every value.
    top_tick = max(float(t.text) for t in svg.findall(Y_TICKS, NS))
    assert top_tick >= 40


def test_axis_labels_periods_and_legend() -> None:
    svg = _svg(_chart())
    xs = [t.text for t in svg.findall(X_TICKS, NS)]
    assert xs == ["2016", "2017", "2018", "2019", "2020"]
    titles = [
        t.text for t in svg.findall(".//svg:text", NS) if "axis-title" in (t.get("class") or "")
    ]
    assert titles == ["per 100,000", "Year"]
    legend = [t.text for t in svg.findall(".//svg:text[@class='chart__legend-text']", NS)]
    assert legend == ["Halton", "Ontario"]


def test_many_periods_get_a_readable_number_of_labels_first_and_last_kept() -> None:
    periods = [str(year) for year in range(1998, 2026)]
    chart = _chart(periods=periods, positions=None, series=[ChartSeries("A", _points(*range(28)))])
    xs = [t.text for t in _svg(chart).findall(X_TICKS, NS)]
    assert 5 <= len(xs) <= 9
    assert xs[0] == "1998" and xs[-1] == "2025"


def test_uneven_periods_are_spaced_as_time_is() -> None:
    chart = _chart(
        periods=["2018", "2021", "2022"],
        positions=[2018, 2021, 2022],
        series=[ChartSeries("Halton", _points(10, 11, 12))],
        target=None,
    )
    cx = [float(c.get("cx")) for c in _svg(chart).findall(".//svg:g/svg:circle", NS)][:3]
    assert (cx[1] - cx[0]) == pytest.approx(3 * (cx[2] - cx[1]), rel=0.01)


def test_every_text_is_escaped_and_nothing_carries_a_style() -> None:
    hostile = '<img src=x onerror=alert(1)> hx-get="/x"'
    chart = _chart(
        title=hostile,
        description=hostile,
        periods=["2016", hostile],
        positions=None,
        series=[ChartSeries(hostile, _points(1, 2, flags={1: hostile}))],
        target=ChartTarget(D(3), hostile),
    )
    markup = str(line_chart(chart, chart_id="c1"))
    assert "<img" not in markup
    assert "&lt;img" in markup
    assert "style=" not in markup
    _parse(markup)  # well-formed
    spark = str(sparkline([D(1), None, D(2)], text=hostile))
    assert "<img" not in spark and "style=" not in spark


def test_no_values_at_all_still_draws_an_empty_labelled_chart() -> None:
    chart = _chart(
        series=[ChartSeries("Halton", _points(None, None))],
        periods=["2016", "2017"],
        positions=None,
        target=None,
    )
    svg = _svg(chart)
    assert svg.find(".//svg:path[@class='chart__line']", NS) is None
    assert svg.find("svg:title", NS).text == "Opioid deaths"


def test_sparkline_keeps_gaps_and_has_a_text_equivalent() -> None:
    svg = _parse(str(sparkline([D(5), D(6), None, D(4), D(3)], text="Halton 2016 to 2020: 5 to 3")))
    assert svg.get("role") == "img"
    assert svg.find("svg:title", NS).text == "Halton 2016 to 2020: 5 to 3"
    line = svg.find("svg:path", NS).get("d")
    assert line.count("M") == 2
    last = svg.find("svg:circle", NS)
    assert float(last.get("cx")) == pytest.approx(116)  # the latest value is marked


@pytest.mark.parametrize(
    ("low", "high"), [(0, 100), (1070, 1433), (9.2, 11.4), (5, 5), (0.013, 0.019), (-4, 7)]
)
def test_ticks_are_round_steps_covering_the_values(low, high) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 3 <= len(ticks) <= 7
    steps = {round(b - a, 9) for a, b in pairwise(ticks)}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5)


def test_ticks_for_a_rate_in_the_thousands() -> None:
    assert nice_ticks(1070, 1433) == [1000, 1100, 1200, 1300, 1400, 1500]


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (D(1070), 0, "1,070"),
        (D("12.345"), 1, "12.3"),
        (D("12.25"), 1, "12.3"),
        (D("0.5"), 2, "0.50"),
        (D(-3), 0, "-3"),
    ],
)
def test_numbers_are_written_with_separators_and_their_decimals(value, decimals, text) -> None:
    assert fmt_number(value, decimals) == text
