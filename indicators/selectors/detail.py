"""The indicator page: one breakdown of an indicator as a chart (one line per geography) and
the same values as a table, with their footnotes, the target, a sentence per line, the
progress status with how it was worked out, and the CSV of exactly what is shown. A fixed
number of queries, whatever the number of geographies and periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.utils.safestring import SafeString

from cswb.models import Tenant
from indicators.charts import (
    ChartPoint,
    ChartSeries,
    ChartTarget,
    LineChart,
    fmt_number,
    line_chart,
)
from indicators.models import (
    Geography,
    GeoKind,
    Indicator,
    Observation,
    Period,
    ProgressOverride,
    ProgressStatus,
    Series,
    Target,
    ValueStatus,
)
from indicators.models.catalogue import EVER
from indicators.selectors.catalogue import OurGeographies
from indicators.selectors.dashboard import flag_of, unit_of
from indicators.summary import summary_sentence

MAX_LINES = 8  # when the plan's own geographies have no values: the first places that do


def breakdown_label(series: Series) -> str:
    """ "Sex: Female; Age group: 15 to 24"; the headline is "All (headline)"."""
    if series.is_headline:
        return "All (headline)"
    return "; ".join(f"{k}: {v}" for k, v in sorted(series.dimensions.items()) if v) or series.key


def _dimensions_named(names: list[str]) -> str:
    """ "By age group", "By age group and sex", "By age group, sex and visible minority"
    (an acronym keeps its capitals)."""
    words = [n if n[:2].isupper() else n[:1].lower() + n[1:] for n in names]
    joined = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"By {joined}"


def breakdown_choices(series: list[Series]) -> list[tuple[str, object]]:
    """The breakdowns to choose from: the one shown first and the headline, then one group
    per set of dimensions a breakdown changes from the one shown first ("By age group and
    sex"), each named by those values alone ("18 to 34 years; Females"). A select of 123
    breakdowns reads as a dozen groups."""
    default = next((s for s in series if s.is_default), None)
    base = default.dimensions if default else {}
    first: list[tuple[str, str]] = []
    groups: dict[tuple[str, ...], list[tuple[Series, str]]] = {}
    for s in series:
        changed = [
            k for k in sorted(s.dimensions) if s.dimensions[k] and s.dimensions[k] != base.get(k)
        ]
        if s is default or not changed:
            first.append((s.key, breakdown_label(s)))
            continue
        groups.setdefault(tuple(changed), []).append(
            (s, "; ".join(s.dimensions[k] for k in changed))
        )
    first.sort(key=lambda choice: default is None or choice[0] != default.key)
    choices: list[tuple[str, object]] = list(first)
    for names, members in sorted(groups.items(), key=lambda item: (len(item[0]), item[0])):
        labels = [label for _, label in members]
        choices.append(
            (
                _dimensions_named(list(names)),
                [
                    # Two breakdowns that differ elsewhere keep their full names.
                    (s.key, label if labels.count(label) == 1 else breakdown_label(s))
                    for s, label in members
                ],
            )
        )
    return choices


@dataclass(frozen=True)
class Cell:
    geography: str
    period: str
    value: Decimal | None
    text: str  # the value as shown, "" when there is none
    status: str  # "suppressed", "partial, to September 30, 2024", …
    footnote: str
    notes: list[int] = field(default_factory=list)  # footnote numbers
    partial: bool = False  # for part of the period only: shown, never compared with whole ones

    @property
    def csv_value(self) -> str:
        return self.text.replace(",", "")


@dataclass(frozen=True)
class TableRow:
    period: str
    cells: list[Cell]


@dataclass(frozen=True)
class DataTable:
    columns: list[str]
    rows: list[TableRow]
    footnotes: list[str]


@dataclass(frozen=True)
class TargetView:
    value: Decimal
    text: str
    period: str


@dataclass(frozen=True)
class StatusView:
    code: str
    label: str
    geography: str
    override_reason: str  # "" unless a plan admin set the status shown
    computed_label: str
    inputs: list[tuple[str, str]]
    override_at: datetime.datetime | None = None

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


@dataclass(frozen=True)
class SeriesView:
    """What the page shows of one breakdown: lines, table, target, sentences."""

    selection: str
    geographies: list[Geography]
    periods: list[Period]
    table: DataTable
    target: TargetView | None
    summaries: list[str]
    chart: SafeString


def lines_chosen(observations: list[Observation], marked: OurGeographies) -> list[Geography]:
    """The places drawn: the plan's own and its comparison, then the country, where they have
    values; if none of those has any, the first places that do (country, provinces, others)."""
    with_values: dict[int, Geography] = {}
    for o in observations:
        if o.value is not None:
            with_values.setdefault(o.geography_id, o.geography)
    chosen = [g for g in marked.all if g.pk in with_values]
    countries = sorted(
        (g for g in with_values.values() if g.kind == GeoKind.COUNTRY), key=lambda g: g.name
    )
    chosen += [g for g in countries if g not in chosen]
    if chosen:
        return chosen
    order = {GeoKind.COUNTRY: 0, GeoKind.REGION: 1, GeoKind.PROVINCE: 2}
    ranked = sorted(with_values.values(), key=lambda g: (order.get(g.kind, 3), g.name))
    return ranked[:MAX_LINES]


def _target(indicator: Indicator, series: Series, lines: list[Geography]) -> Target | None:
    ids = {g.pk for g in lines}
    fitting = [
        t
        for t in indicator.targets.all()
        if t.series_id in (None, series.pk) and (t.geography_id is None or t.geography_id in ids)
    ]
    fitting.sort(key=lambda t: (t.series_id is None, t.geography_id is None, t.target_year))
    return fitting[0] if fitting else None


def series_view(
    *, indicator: Indicator, series: Series, marked: OurGeographies, chart_id: str = "chart"
) -> SeriesView:
    """One breakdown as lines, a table and sentences. One query."""
    observations = list(
        Observation.objects.filter(series=series)
        .select_related("period", "geography")
        .order_by("period__start", "period__end", "geography_id")
    )
    lines = lines_chosen(observations, marked)
    line_ids = [g.pk for g in lines]
    shown = [o for o in observations if o.geography_id in line_ids]
    periods: dict[int, Period] = {}
    for o in shown:
        periods.setdefault(o.period_id, o.period)
    period_list = sorted(periods.values(), key=lambda p: (p.start, p.end))
    by_cell = {(o.geography_id, o.period_id): o for o in shown}
    unit = unit_of(indicator)

    footnotes: list[str] = []
    rows = []
    for period in period_list:
        cells = []
        for geography in lines:
            o = by_cell.get((geography.pk, period.pk))
            notes = []
            if o is not None and o.footnote:
                if o.footnote not in footnotes:
                    footnotes.append(o.footnote)
                notes.append(footnotes.index(o.footnote) + 1)
            value = o.value if o is not None else None
            cells.append(
                Cell(
                    geography=geography.name,
                    period=period.label,
                    value=value,
                    text="" if value is None else fmt_number(value, indicator.decimals),
                    status=flag_of(o) if o is not None else "",
                    footnote=o.footnote if o is not None else "",
                    notes=notes,
                    partial=o is not None and o.status == ValueStatus.PARTIAL,
                )
            )
        rows.append(TableRow(period=period.label, cells=cells))

    target = _target(indicator, series, lines)
    target_view = (
        TargetView(
            value=target.value,
            text=f"{unit.format(target.value)} by {target.target_year}",
            period=str(target.target_year),
        )
        if target is not None
        else None
    )
    summaries = [
        summary_sentence(
            geography=g.name,
            points=[(row.period, row.cells[n].value) for row in rows if not row.cells[n].partial],
            direction=indicator.direction,
            unit=unit,
        )
        for n, g in enumerate(lines)
    ]
    selection = breakdown_label(series)
    chart = line_chart(
        LineChart(
            periods=[p.label for p in period_list],
            positions=[p.start.toordinal() / 365.25 for p in period_list],
            series=[
                ChartSeries(
                    name=g.name,
                    points=[
                        ChartPoint(value=row.cells[n].value, flag=row.cells[n].status)
                        for row in rows
                    ],
                )
                for n, g in enumerate(lines)
            ],
            title=f"{indicator.name_en}: {selection}",
            description=" ".join(summaries) or "No values have been published for this selection.",
            y_label=indicator.unit_label,
            target=(
                ChartTarget(value=target.value, label=f"Target {target_view.text}")
                if target_view
                else None
            ),
            decimals=indicator.decimals,
            extra_values=[],
        ),
        chart_id=chart_id,
    )
    return SeriesView(
        selection=selection,
        geographies=lines,
        periods=period_list,
        table=DataTable(columns=[g.name for g in lines], rows=rows, footnotes=footnotes),
        target=target_view,
        summaries=summaries,
        chart=chart,
    )


SCHEME_SHORT = {"sgc": "SGC", "cma": "CMA", "hr_uid": "HR_UID", "local": "Local code"}


def _day(d: datetime.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _code_text(g: Geography) -> str:
    """ "HR_UID 3536 from January 1, 2023", "HR_UID 2236 until December 31, 2022", "SGC 35"."""
    text = f"{SCHEME_SHORT.get(g.scheme, g.scheme)} {g.code}"
    if g.valid_from > EVER:
        text += f" from {_day(g.valid_from)}"
    if g.valid_to is not None:
        text += f"{',' if g.valid_from > EVER else ''} until {_day(g.valid_to)}"
    return text


@dataclass(frozen=True)
class PlaceCodes:
    name: str
    codes: list[str]  # the latest first, then the earlier ones

    @property
    def changed(self) -> bool:
        return len(self.codes) > 1


def place_codes(geographies: list[Geography]) -> list[PlaceCodes]:
    """The codes of the places shown, with the dates they are valid and the place's earlier
    codes (values imported under them are on the place's line). One query."""
    earlier: dict[int, list[Geography]] = {}
    superseded = list(Geography.objects.filter(superseded_by__isnull=False))
    by_successor: dict[int, list[Geography]] = {}
    for g in superseded:
        by_successor.setdefault(g.superseded_by_id, []).append(g)
    for place in geographies:
        found, todo, seen = [], [place.pk], {place.pk}
        while todo:
            for g in by_successor.get(todo.pop(), []):
                if g.pk not in seen:
                    seen.add(g.pk)
                    found.append(g)
                    todo.append(g.pk)
        earlier[place.pk] = sorted(found, key=lambda g: g.valid_to, reverse=True)
    return [
        PlaceCodes(name=g.name, codes=[_code_text(c) for c in [g, *earlier[g.pk]]])
        for g in geographies
        if g.code
    ]


@dataclass(frozen=True)
class SourceView:
    organisation: str
    title: str
    table_id: str
    href: str  # "" unless an http(s) address: an imported file could hold any text
    licence: str
    periodicity: str


def sources_shown(indicator: Indicator) -> list[SourceView]:
    """The indicator's sources (prefetched), with links only to web addresses."""
    return [
        SourceView(
            organisation=s.organisation,
            title=s.title,
            table_id=s.table_id,
            href=s.url if urlsplit(s.url).scheme in ("http", "https") else "",
            licence=s.licence,
            periodicity=s.periodicity,
        )
        for s in indicator.sources.all()
    ]


INPUT_LABELS = {
    "method": "Method",
    "direction": "Desired direction",
    "why": "Why not worked out",
    "left_out": "Left out",
    "base_year": "Base year",
    "base_value": "Value in the base year",
    "current_year": "Latest year",
    "current_value": "Latest value",
    "cagr_observed": "Growth per year observed (compound)",
    "target": "Target",
    "target_year": "Target year",
    "cagr_required": "Growth per year needed to reach the target",
    "ratio": "Growth observed over growth needed",
    "scaling": "Scaling near the natural limit",
    "natural_limit": "Natural limit",
    "thresholds": "Thresholds (substantial, moderate, limited)",
    "series_scores": "Score of each series",
    "score": "Score (from -5 to +5)",
}
INPUT_VALUES = {
    "open_sdg_progress_measure": "Open SDG progress measure (Statistics Canada)",
    "positive": "higher is better",
    "negative": "lower is better",
}


def _input_text(value: object) -> str:
    if isinstance(value, str):
        return INPUT_VALUES.get(value, value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_input_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_input_text(v) for v in value)
    if value is None:
        return "none"
    return str(value)


def status_view(
    *, indicator: Indicator, tenant: Tenant, places: list[Geography]
) -> StatusView | None:
    """The progress status worked out for the first of `places` (the lines drawn: the plan's
    own, its comparison, the country) that has one, the headline counting as the country's,
    and named with its place (else the national headline, named so); the plan's override
    shown instead, with both visible. Two queries."""
    computed = list(ProgressStatus.objects.filter(indicator=indicator).select_related("geography"))

    def pick(geography_id: int | None) -> ProgressStatus | None:
        candidates = [p for p in computed if p.geography_id == geography_id]
        candidates.sort(key=lambda p: p.tenant_id is None)  # the plan's own first
        return candidates[0] if candidates else None

    chosen, where = None, ""
    for place in places:
        chosen = pick(place.pk) or (pick(None) if place.kind == GeoKind.COUNTRY else None)
        if chosen is not None:
            where = place.name
            break
    else:  # none of the lines drawn has one: the national headline, said so
        chosen = pick(None)
        where = "Canada, as Statistics Canada publishes it" if chosen is not None else ""
    override = ProgressOverride.objects.filter(indicator=indicator, tenant=tenant).first()
    if chosen is None and override is None:
        return None
    inputs = [
        (INPUT_LABELS.get(key, key.replace("_", " ").capitalize()), _input_text(value))
        for key, value in (chosen.inputs.items() if chosen else [])
    ]
    computed_label = chosen.get_status_display() if chosen else "Not worked out"
    return StatusView(
        code=override.status if override else chosen.status,
        label=override.get_status_display() if override else computed_label,
        geography=where,
        override_reason=override.reason if override else "",
        computed_label=computed_label,
        inputs=inputs,
        override_at=override.at if override else None,
    )
