"""How a measure is read: the trend sentence and the SVG chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tables.models import Direction, Measure, Observation


def number_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}".rstrip("0")


class Standing(StrEnum):
    """Where a measure stands against its target, computed from its values."""

    NO_VALUES = "no_values"
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MOVING_AWAY = "moving_away"

    @property
    def is_on_track(self) -> bool:
        return self in (Standing.MET, Standing.ON_TRACK)

    @property
    def label(self) -> str:
        return {
            Standing.NO_VALUES: "No values yet",
            Standing.MET: "Target met",
            Standing.ON_TRACK: "On track",
            Standing.BEHIND: "Behind",
            Standing.MOVING_AWAY: "Moving away",
        }[self]


@dataclass(frozen=True)
class Trend:
    standing: Standing
    change: Decimal = Decimal(0)  # latest value minus baseline
    latest: Decimal | None = None


def measure_trend(measure: Measure, observations: list[Observation]) -> Trend:
    """From the baseline, the latest observation, the target and the time elapsed towards
    the target date: met, on track (progress at least the share of time elapsed), behind, or
    moving away (a change in the wrong direction)."""
    if not observations:
        return Trend(standing=Standing.NO_VALUES)
    latest = observations[-1]
    baseline, target = measure.baseline_value, measure.target_value
    change = latest.value - baseline
    better = change > 0 if measure.direction == Direction.UP else change < 0
    span = target - baseline
    progress = (latest.value - baseline) / span if span else Decimal(1)
    total_days = (measure.target_date - measure.baseline_date).days
    elapsed = (latest.period_end - measure.baseline_date).days
    expected = Decimal(max(0, min(elapsed, total_days))) / Decimal(total_days)
    if progress >= 1:
        standing = Standing.MET
    elif change != 0 and not better:
        standing = Standing.MOVING_AWAY
    elif progress >= expected:
        standing = Standing.ON_TRACK
    else:
        standing = Standing.BEHIND
    return Trend(standing=standing, change=change, latest=latest.value)


def trend_sentence(measure: Measure, observations: list[Observation]) -> str:
    """ "Down 12% since baseline (50 → 44 days); on track for the target of 30 by Jan 2028." """
    trend = measure_trend(measure, observations)
    if trend.standing is Standing.NO_VALUES:
        return "No values recorded yet."
    baseline, target, change = measure.baseline_value, measure.target_value, trend.change
    if baseline:
        size = f"{abs(change) / abs(baseline) * 100:.0f}%"
    else:
        size = f"{number_text(abs(change))} {measure.unit}"
    movement = "unchanged" if change == 0 else f"{'up' if change > 0 else 'down'} {size}"
    goal = f"the target of {number_text(target)} by {measure.target_date:%b %Y}"
    standing = {
        Standing.MET: f"{goal} is met",
        Standing.MOVING_AWAY: f"moving away from {goal}",
        Standing.ON_TRACK: f"on track for {goal}",
        Standing.BEHIND: f"behind the pace needed for {goal}",
    }[trend.standing]
    return (
        f"{movement.capitalize()} since baseline ({number_text(baseline)} → "
        f"{number_text(trend.latest)} {measure.unit}); {standing}."
    )


def line_chart(measure: Measure, observations: list[Observation], *, chart_id: str) -> SafeString:
    """An SVG line chart: the values as a solid line with points, the target as a dashed line
    labelled "Target", the baseline as a labelled point. Meaning never rests on colour alone,
    and a data table stands beside it in the page."""
    width, height, left, right, top, bottom = 640, 280, 64, 96, 20, 40
    points = [(measure.baseline_date, measure.baseline_value)] + [
        (o.period_end, o.value) for o in observations
    ]
    dates = [d for d, _ in points] + [measure.target_date]
    values = [v for _, v in points] + [measure.target_value]
    x0, x1 = min(dates).toordinal(), max(dates).toordinal()
    low, high = min(values), max(values)
    pad = (high - low) * Decimal("0.1") or Decimal(1)
    low, high = low - pad, high + pad

    def x(d: date) -> float:
        return left + (d.toordinal() - x0) / max(1, x1 - x0) * (width - left - right)

    def y(v: Decimal) -> float:
        return top + float((high - v) / (high - low)) * (height - top - bottom)

    title = escape(f"{measure.name} ({measure.unit})")
    desc = escape(trend_sentence(measure, observations))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{title}</title><desc id="{chart_id}-desc">{desc}</desc>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#4a4f55"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#4a4f55"/>',
    ]
    for tick in (low + pad, (low + high) / 2, high - pad):
        parts.append(
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#1b1b1b">{number_text(tick.quantize(Decimal("0.1")))}</text>'
        )
    for d in (min(dates), max(dates)):
        parts.append(
            f'<text x="{x(d):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'font-size="12" fill="#1b1b1b">{d:%b %Y}</text>'
        )
    ty = y(measure.target_value)
    parts.append(
        f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
        'stroke="#8a1c1c" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{width - right + 6}" y="{ty + 4:.1f}" font-size="12" '
        f'fill="#8a1c1c">Target {number_text(measure.target_value)}</text>'
    )
    line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
    parts.append(f'<polyline points="{line}" fill="none" stroke="#0b4f7c" stroke-width="3"/>')
    for n, (d, v) in enumerate(points):
        shape = "rect" if n == 0 else "circle"
        if shape == "rect":
            parts.append(
                f'<rect x="{x(d) - 5:.1f}" y="{y(v) - 5:.1f}" width="10" height="10" '
                'fill="#ffffff" stroke="#0b4f7c" stroke-width="2"/>'
            )
            parts.append(
                f'<text x="{x(d) + 8:.1f}" y="{y(v) - 8:.1f}" font-size="12" '
                'fill="#1b1b1b">Baseline</text>'
            )
        else:
            parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="4" fill="#0b4f7c"/>')
    parts.append("</svg>")
    # Safe: the only user-written parts (name, unit, trend) were escaped above.
    return mark_safe("".join(parts))  # noqa: S308


def sparkline(measure: Measure, observations: list[Observation]) -> SafeString:
    """A small line of the baseline and the values, with the target as a dashed line, for a
    list of measures. Decorative (aria-hidden): the trend sentence beside it says the same in
    words. Numbers only: nothing a person wrote is drawn."""
    width, height, pad = 120, 32, 3
    points = [(measure.baseline_date, measure.baseline_value)] + [
        (o.period_end, o.value) for o in observations
    ]
    dates = [d.toordinal() for d, _ in points] + [measure.target_date.toordinal()]
    numbers = [v for _, v in points] + [measure.target_value]
    x0, x1 = min(dates), max(dates)
    low, high = min(numbers), max(numbers)
    span = (high - low) or Decimal(1)

    def x(d: date) -> float:
        return pad + (d.toordinal() - x0) / max(1, x1 - x0) * (width - 2 * pad)

    def y(v: Decimal) -> float:
        return pad + float((high - v) / span) * (height - 2 * pad)

    line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
    last_x, last_y = x(points[-1][0]), y(points[-1][1])
    ty = y(measure.target_value)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="sparkline" aria-hidden="true" focusable="false">'
        f'<line x1="{pad}" y1="{ty:.1f}" x2="{width - pad}" y2="{ty:.1f}" '
        'stroke="#8a1c1c" stroke-width="1" stroke-dasharray="3 2"/>'
        f'<polyline points="{line}" fill="none" stroke="#0b4f7c" stroke-width="2"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="#0b4f7c"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 — numbers and fixed markup only
