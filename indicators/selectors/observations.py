"""Reads of indicator values, each in a fixed number of queries whatever the number of
indicators, geographies and years. Call them inside the tenant's scope: they return the shared
catalogue plus that tenant's own rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from indicators.models import Geography, Indicator, Observation, Series


@dataclass(frozen=True)
class SeriesPoints:
    geography: Geography
    observations: list[Observation]  # ordered by period; gaps are simply absent periods


def latest_values(
    *, indicators: Iterable[Indicator], geographies: Iterable[Geography]
) -> dict[tuple[int, int], Observation]:
    """The latest observation that has a value, per (indicator id, geography id), in each
    indicator's default breakdown. One query."""
    indicator_ids = [i.pk for i in indicators]
    geography_ids = [g.pk for g in geographies]
    if not indicator_ids or not geography_ids:
        return {}
    rows = (
        Observation.objects.filter(
            indicator_id__in=indicator_ids,
            geography_id__in=geography_ids,
            series__is_default=True,
            value__isnull=False,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("indicator_id"), F("geography_id")],
                order_by=F("period__end").desc(),
            )
        )
        .filter(rank=1)
        .select_related("period")
    )
    return {(o.indicator_id, o.geography_id): o for o in rows}


def series_default(*, indicator: Indicator) -> Series | None:
    """The breakdown shown first. One query."""
    return Series.objects.filter(indicator=indicator, is_default=True).first()


def series_for_indicator(*, indicator: Indicator) -> list[Series]:
    """Every breakdown of an indicator, for the breakdown selector. One query."""
    return list(Series.objects.filter(indicator=indicator).order_by("key"))


def series_points(*, series: Series, geographies: Iterable[Geography]) -> list[SeriesPoints]:
    """One line per geography (in the order given): its observations by period, including
    those without a value (their status says why). One query."""
    geographies = list(geographies)
    by_geo: dict[int, list[Observation]] = defaultdict(list)
    rows = (
        Observation.objects.filter(series=series, geography__in=[g.pk for g in geographies])
        .select_related("period")
        .order_by("geography_id", "period__start", "period__end")
    )
    for o in rows:
        by_geo[o.geography_id].append(o)
    return [SeriesPoints(geography=g, observations=by_geo.get(g.pk, [])) for g in geographies]


def sparklines(
    *, indicators: Iterable[Indicator], geography: Geography, limit_years: int | None = None
) -> dict[int, list[Observation]]:
    """The default-breakdown series of many indicators for one geography (dashboard
    sparklines), by indicator id. One query."""
    ids = [i.pk for i in indicators]
    out: dict[int, list[Observation]] = defaultdict(list)
    if not ids:
        return out
    rows = (
        Observation.objects.filter(
            indicator_id__in=ids, geography=geography, series__is_default=True
        )
        .select_related("period")
        .order_by("indicator_id", "period__start", "period__end")
    )
    for o in rows:
        out[o.indicator_id].append(o)
    if limit_years:
        for k, v in out.items():
            out[k] = v[-limit_years:]
    return out
