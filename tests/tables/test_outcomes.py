from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from cswb.models import ActivityEvent
from tables.models import Measure, Observation
from tables.selectors.outcomes import trend_sentence
from tables.selectors.progress import measures_with_trends
from tables.services.outcomes import (
    measure_create,
    measure_edit,
    observation_edit,
    observation_record,
)

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
    assert "Safety plans completed" in content and ">22<" in content and ">22.00<" not in content
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
                observations=[
                    (day, 40 + n)
                    for day in (date(2024, 6, 30), date(2024, 12, 31), date(2025, 12, 31))
                ],
            )
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200


# -- values checked against the kind of number a measure counts -----------------------------

# (unit kind, allows negatives, value, the field error or None when it is accepted)
VALUES = [
    ("count", False, "0", None),
    ("count", False, "12", None),
    ("count", False, "12.00", None),
    ("count", False, "-3", "A count cannot be below zero."),
    ("count", False, "2.5", "A count is a whole number."),
    ("percentage", False, "0", None),
    ("percentage", False, "100", None),
    ("percentage", False, "72.5", None),
    ("percentage", False, "100.01", "A percentage is between 0 and 100."),
    ("percentage", False, "-1", "A percentage is between 0 and 100."),
    ("rate", False, "12.75", None),
    ("rate", False, "-0.5", "A rate cannot be below zero for this measure."),
    ("rate", True, "-0.5", None),
    ("amount", False, "0", None),
    ("amount", False, "-4", "An amount cannot be below zero for this measure."),
    ("amount", True, "-4", None),
]


@pytest.mark.parametrize(("unit_kind", "negatives", "value", "error"), VALUES)
def test_values_by_unit_kind(
    world: World, unit_kind: str, negatives: bool, value: str, error: str | None
) -> None:
    """Each kind of number accepts what it can hold and refuses the rest at the value field,
    saving nothing."""
    measure = _measure(
        world, unit_kind=unit_kind, allows_negative=negatives, baseline_value=10, target_value=20
    )
    with scope(tenant=world.halton):
        if error is None:
            observation_record(
                measure=measure,
                actor=world.partner,
                value=Decimal(value),
                period_end=date(2025, 6, 30),
            )
            assert Observation.objects.get(measure=measure).value == Decimal(value)
        else:
            with pytest.raises(ValidationError) as refused:
                observation_record(
                    measure=measure,
                    actor=world.partner,
                    value=Decimal(value),
                    period_end=date(2025, 6, 30),
                )
            assert refused.value.message_dict == {"value": [error]}
            assert not Observation.objects.filter(measure=measure).exists()


def test_negatives_only_for_rates_and_amounts(world: World) -> None:
    with scope(tenant=world.halton), pytest.raises(ValidationError) as refused:
        measure_create(table=world.table, actor=world.admin, **WAIT, unit_kind="count",
                       allows_negative=True)  # fmt: skip
    assert "allows_negative" in refused.value.message_dict


@pytest.mark.parametrize(
    ("period_end", "error"),
    [
        (date.today() + timedelta(days=1), "The period has not ended yet"),
        (date(2030, 12, 31), "The period has not ended yet"),
        (date(2023, 12, 31), "The period ends before the baseline (Jan 1, 2024)."),
        (date(2024, 1, 1), None),  # the baseline's own day
        (date.today(), None),
    ],
)
def test_the_period_ends_between_the_baseline_and_today(
    world: World, period_end: date, error: str | None
) -> None:
    measure = _measure(world)
    with scope(tenant=world.halton):
        try:
            observation_record(
                measure=measure, actor=world.partner, value=Decimal(44), period_end=period_end
            )
        except ValidationError as refused:
            assert error is not None and refused.message_dict["period_end"][0].startswith(error)
            assert not Observation.objects.filter(measure=measure).exists()
        else:
            assert error is None and Observation.objects.filter(measure=measure).count() == 1


def test_a_bad_value_is_refused_at_its_field_in_the_page(world: World, client_for) -> None:
    """The issue's case: -3 organizations for a period ending in 2030."""
    measure = _measure(world, name="Partners engaged", unit="organizations", unit_kind="count",
                       direction="up", baseline_value=4, target_value=12)  # fmt: skip
    url = reverse("tables:measure", args=["halton", world.table.slug, measure.pk])
    response = client_for("partner").post(
        url, {"value": "-3", "period_end": "2030-12-31", "note": ""}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["value"] == ["A count cannot be below zero."]
    assert form.errors["period_end"][0].startswith("The period has not ended yet")
    with scope(tenant=world.halton):
        assert not Observation.objects.filter(measure=measure).exists()
        assert not ActivityEvent.objects.filter(verb="measure.observed").exists()


# -- correcting and removing a value ---------------------------------------------------------


def test_the_reporter_corrects_a_value_and_the_timeline_says_so(world: World, client_for):
    measure = _measure(world)
    with scope(tenant=world.halton):
        observation = observation_record(
            measure=measure, actor=world.partner, value=Decimal(40), period_end=date(2025, 6, 30)
        )
    partner = client_for("partner")
    page = partner.get(reverse("tables:measure", args=["halton", world.table.slug, measure.pk]))
    edit_url = reverse(
        "tables:observation-edit", args=["halton", world.table.slug, measure.pk, observation.pk]
    )
    assert edit_url in page.content.decode()  # the reporter is offered the correction
    refused = partner.post(edit_url, {"value": "-2", "period_end": "2025-06-30", "note": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors["value"]
    response = partner.post(
        edit_url, {"value": "38", "period_end": "2025-06-30", "note": "Recounted."}
    )
    assert response.status_code == 302
    with scope(tenant=world.halton):
        observation.refresh_from_db()
        event = ActivityEvent.objects.get(verb="measure.corrected")
    assert (observation.value, observation.note) == (Decimal(38), "Recounted.")
    assert event.changes == {"value": ["40", "38"], "note": ["", "Recounted."]}
    assert event.actor == world.partner
    assert "corrected from 40 to 38 days" in event.summary
    table_page = client_for("member").get(
        reverse("tables:detail", args=["halton", world.table.slug])
    )
    assert "corrected from 40 to 38 days" in table_page.content.decode()


def test_a_value_moved_onto_a_recorded_period_is_refused(world: World) -> None:
    measure = _measure(world, observations=[(date(2024, 12, 31), 44), (date(2025, 6, 30), 40)])
    with scope(tenant=world.halton):
        later = Observation.objects.get(measure=measure, period_end=date(2025, 6, 30))
        with pytest.raises(ValidationError) as refused:
            observation_edit(observation=later, actor=world.admin, value=Decimal(40),
                             period_end=date(2024, 12, 31), note="")  # fmt: skip
        later.refresh_from_db()
    assert "already recorded" in refused.value.message_dict["period_end"][0]
    assert later.period_end == date(2025, 6, 30)


def test_removing_a_value_asks_first_and_keeps_it_in_the_log(world: World, client_for) -> None:
    measure = _measure(world, observations=[(date(2025, 6, 30), 40)])
    with scope(tenant=world.halton):
        observation = Observation.objects.get(measure=measure)
    url = reverse(
        "tables:observation-delete", args=["halton", world.table.slug, measure.pk, observation.pk]
    )
    coordinator = client_for("coordinator")
    asked = coordinator.get(url)
    assert asked.status_code == 200 and "Remove the value 40 days" in asked.content.decode()
    with scope(tenant=world.halton):
        assert Observation.objects.filter(pk=observation.pk).exists()  # asking removes nothing
    assert coordinator.post(url).status_code == 302
    with scope(tenant=world.halton):
        assert not Observation.objects.filter(pk=observation.pk).exists()
        event = ActivityEvent.objects.get(verb="measure.value_removed")
    assert event.changes["value"] == ["40", None] and event.actor == world.coordinator


def test_only_the_reporter_and_the_tables_runners_may_correct(world: World, client_for) -> None:
    measure = _measure(world, observations=[(date(2025, 6, 30), 40)])  # recorded by the admin
    with scope(tenant=world.halton):
        observation = Observation.objects.get(measure=measure)
    url = reverse(
        "tables:observation-edit", args=["halton", world.table.slug, measure.pk, observation.pk]
    )
    data = {"value": "1", "period_end": "2025-06-30", "note": ""}
    assert client_for("partner").post(url, data).status_code == 403  # not theirs
    assert client_for("member").post(url, data).status_code == 403
    with scope(tenant=world.halton):
        observation.refresh_from_db()
    assert observation.value == Decimal(40)


# -- editing and retiring a measure ----------------------------------------------------------


def test_a_measure_is_edited_with_history(world: World, client_for) -> None:
    measure = _measure(world)
    url = reverse("tables:measure-edit", args=["halton", world.table.slug, measure.pk])
    coordinator = client_for("coordinator")
    data = {
        "name": "Days to a first appointment",
        "unit": "days",
        "unit_kind": "amount",
        "target_value": "25",
        "target_date": "2028-06-30",
        "data_source": "",
        "reporting_organization": world.police_org.pk,
    }
    assert coordinator.post(url, {**data, "target_date": "2023-01-01"}).status_code == 400
    assert coordinator.post(url, data).status_code == 302
    with scope(tenant=world.halton):
        measure.refresh_from_db()
        event = ActivityEvent.objects.get(verb="measure.edited")
    assert (measure.name, measure.target_value) == ("Days to a first appointment", Decimal(25))
    assert measure.reporting_organization == world.police_org
    assert event.changes["target_value"] == ["30", "25"]
    assert event.changes["reporting_organization"] == ["Halton Youth Services", "Halton Police"]
    assert event.changes["name"] == ["Days to first counselling appointment", measure.name]


def test_a_kind_of_number_its_values_do_not_fit_is_refused(world: World) -> None:
    measure = _measure(world, observations=[(date(2025, 6, 30), "40.5")])
    with scope(tenant=world.halton):
        with pytest.raises(ValidationError) as refused:
            measure_edit(measure=measure, actor=world.admin, unit_kind="count")
        measure.refresh_from_db()
    assert "would not fit" in refused.value.message_dict["unit_kind"][0]
    assert measure.unit_kind == "amount"


def test_a_retired_measure_is_history_and_leaves_the_on_track_counts(world: World, client_for):
    on_track = _measure(world, name="Kept", observations=[(date(2025, 12, 31), 38)])
    retired = _measure(world, name="Retired one", observations=[(date(2025, 12, 31), 38)])
    with scope(tenant=world.halton):
        before = measures_with_trends([world.table])[world.table.pk]
        assert [m["on_track"] for m in before] == [True, True]
    url = reverse("tables:measure-retire", args=["halton", world.table.slug, retired.pk])
    coordinator = client_for("coordinator")
    assert "Retire the measure" in coordinator.get(url).content.decode()
    assert coordinator.post(url).status_code == 302
    with scope(tenant=world.halton):
        after = measures_with_trends([world.table])[world.table.pk]
        retired.refresh_from_db()
        assert ActivityEvent.objects.filter(verb="measure.retired").count() == 1
        with pytest.raises(ValidationError):
            observation_record(measure=retired, actor=world.admin, value=Decimal(30),
                               period_end=date(2026, 1, 31))  # fmt: skip
    assert [m["measure"] for m in after] == [on_track] and retired.is_retired
    page = coordinator.get(
        reverse("tables:measure", args=["halton", world.table.slug, retired.pk])
    ).content.decode()
    assert "This measure was retired on" in page and "left out of the on-track counts" in page
    assert 'id="record-heading"' not in page  # no new values
    listing = coordinator.get(reverse("tables:outcomes", args=["halton", world.table.slug]))
    assert "not counted in the on-track figures" in listing.content.decode()
    progress = client_for("leader").get(reverse("progress", args=["halton"])).content.decode()
    assert "1 / 1" in progress  # the retired measure is neither counted nor on track


def test_a_measure_retired_by_mistake_comes_back_into_use(world: World, client_for) -> None:
    measure = _measure(world, name="Retired by mistake", observations=[(date(2025, 12, 31), 38)])
    coordinator = client_for("coordinator")
    retire = reverse("tables:measure-retire", args=["halton", world.table.slug, measure.pk])
    restore = reverse("tables:measure-restore", args=["halton", world.table.slug, measure.pk])
    page_url = reverse("tables:measure", args=["halton", world.table.slug, measure.pk])
    assert restore not in coordinator.get(page_url).content.decode()  # in use: nothing to do
    assert coordinator.post(retire).status_code == 302
    page = coordinator.get(page_url).content.decode()
    assert restore in page and 'id="record-heading"' not in page
    assert restore not in client_for("partner").get(page_url).content.decode()  # not theirs
    asked = coordinator.get(restore).content.decode()  # asks first, as no destructive step
    assert "Bring the measure" in asked and "button--danger" not in asked
    with scope(tenant=world.halton):
        measure.refresh_from_db()
        assert measure.is_retired
    assert coordinator.post(restore).status_code == 302
    with scope(tenant=world.halton):
        measure.refresh_from_db()
        assert not measure.is_retired and measure.is_on_track  # its latest value, on track
        assert ActivityEvent.objects.filter(verb="measure.restored").count() == 1
        observation_record(measure=measure, actor=world.admin, value=Decimal(30),
                           period_end=date(2026, 1, 31))  # fmt: skip
    page = coordinator.get(page_url).content.decode()
    assert 'id="record-heading"' in page and "This measure was retired" not in page
    progress = client_for("leader").get(reverse("progress", args=["halton"])).content.decode()
    assert "1 / 1" in progress  # counted again, and on track
    again = coordinator.post(restore, follow=True).content.decode()
    assert "in use already" in again  # a second restore changes nothing
