"""Reading indicator values: the latest value per indicator and geography and a series, in a
fixed number of queries however many indicators, geographies and years; the shared catalogue
read by every tenant, a tenant's own indicators by that tenant only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from indicators.models import Geography, Indicator, Observation
from indicators.selectors.catalogue import geographies_marked
from indicators.selectors.observations import latest_values, series_default, series_points

from ..builders import indicator_values_build
from ..conftest import World


def _geos(names):
    return list(Geography.objects.filter(name__in=names).order_by("name"))


def test_latest_value_per_indicator_and_geography_skips_empty_years(world: World) -> None:
    # The last year of the first geography is not published: its latest value is the year before.
    ind = indicator_values_build(
        None, code="1.1.1",
        value=lambda year, g: None if (year == 2020 and g == 0) else year * 10 + g,
    )  # fmt: skip
    with scope(tenant=world.halton):
        geos = _geos(["Halton Region", "Ontario"])
        latest = latest_values(indicators=[ind], geographies=geos)
    halton, ontario = geos
    assert latest[(ind.pk, halton.pk)].value == Decimal(2019 * 10)
    assert latest[(ind.pk, halton.pk)].period.label == "2019"
    assert latest[(ind.pk, ontario.pk)].value == Decimal(2020 * 10 + 1)


def test_latest_values_take_the_same_queries_as_indicators_and_years_grow(
    world: World, django_assert_num_queries
) -> None:
    few = [indicator_values_build(None, code=f"F.{i}", years=range(2019, 2021)) for i in range(2)]
    with scope(tenant=world.halton):
        geos = _geos(["Halton Region", "Ontario"])
        with django_assert_num_queries(1):
            small = latest_values(indicators=few, geographies=geos)
    many = [
        indicator_values_build(None, code=f"M.{i}", years=range(2005, 2021),
                               geographies=("Halton Region", "Ontario", "Canada"))
        for i in range(8)
    ]  # fmt: skip
    with scope(tenant=world.halton):
        geos = _geos(["Halton Region", "Ontario", "Canada"])
        with django_assert_num_queries(1):
            large = latest_values(indicators=few + many, geographies=geos)
    assert len(small) == 4 and len(large) == 2 * 2 + 8 * 3


def test_a_series_holds_every_period_in_order_with_its_status(
    world: World, django_assert_num_queries
) -> None:
    ind = indicator_values_build(
        None, code="3.8.1", value=lambda year, g: None if year == 2017 else year - 2000,
        breakdowns=({}, {"Sex": "Female"}),
    )  # fmt: skip
    with scope(tenant=world.halton):
        series = series_default(indicator=ind)
        geos = _geos(["Halton Region", "Ontario"])
        with django_assert_num_queries(1):
            lines = series_points(series=series, geographies=geos)
    assert series.is_headline
    assert [line.geography for line in lines] == geos
    first = lines[0].observations
    assert [o.period.label for o in first] == [str(y) for y in range(2015, 2021)]
    gap = first[2]
    assert gap.value is None and gap.status == "not_published"


def test_shared_indicators_are_read_by_every_tenant_own_ones_by_their_tenant_only(
    world: World,
) -> None:
    indicator_values_build(None, code="16.2.1")
    indicator_values_build(world.halton, code="H.1", geographies=("Oakville",))
    with scope(tenant=world.halton):
        assert set(Indicator.objects.values_list("code", flat=True)) == {"16.2.1", "H.1"}
        assert Observation.objects.filter(indicator__code="H.1").count() == 6
    with scope(tenant=world.lakeshore):
        assert set(Indicator.objects.values_list("code", flat=True)) == {"16.2.1"}
        assert not Observation.objects.filter(indicator__code="H.1").exists()
        assert not Geography.objects.filter(name="Oakville").exists()


def test_outside_a_scope_indicator_reads_fail_closed(world: World) -> None:
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(Indicator.objects.all())


def test_an_observation_is_unique_per_series_geography_and_period(world: World) -> None:
    ind = indicator_values_build(None, code="U.1", years=[2020], geographies=("Ontario",))
    with scopes_disabled():
        obs = Observation.objects.get(indicator=ind)
        with pytest.raises(IntegrityError), transaction.atomic():
            Observation.objects.create(
                indicator=ind, series=obs.series, geography=obs.geography, period=obs.period,
                value=1,
            )  # fmt: skip


def test_an_empty_value_must_say_why(world: World) -> None:
    ind = indicator_values_build(None, code="E.1", years=[2020], geographies=("Ontario",))
    with scopes_disabled():
        obs = Observation.objects.get(indicator=ind)
        with pytest.raises(IntegrityError), transaction.atomic():
            Observation.objects.filter(pk=obs.pk).update(value=None, status="")


def test_a_tenant_marks_its_geographies_and_one_comparison(world: World) -> None:
    from indicators.models import TenantGeography

    indicator_values_build(
        None, code="G.1", years=[2020], geographies=("Halton Region", "Ontario", "Canada")
    )
    with scope(tenant=world.halton):
        canada, halton, ontario = _geos(["Halton Region", "Ontario", "Canada"])
        TenantGeography.objects.create(tenant=world.halton, geography=halton, role="ours")
        TenantGeography.objects.create(tenant=world.halton, geography=ontario, role="comparison")
        marked = geographies_marked(tenant=world.halton)
        assert marked.ours == [halton] and marked.comparison == ontario
        with pytest.raises(IntegrityError), transaction.atomic():
            TenantGeography.objects.create(tenant=world.halton, geography=canada, role="comparison")
