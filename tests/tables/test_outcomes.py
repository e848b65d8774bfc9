from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from tables.models import Measure, Observation
from tables.selectors.outcomes import trend_sentence

from ..builders import measure_build
from ..conftest import World

# The measure the figures below are worked out from: 50 days down to 30 by Jan 2028.
WAIT = {
    "name": "Days to first counselling appointment",
    "kind": "how_well",
    "unit": "days",
    "direction": "down",
    "baseline_value": 50,
    "baseline_date": date(2024, 1, 1),
    "target_value": 30,
    "target_date": date(2028, 1, 1),
}


def _measure(world: World, **overrides) -> Measure:
    return measure_build(
        world.table, actor=world.admin, reporting_organization=world.youth_org, **(WAIT | overrides)
    )


@pytest.mark.parametrize(
    ("value", "period_end", "sentence"),
    [
        (
            44,
            date(2025, 1, 1),
            "Down 12% since baseline (50 → 44 days); on track for the target of 30 by Jan 2028.",
        ),
        (
            48,
            date(2026, 1, 1),
            "Down 4% since baseline (50 → 48 days); behind the pace needed "
            "for the target of 30 by Jan 2028.",
        ),
        (
            55,
            date(2025, 1, 1),
            "Up 10% since baseline (50 → 55 days); moving away from the target of 30 by Jan 2028.",
        ),
        (
            29,
            date(2026, 1, 1),
            "Down 42% since baseline (50 → 29 days); the target of 30 by Jan 2028 is met.",
        ),
    ],
)
def test_the_trend_sentence_on_known_data(world: World, value, period_end, sentence) -> None:
    measure = _measure(world, observations=[(period_end, value)])
    with scope(tenant=world.halton):
        assert trend_sentence(measure, list(measure.observations.all())) == sentence


def test_a_measure_with_no_values_says_so(world: World) -> None:
    assert trend_sentence(_measure(world), []) == "No values recorded yet."


def test_the_chart_is_labelled_and_does_not_rely_on_colour(world: World, client_for) -> None:
    measure = _measure(world, name="<b>Wait</b> & see", observations=[(date(2025, 1, 1), 44)])
    page = (
        client_for("member")
        .get(reverse("tables:measure", args=["halton", world.table.slug, measure.pk]))
        .content.decode()
    )
    assert 'role="img"' in page and '<title id="chart-0-title">' in page
    assert "&lt;b&gt;Wait&lt;/b&gt; &amp; see" in page and "<b>Wait</b>" not in page
    assert 'stroke-dasharray="6 4"' in page and ">Target 30<" in page  # dashed and labelled
    assert ">Baseline<" in page
    assert "<caption>Values, in days</caption>" in page  # the data table beside the chart


def test_the_csv_download(world: World, client_for) -> None:
    measure = _measure(world, observations=[(date(2025, 1, 1), 44)])
    response = client_for("member").get(
        reverse("tables:measure-csv", args=["halton", world.table.slug, measure.pk])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["measure", "unit", "period_end", "value", "baseline", "target", "target_date"],
        [
            "Days to first counselling appointment",
            "days",
            "2025-01-01",
            "44.00",
            "50.00",
            "30.00",
            "2028-01-01",
        ],
    ]


def test_the_reporting_organization_records_values(world: World, client_for) -> None:
    measure = _measure(world)
    url = reverse("tables:measure", args=["halton", world.table.slug, measure.pk])
    partner = client_for("partner")
    assert partner.post(url, {"value": "41.5", "period_end": "2025-06-30"}).status_code == 302
    again = partner.post(url, {"value": "40", "period_end": "2025-06-30"})
    assert again.status_code == 400
    assert "already recorded" in again.content.decode()
    with scope(tenant=world.halton):
        assert list(
            Observation.objects.filter(measure=measure).values_list("value", flat=True)
        ) == [Decimal("41.50")]


def test_leadership_sees_members_only_figures_without_notes(world: World, client_for) -> None:
    measure_build(
        world.ipv,
        actor=world.admin,
        name="Safety plans completed",
        observations=[(date(2025, 6, 30), 22)],
        note="Shelter B ran two extra sessions.",
    )
    page = client_for("leader").get(reverse("tables:outcomes", args=["halton", world.ipv.slug]))
    content = page.content.decode()
    assert "Safety plans completed" in content and ">22.00<" in content
    assert "Shelter B ran two extra sessions." not in content


def test_a_target_before_the_baseline_is_refused(world: World, client_for) -> None:
    response = client_for("coordinator").post(
        reverse("tables:outcomes", args=["halton", world.table.slug]),
        {
            "name": "Backwards",
            "kind": "how_much",
            "unit": "people",
            "direction": "up",
            "baseline_value": "1",
            "baseline_date": "2026-01-01",
            "target_value": "2",
            "target_date": "2025-01-01",
        },
    )
    assert response.status_code == 400
    with scope(tenant=world.halton):
        assert not Measure.objects.filter(name="Backwards").exists()


def test_outcomes_page_query_budget(world: World, client_for, django_assert_max_num_queries):
    client = client_for("member")
    url = reverse("tables:outcomes", args=["halton", world.table.slug])
    client.get(url)
    for round_ in range(2):
        for n in range(3):
            _measure(
                world,
                name=f"Measure {round_}-{n}",
                observations=[(date(year, 12, 31), 40 + n) for year in range(2024, 2027)],
            )
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200
