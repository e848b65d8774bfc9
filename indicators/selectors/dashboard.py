"""The CSWB dashboard: every indicator of the plan (shared and its own) by domain, with its
latest value for "our" geography beside the comparison, the latest change, a sparkline, the
progress status and how current the data is. A fixed number of queries, whatever the number of
indicators, geographies and years."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString

from cswb.models import Tenant
from indicators.charts import sparkline
from indicators.models import (
    Geography,
    Indicator,
    IndicatorTable,
    Observation,
    ProgressOverride,
    ProgressStatus,
    ValueStatus,
)
from indicators.selectors.catalogue import Progress, geographies_marked
from indicators.summary import Trend, Unit, latest_trend, summary_sentence

STALE_AFTER_YEARS = 2


def unit_of(indicator: Indicator) -> Unit:
    """How a value reads in a sentence: a rate "per 100,000", a percentage with its sign, a
    count or an index as the number alone (the page names the unit beside it)."""
    label = ""
    if indicator.unit_type == "rate" and indicator.multiplier > 1:
        label = f"per {indicator.multiplier:,}"
    return Unit(type=indicator.unit_type, label=label, decimals=indicator.decimals)


def flag_of(observation: Observation) -> str:
    """The words a value carries beside it: "partial, to September 30, 2024", "suppressed"."""
    if not observation.status:
        return ""
    label = ValueStatus(observation.status).label
    if observation.status == ValueStatus.PARTIAL and observation.complete_through:
        through = observation.complete_through
        return f"{label.lower()}, to {through:%B} {through.day}, {through.year}"
    return str(label).lower()


@dataclass(frozen=True)
class Latest:
    text: str
    period: str
    flag: str
    period_end: datetime.date


@dataclass(frozen=True)
class DashboardRow:
    indicator: Indicator
    name: str
    unit: str
    ours_name: str
    ours: Latest | None
    comparison: Latest | None
    trend: Trend
    sparkline: SafeString | None
    spark_text: str
    status: str
    status_label: str
    status_for: str  # the place the status is for
    currency: str
    stale: bool
    status_reason: str = ""  # set when a plan admin chose the status shown
    status_computed: str = ""  # the status worked out, shown beside theirs


@dataclass(frozen=True)
class DomainGroup:
    name: str
    slug: str
    rows: list[DashboardRow]


@dataclass(frozen=True)
class Dashboard:
    ours: Geography | None
    comparison: Geography | None
    groups: list[DomainGroup]
    count: int
    has_indicators: bool


def latest_shown(observation: Observation | None, unit: Unit) -> Latest | None:
    if observation is None or observation.value is None:
        return None
    return Latest(
        text=unit.format(observation.value),
        period=observation.period.label,
        flag=flag_of(observation),
        period_end=observation.period.end,
    )


def _latest(observations: list[Observation], unit: Unit) -> Latest | None:
    """The latest observation that has a value (a later one without a value is skipped)."""
    return latest_shown(
        next((o for o in reversed(observations) if o.value is not None), None), unit
    )


def currency_text(latest: Latest | None, *, today: datetime.date) -> tuple[str, bool]:
    """How current the latest value is, and whether it is stale (older than two years)."""
    if latest is None:
        return "No value published yet.", False
    years = max(0, (today - latest.period_end).days // 365)
    age = (
        "less than a year old"
        if years < 1
        else "1 year old"
        if years == 1
        else f"{years} years old"
    )
    stale = years > STALE_AFTER_YEARS
    text = f"Latest data: {latest.period} ({age})"
    return text + (". Older than two years." if stale else "."), stale


def _series_by_geography(
    *, indicator_ids: list[int], geographies: list[Geography]
) -> dict[tuple[int, int], list[Observation]]:
    """Every default-breakdown observation of these indicators for these geographies, by
    (indicator id, geography id), in period order. One query."""
    found: dict[tuple[int, int], list[Observation]] = defaultdict(list)
    if not indicator_ids or not geographies:
        return found
    rows = (
        Observation.objects.filter(
            indicator_id__in=indicator_ids,
            geography_id__in=[g.pk for g in geographies],
            series__is_default=True,
        )
        .select_related("period")
        .only(
            "indicator_id",
            "geography_id",
            "value",
            "status",
            "complete_through",
            "period__label",
            "period__start",
            "period__end",
        )
        .order_by("period__start", "period__end")
    )
    for o in rows:
        found[(o.indicator_id, o.geography_id)].append(o)
    return found


def dashboard_read(
    *, tenant: Tenant, domain: str = "", status: str = "", table_id: int | None = None
) -> Dashboard:
    """The dashboard, filtered by domain slug, progress status and the table working on the
    indicators. Six queries."""
    marked = geographies_marked(tenant=tenant)
    indicators = list(
        Indicator.objects.select_related("domain").order_by("domain__position", "code")
    )
    has_indicators = bool(indicators)
    if domain:
        indicators = [i for i in indicators if i.domain.slug == domain]
    if table_id is not None:
        linked = set(
            IndicatorTable.objects.filter(table_id=table_id).values_list("indicator_id", flat=True)
        )
        indicators = [i for i in indicators if i.pk in linked]
    ids = [i.pk for i in indicators]
    values = _series_by_geography(indicator_ids=ids, geographies=marked.all)
    primary = marked.ours[0] if marked.ours else None
    statuses = progress_statuses(indicator_ids=ids, tenant=tenant, place=primary)
    today = timezone.localdate()

    groups: dict[int, DomainGroup] = {}
    count = 0
    for indicator in indicators:
        unit = unit_of(indicator)
        # "Ours" is the first of the plan's geographies with values for this indicator (opioid
        # deaths are counted by health unit, crime by region).
        ours = next(
            (
                g
                for g in marked.ours
                if any(o.value is not None for o in values[(indicator.pk, g.pk)])
            ),
            primary,
        )
        own_obs = values[(indicator.pk, ours.pk)] if ours else []
        cmp_obs = values[(indicator.pk, marked.comparison.pk)] if marked.comparison else []
        progress, status_for = statuses[indicator.pk]
        if status and progress.status != status:
            continue
        points = [(o.period.label, o.value) for o in own_obs]
        latest = _latest(own_obs, unit)
        currency, stale = currency_text(latest, today=today)
        spark_text = (
            summary_sentence(
                geography=ours.name, points=points, direction=indicator.direction, unit=unit
            )
            if ours
            else ""
        )
        row = DashboardRow(
            indicator=indicator,
            name=indicator.name_en,
            unit=indicator.unit_label,
            ours_name=ours.name if ours else "",
            ours=latest,
            comparison=_latest(cmp_obs, unit),
            trend=latest_trend(points, direction=indicator.direction),
            sparkline=sparkline([v for _, v in points], text=spark_text) if latest else None,
            spark_text=spark_text,
            status=progress.status,
            status_label=progress.label,
            status_for=status_for,
            currency=currency,
            stale=stale,
            status_reason=progress.reason,
            status_computed=progress.computed_label,
        )
        group = groups.setdefault(
            indicator.domain_id,
            DomainGroup(name=indicator.domain.name_en, slug=indicator.domain.slug, rows=[]),
        )
        group.rows.append(row)
        count += 1
    return Dashboard(
        ours=primary,
        comparison=marked.comparison,
        groups=list(groups.values()),
        count=count,
        has_indicators=has_indicators,
    )


def progress_statuses(
    *, indicator_ids: list[int], tenant: Tenant, place: Geography | None
) -> dict[int, tuple[Progress, str]]:
    """Each indicator's status and the place it is for: the plan's own override, else the
    status worked out for the plan's first place, else the headline's (as Statistics Canada
    publishes it). Two queries."""
    where = Q(geography__isnull=True) | (Q(geography=place) if place else Q(pk__in=[]))
    computed: dict[tuple[int, int | None], ProgressStatus] = {}
    for p in ProgressStatus.objects.filter(where, indicator_id__in=indicator_ids):
        key = (p.indicator_id, p.geography_id)
        if p.tenant_id is not None or key not in computed:  # the plan's own computation wins
            computed[key] = p
    overrides = {
        o.indicator_id: o
        for o in ProgressOverride.objects.filter(tenant=tenant, indicator_id__in=indicator_ids)
    }
    found = {}
    for pk in indicator_ids:
        own = computed.get((pk, place.pk)) if place else None
        chosen = own or computed.get((pk, None))
        where_for = place.name if own is not None else ""
        found[pk] = (Progress(computed=chosen, override=overrides.get(pk)), where_for)
    return found
