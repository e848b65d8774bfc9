"""Where a measure stands is computed from its values and target, never read back from the
sentence that describes it (which will be translated)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from tables.models import Measure, Observation
from tables.selectors import progress
from tables.selectors.outcomes import Standing, measure_trend, trend_sentence
from tables.services.outcomes import measure_create, observation_record

from ..conftest import World

pytestmark = pytest.mark.django_db


def _measure(world: World, direction: str = "down") -> Measure:
    with scope(tenant=world.halton):
        return measure_create(
            table=world.table,
            actor=world.admin,
            name="Days waiting for a first appointment",
            kind="how_well",
            unit="days",
            direction=direction,
            baseline_value=Decimal(50),
            baseline_date=date(2024, 1, 1),
            target_value=Decimal(30),
            target_date=date(2028, 1, 1),
        )


@pytest.mark.parametrize(
    ("value", "on", "standing"),
    [
        (Decimal(30), date(2025, 1, 1), Standing.MET),
        (Decimal(40), date(2025, 1, 1), Standing.ON_TRACK),  # half the way in a quarter of time
        (Decimal(48), date(2027, 1, 1), Standing.BEHIND),
        (Decimal(55), date(2025, 1, 1), Standing.MOVING_AWAY),
        (Decimal(50), date(2025, 1, 1), Standing.BEHIND),  # unchanged, time has passed
    ],
)
def test_the_standing_comes_from_the_values(world: World, value, on, standing) -> None:
    measure = _measure(world)
    observation = Observation(measure=measure, value=value, period_end=on)
    trend = measure_trend(measure, [observation])
    assert trend.standing is standing
    assert trend.standing.is_on_track == (standing in (Standing.MET, Standing.ON_TRACK))
    assert measure_trend(measure, []).standing is Standing.NO_VALUES
    assert trend_sentence(measure, [observation]).endswith(".")


def test_progress_counts_on_track_whatever_the_sentence_says(world: World, monkeypatch) -> None:
    measure = _measure(world)
    with scope(tenant=world.halton):
        observation_record(
            measure=measure, actor=world.admin, value=Decimal(40), period_end=date(2025, 1, 1)
        )
        # The sentence in another language: the figure must not change.
        monkeypatch.setattr(progress, "trend_sentence", lambda m, o: "En bonne voie.")
        [row] = progress.measures_with_trends([world.table])[world.table.pk]
    assert row["trend"] == "En bonne voie."
    assert row["on_track"] is True
