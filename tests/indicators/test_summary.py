"""The one-sentence summary and the trend words, table-driven: each row is a series, the
desired direction and the unit, and the sentence a reader should get."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.summary import Unit, latest_trend, summary_sentence

D = Decimal
RATE = Unit("rate", "per 100,000")
PERCENT = Unit("percent", decimals=1)
COUNT = Unit("count", "deaths")


def _years(start: int, *values) -> list[tuple[str, Decimal | None]]:
    return [(str(start + i), None if v is None else D(str(v))) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("geography", "points", "direction", "unit", "sentence"),
    [
        (
            "Ontario",
            _years(2015, 1070, 1100, None, 1433),
            "negative",
            RATE,
            "Ontario's rate rose from 1,070 to 1,433 per 100,000 between 2015 and 2018, "
            "moving away from where we want it.",
        ),
        (
            "Halton",
            _years(2018, 41, 31, 41, 36, 36, 30),
            "negative",
            COUNT,
            "Halton's count fell from 41 to 30 deaths between 2018 and 2023, "
            "moving towards where we want it.",
        ),
        (
            "Canada",
            _years(2015, "59.5", "56.7"),
            "positive",
            PERCENT,
            "Canada's percentage fell from 59.5% to 56.7% between 2015 and 2016, "
            "moving away from where we want it.",
        ),
        (
            "Canada",
            _years(2015, "14.5", None, "9.9"),
            "positive",
            PERCENT,
            "Canada's percentage fell from 14.5% to 9.9% between 2015 and 2017, "
            "moving away from where we want it.",
        ),
        (
            "Ontario",
            _years(2015, "10.0", "12.25"),
            "positive",
            PERCENT,
            "Ontario's percentage rose from 10.0% to 12.3% between 2015 and 2016, "
            "moving towards where we want it.",
        ),
        (
            "Waterloo Region",
            _years(2019, 80, 80),
            "negative",
            Unit("index"),
            "Waterloo Region's index stayed at 80 between 2019 and 2020.",
        ),
        (
            "Peel",
            _years(2019, 5, 7),
            None,  # no desired direction: no judgement
            Unit("count", "shelter entries"),
            "Peel's count rose from 5 to 7 shelter entries between 2019 and 2020.",
        ),
        (
            "Prairies",
            [("2018", None), ("2022", D("11.6"))],
            "negative",
            PERCENT,
            "Prairies' percentage was 11.6% in 2022, the only period with a value.",
        ),
        (
            "Halton",
            _years(2018, None, None),
            "negative",
            RATE,
            "No values have been published for Halton yet.",
        ),
        ("Halton", [], "negative", RATE, "No values have been published for Halton yet."),
        (
            "Toronto",
            [("Jan-18", D(100)), ("Feb-18", D(0))],  # zero is a value, unlike an empty cell
            "negative",
            Unit("count", "people"),
            "Toronto's count fell from 100 to 0 people between Jan-18 and Feb-18, "
            "moving towards where we want it.",
        ),
        (
            "Halton",
            _years(2020, 1200, 1350),
            "negative",
            Unit("currency"),
            "Halton's amount rose from $1,200 to $1,350 between 2020 and 2021, "
            "moving away from where we want it.",
        ),
    ],
)
def test_the_summary_sentence(geography, points, direction, unit, sentence) -> None:
    assert summary_sentence(geography=geography, points=points, direction=direction, unit=unit) == (
        sentence
    )


def test_the_noun_can_be_named() -> None:
    text = summary_sentence(
        geography="Halton",
        points=_years(2018, 41, 21),
        direction="negative",
        unit=COUNT,
        noun="number of opioid deaths",
    )
    assert text.startswith("Halton's number of opioid deaths fell from 41 to 21 deaths")


@pytest.mark.parametrize(
    ("points", "direction", "arrow", "words", "better"),
    [
        (_years(2022, 10, 12), "negative", "↑", "Up since 2022, worse", False),
        (_years(2022, 10, 12), "positive", "↑", "Up since 2022, better", True),
        (_years(2021, 12, None, 9), "negative", "↓", "Down since 2021, better", True),
        (_years(2022, 12, 9), "positive", "↓", "Down since 2022, worse", False),
        (_years(2022, 9, 9), "positive", "→", "Unchanged", None),
        (_years(2022, 9, 11), None, "↑", "Up since 2022", None),
        (_years(2022, None, 9), "positive", "", "Not enough values for a trend", None),
    ],
)
def test_the_trend_arrow_and_words_follow_the_desired_direction(
    points, direction, arrow, words, better
) -> None:
    trend = latest_trend(points, direction=direction)
    assert (trend.arrow, trend.words, trend.better) == (arrow, words, better)
