"""Progress status by the method Statistics Canada publishes with its Open SDG data (the
"progress measure"): compound annual growth (CAGR) from the base year (2015, else the first
later year with a value) to the latest year.

- With a target: R = d·CAGR_observed / |CAGR_required| (d = +1 when higher is better, -1
  when lower is), where CAGR_required is the growth from the base value to the target in the
  target year; the target is achieved when the latest value has reached it. R ≥ 95 % on track,
  60-95 % progress made but acceleration needed, 0-60 % limited progress, < 0 deterioration.
- Without one: d·CAGR against 1.5 % / 0.5 % / 0, the positive thresholds scaled down by C
  near a natural limit in the desired direction (C = the base value's relative distance to
  the limit, 0…1).
- Each series scores -5…+5 (linear between the cut-offs: target R -60 %…60 %…130 %; no
  target -2 %…0…0.5 %…1.5 %…2 % scaled; target achieved +5) and the indicator's score is the
  mean over its series; its status follows the score's band (≥ 2.5, ≥ 0, ≥ -2.5, below).
- Fewer than two years, or values not all of one sign: not available.
- A value for part of a year only ("complete through September") is left out: it is not
  comparable with whole years (the inputs say which years were left out).

Stored with every input, so the indicator page can show how it was worked out. The computed
status is shared (one per indicator and place); a plan's admins may show their own status
instead, with a reason (`progress_status_override`): it is stored per plan and shown only there,
beside the status worked out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cswb.models import Tenant, User
from cswb.services import activity_record
from indicators.models import (
    Geography,
    Indicator,
    Observation,
    ProgressCode,
    ProgressOverride,
    ProgressStatus,
    Series,
    Target,
    ValueStatus,
)

DEFAULT_BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030
TARGET_THRESHOLDS = (0.95, 0.6, 0.0)
TREND_THRESHOLDS = (0.015, 0.005, 0.0)


@dataclass(frozen=True)
class SeriesProgress:
    status: str
    score: float | None
    inputs: dict


def _growth(current: float, base: float, t: float, t0: float) -> float:
    return (current / base) ** (1 / (t - t0)) - 1


def _interpolate(x: float, points: list[tuple[float, float]]) -> float:
    """Piecewise linear through (x, score) points, flat beyond the ends."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 != x0 else y1
    return points[-1][1]


def status_for_score(score: float) -> str:
    if score >= 2.5:
        return ProgressCode.SUBSTANTIAL
    if score >= 0:
        return ProgressCode.MODERATE
    if score >= -2.5:
        return ProgressCode.LIMITED
    return ProgressCode.DETERIORATION


def series_progress(
    values: dict[int, float],
    *,
    direction: str,
    base_year: int | None = None,
    target: float | None = None,
    target_year: int | None = None,
    limit: float | None = None,
) -> SeriesProgress:
    """The progress of one series, from its values by year."""
    inputs: dict = {"method": "open_sdg_progress_measure", "direction": direction}
    years = sorted(values)
    if len(years) < 2:
        return SeriesProgress(
            ProgressCode.NOT_AVAILABLE, None, {**inputs, "why": "fewer than two years"}
        )
    wanted = base_year or DEFAULT_BASE_YEAR
    if wanted > years[-1]:
        return SeriesProgress(
            ProgressCode.NOT_AVAILABLE, None, {**inputs, "why": "base year after the data"}
        )
    t0 = wanted if wanted in values else min(y for y in years if y > wanted)
    t = years[-1]
    if t - t0 < 1:
        return SeriesProgress(
            ProgressCode.NOT_AVAILABLE,
            None,
            {**inputs, "base_year": t0, "why": "one year from the base year"},
        )
    y0, yt = values[t0], values[t]
    if not (all(v >= 0 for v in values.values()) or all(v <= 0 for v in values.values())):
        return SeriesProgress(
            ProgressCode.NOT_AVAILABLE, None, {**inputs, "why": "values change sign"}
        )
    d = 1 if direction == "positive" else -1
    if all(v < 0 for v in values.values()):
        d = -d
    base = y0 if y0 != 0 else 0.001
    inputs.update(base_year=t0, base_value=y0, current_year=t, current_value=yt)
    cagr = _growth(yt if yt != 0 else 0.001, base, t, t0)
    inputs["cagr_observed"] = round(cagr, 6)
    if target is not None:
        ty = target_year or DEFAULT_TARGET_YEAR
        tv = target if target != 0 else 0.001
        inputs.update(target=target, target_year=ty)
        if (d < 0 and yt <= target) or (d > 0 and yt >= target):
            return SeriesProgress(ProgressCode.TARGET_ACHIEVED, 5.0, inputs)
        required = _growth(tv, base, ty, t0)
        inputs["cagr_required"] = round(required, 6)
        ratio = d * cagr / abs(required) if required else (1.0 if d * cagr >= 0 else -1.0)
        inputs["ratio"] = round(ratio, 6)
        high, med, low = TARGET_THRESHOLDS
        score = _interpolate(ratio, [(-0.6, -5), (0.6, 0), (1.3, 5)])
        score = max(score, 2.5) if ratio >= high else score
    else:
        c = 1.0
        if limit is not None and d > 0 and 0 <= y0 < limit:
            c = (limit - y0) / limit
        elif limit is not None and d > 0 and y0 >= limit:
            c = 0.0
        inputs.update(scaling=round(c, 6), natural_limit=limit)
        growth = d * cagr
        if c == 0 and growth >= 0:
            return SeriesProgress(ProgressCode.SUBSTANTIAL, 5.0, inputs)
        high, med, low = (TREND_THRESHOLDS[0] * c, TREND_THRESHOLDS[1] * c, 0.0)
        inputs["thresholds"] = [round(high, 6), round(med, 6), low]
        score = _interpolate(growth, [(-0.02, -5), (0, -2.5), (med, 0), (high, 2.5), (0.02 * c, 5)])
    inputs["score"] = round(score, 4)
    return SeriesProgress(status_for_score(score), score, inputs)


def indicator_progress(parts: list[SeriesProgress]) -> SeriesProgress:
    """The indicator's status from its series: the mean score; "target achieved" only when
    every series has achieved it."""
    scored = [p for p in parts if p.score is not None]
    if not scored:
        return parts[0] if parts else SeriesProgress(ProgressCode.NOT_AVAILABLE, None, {})
    if all(p.status == ProgressCode.TARGET_ACHIEVED for p in scored):
        return SeriesProgress(ProgressCode.TARGET_ACHIEVED, 5.0, scored[0].inputs)
    mean = sum(p.score for p in scored) / len(scored)
    inputs = {
        **scored[0].inputs,
        "series_scores": [round(p.score, 4) for p in scored],
        "score": round(mean, 4),
    }
    return SeriesProgress(status_for_score(mean), mean, inputs)


def progress_compute(*, indicator: Indicator) -> list[ProgressStatus]:
    """Work out and store the indicator's progress for each geography of its default series,
    and as its headline (Canada, as Statistics Canada publishes it) with no geography."""
    series = Series.objects.filter(indicator=indicator, is_default=True).first()
    if series is None:
        return []
    target = Target.objects.filter(indicator=indicator, series__isnull=True).first()
    by_geo: dict[int, dict[int, float]] = defaultdict(dict)
    partial: dict[int, list[int]] = defaultdict(list)
    rows = Observation.objects.filter(series=series, value__isnull=False).values_list(
        "geography_id", "period__start", "period__granularity", "value", "status"
    )
    for geo_id, start, granularity, value, value_status in rows:
        if granularity not in ("year", "fiscal_year"):
            continue
        if value_status == ValueStatus.PARTIAL:  # part of a year is not comparable with years
            partial[geo_id].append(start.year)
            continue
        by_geo[geo_id][start.year] = float(value)
    options = dict(
        direction=indicator.direction,
        base_year=target.base_year if target else None,
        target=float(target.value) if target else None,
        target_year=target.target_year if target else None,
        limit=float(indicator.natural_limit) if indicator.natural_limit is not None else None,
    )
    canada = Geography.objects.filter(kind="country", name="Canada", code="").first()
    now = timezone.now()
    out = []
    for geo_id, values in by_geo.items():
        result = indicator_progress([series_progress(values, **options)])
        if partial.get(geo_id):
            left_out = ", ".join(str(year) for year in sorted(partial[geo_id]))
            result.inputs["left_out"] = f"{left_out} (part of the year only)"
        for geography_id in [geo_id, *([None] if canada and geo_id == canada.pk else [])]:
            status, _ = ProgressStatus.objects.update_or_create(
                indicator=indicator,
                geography_id=geography_id,
                tenant=indicator.tenant,
                defaults={
                    "status": result.status,
                    "score": result.score,
                    "inputs": result.inputs,
                    "computed_at": now,
                },
            )
            out.append(status)
    return out


OVERRIDE_REASON_MAX = 1000


@transaction.atomic
def progress_status_override(
    *, tenant: Tenant, indicator: Indicator, status: str, reason: str, actor: User
) -> ProgressOverride:
    """Show the plan's own progress status for the indicator instead of the one worked out, with
    the reason; setting it again replaces it. The status worked out stays stored and shown
    beside it, and no other plan sees the override."""
    if indicator.tenant_id not in (None, tenant.pk):
        raise ValidationError("This indicator is not one of the plan's.")
    if status not in ProgressCode.values:
        raise ValidationError({"status": "Choose one of the listed statuses."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the status worked out is not the right one."})
    if len(reason) > OVERRIDE_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {OVERRIDE_REASON_MAX:,} characters or fewer."}
        )
    now = timezone.now()
    override = (
        ProgressOverride.objects.select_for_update()
        .filter(tenant=tenant, indicator=indicator)
        .first()
    )
    old = (override.status, override.reason) if override else ("", "")
    if override is None:
        override = ProgressOverride.objects.create(
            tenant=tenant, indicator=indicator, status=status, reason=reason, set_by=actor, at=now
        )
    else:
        override.status, override.reason, override.set_by, override.at = status, reason, actor, now
        override.save(update_fields=["status", "reason", "set_by", "at"])
    label = ProgressCode(status).label
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="indicator.status_overridden",
        target=indicator,
        summary=f"{indicator.name_en}: status set by an admin to “{label}”: {reason[:300]}",
        changes={"status": [old[0], status], "reason": [old[1], reason]},
    )
    return override


@transaction.atomic
def progress_status_override_clear(*, tenant: Tenant, indicator: Indicator, actor: User) -> None:
    """Go back to the status worked out for the indicator in this plan."""
    override = (
        ProgressOverride.objects.select_for_update()
        .filter(tenant=tenant, indicator=indicator)
        .first()
    )
    if override is None:
        raise ValidationError("No status set by an admin to clear: the status worked out shows.")
    old = (override.status, override.reason)
    override.delete()
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="indicator.status_override_cleared",
        target=indicator,
        summary=f"{indicator.name_en}: the status worked out shows again",
        changes={"status": [old[0], ""], "reason": [old[1], ""]},
    )
