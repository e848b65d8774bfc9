"""The CSWB dashboard: every indicator of the plan (shared and its own) by domain, with its
latest value for "our" geography beside the comparison (the country's where neither has one),
the latest change, a sparkline, the progress status with the place it is for and how current
the data is; indicators with values only for other places listed apart; a page at a time. A
fixed number of queries, whatever the number of indicators, geographies and years."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from cswb.models import Tenant
from indicators.charts import sparkline
from indicators.models import (
    Geography,
    GeographyRole,
    GeoKind,
    Indicator,
    IndicatorTable,
    Observation,
    ProgressCode,
    ProgressOverride,
    ProgressStatus,
    TenantGeography,
    ValueStatus,
)
from indicators.selectors.catalogue import OurGeographies
from indicators.summary import Trend, Unit, latest_trend, summary_sentence

STALE_AFTER_YEARS = 2


def unit_of(indicator: Indicator | IndicatorRead) -> Unit:
    """How a value reads in a sentence: a rate "per 100,000", a percentage with its sign, a
    count or an index as the number alone (the page names the unit beside it)."""
    label = ""
    if indicator.unit_type == "rate" and indicator.multiplier > 1:
        label = f"per {indicator.multiplier:,}"
    return Unit(type=indicator.unit_type, label=label, decimals=indicator.decimals)


def flag_of(observation: Observation | ValueRead) -> str:
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
class PlaceValue:
    """One place on a card and its latest value (None: no value for it in this series)."""

    name: str
    latest: Latest | None


@dataclass(frozen=True)
class PlacedStatus:
    """A progress status and the place it was worked out for, so a card never shows the
    national status beside a local value as if it were the local one."""

    code: str
    label: str
    place: str  # "" when not available, or when the plan set it
    by_plan: bool = False  # a plan admin set it, with `reason`, instead of the one worked out
    reason: str = ""
    computed: PlacedStatus | None = None  # the status worked out, shown beside the admin's


NOT_AVAILABLE = PlacedStatus(code="not_available", label="Not available", place="")


@dataclass(frozen=True)
class DashboardRow:
    indicator: IndicatorRead
    href: str
    name: str
    unit: str
    places: list[PlaceValue]
    more_places: int  # places with values not shown on the card (other places only)
    focus: str  # the place the trend, sparkline and currency are for
    trend: Trend
    sparkline: SafeString | None
    spark_text: str
    status: PlacedStatus
    currency: str
    stale: bool


@dataclass(frozen=True)
class DomainGroup:
    name: str
    slug: str
    rows: list[DashboardRow]


@dataclass(frozen=True)
class Dashboard:
    ours: Geography | None
    comparison: Geography | None
    # The places the dashboard is about: "Halton Region, Ontario or Canada".
    context: str
    # No place marked: every indicator is shown with the first places it has values for.
    planned: bool
    other_places: bool  # showing the indicators that have values only for other places
    groups: list[DomainGroup]
    count: int
    page: Page
    elsewhere: int  # indicators (of these domains and tables) with values only elsewhere
    has_indicators: bool


def either_of(names: list[str]) -> str:
    """ "A, B or C"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"


def latest_shown(observation: Observation | ValueRead | None, unit: Unit) -> Latest | None:
    if observation is None or observation.value is None:
        return None
    return Latest(
        text=unit.format(observation.value),
        period=observation.period.label,
        flag=flag_of(observation),
        period_end=observation.period.end,
    )


def _latest(observations: list[ValueRead], unit: Unit) -> Latest | None:
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


PAGE_SIZE = 24
OTHER_PLACES_SHOWN = 2
# The order in which a card names the places of an indicator that has none of the plan's.
KIND_ORDER = {
    GeoKind.COUNTRY: 0,
    GeoKind.REGION: 1,
    GeoKind.PROVINCE: 2,
    GeoKind.CMA: 3,
    GeoKind.HEALTH_UNIT: 4,
    GeoKind.MUNICIPALITY: 5,
}


@dataclass(frozen=True, slots=True)
class PeriodRead:
    label: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True, slots=True)
class ValueRead:
    """An observation as a card reads it (what `flag_of` and `latest_shown` need)."""

    value: Decimal | None
    status: str
    complete_through: datetime.date | None
    period: PeriodRead


def _series_by_geography(
    *, indicator_ids: list[int], geography_ids: set[int]
) -> dict[tuple[int, int], list[ValueRead]]:
    """Every default-breakdown value of these indicators for these geographies, by
    (indicator id, geography id), in period order: plain rows, no model instances. One
    query."""
    found: dict[tuple[int, int], list[ValueRead]] = defaultdict(list)
    if not indicator_ids or not geography_ids:
        return found
    rows = (
        Observation.objects.filter(
            indicator_id__in=indicator_ids,
            geography_id__in=geography_ids,
            series__is_default=True,
        )
        .order_by("period__start", "period__end")
        .values_list(
            "indicator_id",
            "geography_id",
            "value",
            "status",
            "complete_through",
            "period_id",
            "period__label",
            "period__start",
            "period__end",
        )
    )
    periods: dict[int, PeriodRead] = {}
    for indicator_id, geography_id, value, status, through, period_id, *period in rows:
        if period_id not in periods:
            periods[period_id] = PeriodRead(*period)
        found[(indicator_id, geography_id)].append(
            ValueRead(value, status, through, periods[period_id])
        )
    return found


@dataclass(frozen=True)
class Presence:
    """Which indicators have values where: for the plan's places and for the country."""

    pairs: set[tuple[int, int]]  # (indicator id, geography id) with at least one value
    countries: list[Geography]  # countries (not marked by the plan) with values, by name

    @property
    def indicator_ids(self) -> set[int]:
        return {pk for pk, _ in self.pairs}


@dataclass(frozen=True, slots=True)
class DomainRead:
    pk: int
    slug: str
    name_en: str


@dataclass(frozen=True, slots=True)
class IndicatorRead:
    """What a card reads of an indicator: read as plain values, 300 of them cost nothing."""

    pk: int
    code: str
    slug: str
    name_en: str
    unit_label: str
    unit_type: str
    multiplier: int
    decimals: int
    direction: str
    domain: DomainRead

    @property
    def domain_id(self) -> int:
        return self.domain.pk


INDICATOR_FIELDS = (
    "pk",
    "code",
    "slug",
    "name_en",
    "unit_label",
    "unit_type",
    "multiplier",
    "decimals",
    "direction",
    "domain_id",
    "domain__slug",
    "domain__name_en",
)


def places_read(*, tenant: Tenant) -> tuple[OurGeographies, list[Geography]]:
    """The plan's places (its own, in its order, and its comparison) and the countries it did
    not mark (Canada). One query."""
    marks = TenantGeography.objects.filter(tenant=tenant, geography=OuterRef("pk"))
    rows = list(
        Geography.objects.filter(
            Q(kind=GeoKind.COUNTRY)
            | Q(pk__in=TenantGeography.objects.filter(tenant=tenant).values("geography_id"))
        ).annotate(
            role=Subquery(marks.values("role")[:1]),
            position=Subquery(marks.values("position")[:1]),
            mark=Subquery(marks.values("pk")[:1]),
        )
    )
    ours = sorted(
        (g for g in rows if g.role == GeographyRole.OURS), key=lambda g: (g.position, g.mark)
    )
    comparison = next((g for g in rows if g.role == GeographyRole.COMPARISON), None)
    countries = sorted((g for g in rows if g.role is None), key=lambda g: g.name)
    return OurGeographies(ours=ours, comparison=comparison), countries


def indicators_present(
    indicators: QuerySet[Indicator], *, marked: OurGeographies, countries: list[Geography]
) -> tuple[list[IndicatorRead], Presence]:
    """The indicators as cards read them, each with whether it has at least one value, in
    its default breakdown, for each of the plan's places and each country: one index probe
    per indicator and place, not a read of every value. One query."""
    places = [*marked.all, *countries]
    values = Observation.objects.filter(
        indicator=OuterRef("pk"), series__is_default=True, value__isnull=False
    )
    flags = {f"has_{g.pk}": Exists(values.filter(geography_id=g.pk)) for g in places}
    rows = indicators.annotate(**flags).values_list(*INDICATOR_FIELDS, *flags)
    domains: dict[int, DomainRead] = {}
    found, pairs = [], set()
    width = len(INDICATOR_FIELDS)
    for row in rows:
        *fields, domain_id, domain_slug, domain_name = row[:width]
        if domain_id not in domains:
            domains[domain_id] = DomainRead(domain_id, domain_slug, domain_name)
        found.append(IndicatorRead(*fields, domain=domains[domain_id]))
        pairs.update((row[0], g.pk) for g, has in zip(places, row[width:], strict=True) if has)
    with_values = {pk for _, pk in pairs}
    return found, Presence(pairs=pairs, countries=[g for g in countries if g.pk in with_values])


def _places_elsewhere(
    *, indicator_ids: list[int], exclude: list[int]
) -> dict[int, list[Geography]]:
    """The places each indicator has values for, other than those excluded, best known first
    (the country, regions, provinces, then the others, by name). One query."""
    found: dict[int, list[Geography]] = defaultdict(list)
    if not indicator_ids:
        return found
    rows = (
        Observation.objects.filter(
            indicator_id__in=indicator_ids, series__is_default=True, value__isnull=False
        )
        .exclude(geography_id__in=exclude)
        .order_by()
        .values_list("indicator_id", "geography_id", "geography__name", "geography__kind")
        .distinct()
    )
    for indicator_id, pk, name, kind in rows:
        found[indicator_id].append(Geography(pk=pk, name=name, kind=kind))
    for places in found.values():
        places.sort(key=lambda g: (KIND_ORDER.get(g.kind, 9), g.name))
    return found


def statuses_placed(
    *, tenant: Tenant, places: dict[int, list[Geography]]
) -> dict[int, PlacedStatus]:
    """Each indicator's progress status and the place it is for: the status a plan admin
    set, with their reason and the status worked out beside it, else the status worked out
    for the first of `places` (the places whose values are shown beside it, in the order
    shown) that has one — the headline, as Statistics Canada publishes it, counting as the
    country's. Two queries."""
    ids = list(places)
    if not ids:
        return {}
    geography_ids = {g.pk for found in places.values() for g in found}
    computed: dict[tuple[int, int | None], str] = {}
    rows = ProgressStatus.objects.filter(
        Q(geography_id__in=geography_ids) | Q(geography__isnull=True), indicator_id__in=ids
    ).values_list("indicator_id", "geography_id", "tenant_id", "status")
    for indicator_id, geography_id, tenant_id, code in rows:
        key = (indicator_id, geography_id)
        if tenant_id is not None or key not in computed:  # the plan's own computation wins
            computed[key] = code
    overrides = {
        pk: (code, reason)
        for pk, code, reason in ProgressOverride.objects.filter(
            tenant=tenant, indicator_id__in=ids
        ).values_list("indicator_id", "status", "reason")
    }
    out = {}
    for pk, found in places.items():
        worked = NOT_AVAILABLE
        for g in found:
            code = computed.get((pk, g.pk))
            if code is None and g.kind == GeoKind.COUNTRY:
                code = computed.get((pk, None))
            if code is not None:
                worked = PlacedStatus(code=code, label=ProgressCode(code).label, place=g.name)
                break
        if pk in overrides:
            code, reason = overrides[pk]
            worked = PlacedStatus(
                code=code,
                label=ProgressCode(code).label,
                place="",
                by_plan=True,
                reason=reason,
                computed=worked,
            )
        out[pk] = worked
    return out


@dataclass(frozen=True)
class Placed:
    """Where a card's values are for."""

    shown: list[Geography]  # the places on the card, in order
    valued: list[Geography]  # those of them with values, in order
    more: int = 0  # places with values left off the card


def placed_locally(
    indicator: IndicatorRead, *, marked: OurGeographies, present: Presence
) -> Placed:
    """Our place (the first of the plan's with values: opioid deaths are counted by health
    unit, crime by region) and the comparison, shown even without a value so the card says
    so; the country only when neither has a value."""

    def has(g: Geography) -> bool:
        return (indicator.pk, g.pk) in present.pairs

    shown = []
    if marked.ours:
        shown.append(next((g for g in marked.ours if has(g)), marked.ours[0]))
    if marked.comparison:
        shown.append(marked.comparison)
    if not any(has(g) for g in shown):
        shown += [g for g in present.countries if has(g)][:1]
    return Placed(shown=shown, valued=[g for g in shown if has(g)])


@dataclass(frozen=True)
class Catalogue:
    """What the dashboard starts from: the plan's places, and every indicator (shared and
    the plan's own, by domain and code) with the places it has values for."""

    marked: OurGeographies
    indicators: list[IndicatorRead]
    presence: Presence


def catalogue_read(*, tenant: Tenant) -> Catalogue:
    """Two queries: the places, the indicators."""
    marked, countries = places_read(tenant=tenant)
    indicators, presence = indicators_present(
        Indicator.objects.order_by("domain__position", "code"), marked=marked, countries=countries
    )
    return Catalogue(marked=marked, indicators=indicators, presence=presence)


def dashboard_read(
    *,
    tenant: Tenant,
    catalogue: Catalogue | None = None,
    domain: str = "",
    status: str = "",
    table_id: int | None = None,
    other_places: bool = False,
    page: str | int | None = None,
) -> Dashboard:
    """One page of the dashboard, filtered by domain slug, progress status and the table
    working on the indicators. It is about the plan's places, its comparison and the country:
    an indicator with values for none of them (Toronto's shelter flow on Halton's dashboard)
    is listed apart, with `other_places`. A plan that marked no place sees every indicator
    with the first places it has values for. Values are read for the page's indicators only.
    Three queries besides the catalogue's two (when not given), one more filtered by a
    table, one more for other places: the same whatever the number of indicators, places
    and years."""
    catalogue = catalogue if catalogue is not None else catalogue_read(tenant=tenant)
    marked, present, indicators = catalogue.marked, catalogue.presence, catalogue.indicators
    has_indicators = bool(indicators)
    if domain:
        indicators = [i for i in indicators if i.domain.slug == domain]
    if table_id is not None:
        linked = set(
            IndicatorTable.objects.filter(table_id=table_id).values_list("indicator_id", flat=True)
        )
        indicators = [i for i in indicators if i.pk in linked]

    planned = bool(marked.all)
    context = [*marked.all, *present.countries] if planned else []
    local = present.indicator_ids
    elsewhere = [i for i in indicators if i.pk not in local] if planned else []
    if not planned:
        chosen = indicators
    elif other_places:
        chosen = elsewhere
    else:
        chosen = [i for i in indicators if i.pk in local]
    apart = other_places or not planned  # cards name the places each indicator has values for

    def placed_for(pool: list[IndicatorRead]) -> dict[int, Placed]:
        if apart:
            found = _places_elsewhere(
                indicator_ids=[i.pk for i in pool], exclude=[g.pk for g in context]
            )
            return {
                i.pk: Placed(
                    shown=found[i.pk][:OTHER_PLACES_SHOWN],
                    valued=found[i.pk][:OTHER_PLACES_SHOWN],
                    more=max(0, len(found[i.pk]) - OTHER_PLACES_SHOWN),
                )
                for i in pool
            }
        return {i.pk: placed_locally(i, marked=marked, present=present) for i in pool}

    if status:  # the status depends on the places: work them out for every candidate
        placed = placed_for(chosen)
        statuses = statuses_placed(tenant=tenant, places={pk: p.valued for pk, p in placed.items()})
        chosen = [i for i in chosen if statuses[i.pk].code == status]
        current = Paginator(chosen, PAGE_SIZE).get_page(page)
        items = list(current.object_list)
    else:  # only for the page shown
        current = Paginator(chosen, PAGE_SIZE).get_page(page)
        items = list(current.object_list)
        placed = placed_for(items)
        statuses = statuses_placed(tenant=tenant, places={i.pk: placed[i.pk].valued for i in items})

    values = _series_by_geography(
        indicator_ids=[i.pk for i in items],
        geography_ids={g.pk for i in items for g in placed[i.pk].shown},
    )
    today = timezone.localdate()
    # Each card's address, from one reverse: ".../indicators/<slug>/" (slugs need no quoting).
    href = reverse("indicators:indicator", args=[tenant.slug, "x"]).removesuffix("x/")
    groups: dict[int, DomainGroup] = {}
    for indicator in items:
        where = placed[indicator.pk]
        group = groups.setdefault(
            indicator.domain_id,
            DomainGroup(name=indicator.domain.name_en, slug=indicator.domain.slug, rows=[]),
        )
        group.rows.append(
            _row(
                indicator,
                where=where,
                values=values,
                status=statuses[indicator.pk],
                today=today,
                href=href,
            )
        )
    return Dashboard(
        ours=marked.ours[0] if marked.ours else None,
        comparison=marked.comparison,
        context=either_of([g.name for g in context]),
        planned=planned,
        other_places=bool(planned and other_places),
        groups=list(groups.values()),
        count=len(chosen),
        page=current,
        elsewhere=len(elsewhere),
        has_indicators=has_indicators,
    )


def _row(
    indicator: IndicatorRead,
    *,
    where: Placed,
    values: dict[tuple[int, int], list[ValueRead]],
    status: PlacedStatus,
    today: datetime.date,
    href: str,
) -> DashboardRow:
    """One card, from values already read: no query."""
    unit = unit_of(indicator)
    places = [
        PlaceValue(name=g.name, latest=_latest(values[(indicator.pk, g.pk)], unit))
        for g in where.shown
    ]
    focus = next(
        (g for g, p in zip(where.shown, places, strict=True) if p.latest is not None), None
    )
    own_obs = values[(indicator.pk, focus.pk)] if focus else []
    # The trend and its sentence compare whole periods: a value for part of a year is shown,
    # with its flag, but not compared with the years before it.
    points = [(o.period.label, o.value) for o in own_obs if o.status != ValueStatus.PARTIAL]
    latest = _latest(own_obs, unit)
    currency, stale = currency_text(latest, today=today)
    spark_text = (
        summary_sentence(
            geography=focus.name, points=points, direction=indicator.direction, unit=unit
        )
        if focus
        else ""
    )
    return DashboardRow(
        indicator=indicator,
        href=f"{href}{indicator.slug}/",
        name=indicator.name_en,
        unit=indicator.unit_label,
        places=places,
        more_places=where.more,
        focus=focus.name if focus else "",
        trend=latest_trend(points, direction=indicator.direction),
        sparkline=sparkline([v for _, v in points], text=spark_text) if latest else None,
        spark_text=spark_text,
        status=status,
        currency=currency,
        stale=stale,
    )
