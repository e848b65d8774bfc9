"""Charts drawn on the server as SVG markup: a line chart (one line per geography, a dashed
labelled target, gaps where a period has no value, suppressed periods marked) and a sparkline.

Pure Python in, markup out: no model is read here, so the drawing is tested on plain numbers.
Every text is escaped; colours, dashes and sizes come from classes in the stylesheet (the
content security policy allows no inline style). Meaning never rests on colour alone: each line
has its own marker shape and a legend entry, the target is dashed and labelled, and the page
puts the data table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Marker shapes, one per line, in the order lines are drawn; the legend shows the same shape.
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "bar")


@dataclass(frozen=True)
class ChartPoint:
    """One period of one line. `value` None is a gap; `flag` says why a value is missing or
    how it is qualified ("suppressed", "preliminary", "partial", …): a missing value with a flag
    is marked on the axis, a qualified value gets a hollow marker."""

    value: Decimal | None
    flag: str = ""


@dataclass(frozen=True)
class ChartSeries:
    name: str
    points: Sequence[ChartPoint]  # one per period, aligned with the chart's periods


@dataclass(frozen=True)
class ChartTarget:
    value: Decimal
    label: str  # "Target 10 by 2028"


@dataclass(frozen=True)
class LineChart:
    periods: Sequence[str]  # period labels, in order
    series: Sequence[ChartSeries]
    title: str
    description: str
    y_label: str = ""
    x_label: str = ""
    target: ChartTarget | None = None
    # Positions of the periods on the x axis (e.g. years as numbers), so that 2018, 2021, 2022
    # are spaced as time is; None spaces them evenly.
    positions: Sequence[float] | None = None
    decimals: int = 0
    extra_values: Sequence[Decimal] = field(default_factory=tuple)  # e.g. a natural limit


def fmt_number(value: Decimal | float | int, decimals: int = 0) -> str:
    """1070 → "1,070"; 12.345 with one decimal → "12.3"."""
    quantum = Decimal(1).scaleb(-decimals)
    # Half up, as statistical tables round (12.25 → 12.3), not the banker's half even.
    return f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):,f}"


def _c(value: float) -> str:
    """A coordinate as short text: 12.0 → "12", 12.345 → "12.3"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) that cover low…high."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(ticks[-1] + step)
    return [round(t, 10) for t in ticks]


def segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points, split wherever a point is missing: a line never bridges a
    period that has no value."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def path_data(points: Sequence[tuple[float, float] | None]) -> str:
    """SVG path data: a move to the start of each run, lines along it. A run of one point draws
    nothing (its marker shows it)."""
    parts = []
    for run in segments(points):
        if len(run) < 2:
            continue
        head, *rest = run
        parts.append(
            f"M{_c(head[0])},{_c(head[1])}" + "".join(f"L{_c(x)},{_c(y)}" for x, y in rest)
        )
    return " ".join(parts)


def _labelled(count: int, most: int = 8) -> list[int]:
    """Which periods get a label on the x axis: at most about `most`, evenly spaced, the first
    and the last always."""
    if count == 0:
        return []
    every = max(1, math.ceil(count / most))
    chosen = list(range(0, count, every))
    if chosen[-1] != count - 1:
        if count - 1 - chosen[-1] < every / 2 and len(chosen) > 1:
            chosen[-1] = count - 1
        else:
            chosen.append(count - 1)
    return chosen


def _marker(shape: str, x: float, y: float, css: str, label: str) -> str:
    title = f"<title>{escape(label)}</title>"
    if shape == "circle":
        return f'<circle class="{css}" cx="{_c(x)}" cy="{_c(y)}" r="4">{title}</circle>'
    if shape == "square":
        return (
            f'<rect class="{css}" x="{_c(x - 4)}" y="{_c(y - 4)}" width="8" height="8">'
            f"{title}</rect>"
        )
    corners = {
        "triangle": ((0, -5), (5, 4), (-5, 4)),
        "diamond": ((0, -5), (5, 0), (0, 5), (-5, 0)),
        "cross": ((-2, -5), (2, -5), (2, -2), (5, -2), (5, 2), (2, 2), (2, 5), (-2, 5), (-2, 2),
                  (-5, 2), (-5, -2), (-2, -2)),
        "bar": ((-5, -2), (5, -2), (5, 2), (-5, 2)),
    }[shape]  # fmt: skip
    points = " ".join(f"{_c(x + dx)},{_c(y + dy)}" for dx, dy in corners)
    return f'<polygon class="{css}" points="{points}">{title}</polygon>'


def line_chart(chart: LineChart, *, chart_id: str) -> SafeString:
    """The chart as an `<svg role="img">` with its title and description; the legend sits at
    its foot, one row per line."""
    width, left, right, top = 640, 72, 24, 24
    plot_height = 240
    count = len(chart.periods)
    legend_rows = math.ceil(len(chart.series) / 2)
    bottom_axis = top + plot_height
    x_label_y = bottom_axis + (40 if chart.x_label else 22)
    legend_top = x_label_y + 16
    height = legend_top + legend_rows * 22 + 8

    positions = list(chart.positions) if chart.positions else list(range(count))
    x_low, x_high = (min(positions), max(positions)) if positions else (0.0, 1.0)
    plot_left, plot_right = left + 12, width - right - 12

    def x_of(index: int) -> float:
        if x_high == x_low:
            return (plot_left + plot_right) / 2
        return plot_left + (positions[index] - x_low) / (x_high - x_low) * (plot_right - plot_left)

    values = [float(p.value) for s in chart.series for p in s.points if p.value is not None]
    values += [float(v) for v in chart.extra_values]
    if chart.target is not None:
        values.append(float(chart.target.value))
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    y_low, y_high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top + (y_high - value) / ((y_high - y_low) or 1) * plot_height

    labelledby = f"{chart_id}-title {chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{labelledby}" class="chart chart--line" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(chart.description)}</desc>',
        '<g class="chart__grid">',
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{_c(y)}" x2="{width - right}" y2="{_c(y)}"/>')
    parts.append("</g>")
    parts.append('<g class="chart__axis-labels">')
    for tick in ticks:
        decimals = chart.decimals if any(t != int(t) for t in ticks) else 0
        parts.append(
            f'<text class="chart__tick chart__tick--y" x="{left - 8}" y="{_c(y_of(tick) + 4)}">'
            f"{fmt_number(Decimal(str(tick)), decimals)}</text>"
        )
    for index in _labelled(count):
        parts.append(
            f'<text class="chart__tick chart__tick--x" x="{_c(x_of(index))}" '
            f'y="{bottom_axis + 18}">{escape(chart.periods[index])}</text>'
        )
    if chart.y_label:
        parts.append(
            f'<text class="chart__axis-title chart__axis-title--y" x="{left - 8}" '
            f'y="{top - 10}">{escape(chart.y_label)}</text>'
        )
    if chart.x_label:
        parts.append(
            '<text class="chart__axis-title chart__axis-title--x" '
            f'x="{_c((left + width - right) / 2)}" y="{bottom_axis + 36}">'
            f"{escape(chart.x_label)}</text>"
        )
    parts.append("</g>")
    parts.append(
        f'<line class="chart__axis" x1="{left}" y1="{bottom_axis}" x2="{width - right}" '
        f'y2="{bottom_axis}"/>'
    )
    parts.append(
        f'<line class="chart__axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom_axis}"/>'
    )

    if chart.target is not None:
        ty = y_of(float(chart.target.value))
        parts.append(
            f'<g class="chart__target"><line x1="{left}" y1="{_c(ty)}" x2="{width - right}" '
            f'y2="{_c(ty)}"/><text x="{width - right - 4}" y="{_c(ty - 6)}">'
            f"{escape(chart.target.label)}</text></g>"
        )

    for number, series in enumerate(chart.series):
        shape = SHAPES[number % len(SHAPES)]
        css = f"chart__series chart__series--{number % 8}"
        coords = [
            None if p.value is None else (x_of(i), y_of(float(p.value)))
            for i, p in enumerate(series.points[:count])
        ]
        parts.append(f'<g class="{css}">')
        data = path_data(coords)
        if data:
            parts.append(f'<path class="chart__line" d="{data}"/>')
        for index, (point, coord) in enumerate(zip(series.points, coords, strict=False)):
            period = chart.periods[index]
            if coord is not None:
                label = f"{series.name}, {period}: {fmt_number(point.value, chart.decimals)}"
                css_point = "chart__point"
                if point.flag:
                    label += f" ({point.flag})"
                    css_point += " chart__point--flagged"
                parts.append(_marker(shape, *coord, css_point, label))
            elif point.flag:
                # No value, for a reason (suppressed, not available): a mark on the axis.
                x = x_of(index)
                parts.append(
                    f'<path class="chart__missing" '
                    f'd="M{_c(x - 4)},{bottom_axis - 9}l8,8m0,-8l-8,8">'
                    f"<title>{escape(f'{series.name}, {period}: {point.flag}')}</title></path>"
                )
        parts.append("</g>")

    parts.append('<g class="chart__legend">')
    for number, series in enumerate(chart.series):
        column, row = number % 2, number // 2
        lx = left + column * (width - left - right) / 2
        ly = legend_top + row * 22
        shape = SHAPES[number % len(SHAPES)]
        parts.append(
            f'<g class="chart__series chart__series--{number % 8}">'
            f'<path class="chart__line chart__line--legend" d="M{_c(lx)},{ly}h24"/>'
            + _marker(shape, lx + 12, ly, "chart__point", series.name)
            + f'<text class="chart__legend-text" x="{_c(lx + 32)}" y="{ly + 4}">'
            f"{escape(series.name)}</text></g>"
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def sparkline(
    values: Sequence[Decimal | None], *, text: str, width: int = 120, height: int = 32
) -> SafeString:
    """A small line with no axes, gaps kept; `text` is its text equivalent (the SVG's title, so
    a screen reader reads it, and a tooltip for everyone)."""
    pad = 4
    known = [float(v) for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(1, len(values) - 1)
    coords = [
        None
        if v is None
        else (
            pad + i * step if len(values) > 1 else width / 2,
            height - pad - (float(v) - low) / span * (height - 2 * pad)
            if high != low
            else height / 2,
        )
        for i, v in enumerate(values)
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="sparkline" width="{width}" height="{height}" aria-label="{escape(text)}">'
        f"<title>{escape(text)}</title>"
    ]
    data = path_data(coords)
    if data:
        parts.append(f'<path class="sparkline__line" d="{data}"/>')
    last = next((c for c in reversed(coords) if c is not None), None)
    if last is not None:
        parts.append(
            f'<circle class="sparkline__last" cx="{_c(last[0])}" cy="{_c(last[1])}" r="3"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — the only text is escaped
