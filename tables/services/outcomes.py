"""Writes of outcome measures and their observations. A value is checked against the kind of
number the measure counts, and a period against the measure's baseline and today; corrections
and removals keep the old value in the activity log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cswb.models import User
from cswb.services import activity_record
from partners.models import Organization
from tables.models import ActionTable, Measure, Observation, UnitKind
from tables.selectors.outcomes import measure_trend, number_text, trend_sentence
from tables.selectors.progress import measures_on_track_now

# What may change once a measure exists: what it counts stays, its baseline is history.
MEASURE_EDITABLE = (
    "name",
    "unit",
    "unit_kind",
    "allows_negative",
    "target_value",
    "target_date",
    "data_source",
    "reporting_organization",
)


def value_problem(*, unit_kind: str, allows_negative: bool, value: Decimal) -> str | None:
    """Why `value` cannot be a value of a measure of this kind, or None when it can."""
    if unit_kind == UnitKind.COUNT:
        if value != value.to_integral_value():
            return "A count is a whole number."
        if value < 0:
            return "A count cannot be below zero."
    elif unit_kind == UnitKind.PERCENTAGE:
        if not Decimal(0) <= value <= Decimal(100):
            return "A percentage is between 0 and 100."
    elif value < 0 and not allows_negative:
        kind = "A rate" if unit_kind == UnitKind.RATE else "An amount"
        return f"{kind} cannot be below zero for this measure."
    return None


def _measure_check(measure: Measure) -> None:
    """The model's own checks, then the values and the kind of number agreeing."""
    measure.full_clean(exclude=["tenant", "table"])
    errors: dict[str, str] = {}
    if measure.allows_negative and measure.unit_kind in (UnitKind.COUNT, UnitKind.PERCENTAGE):
        errors["allows_negative"] = "Only a rate or an amount can be negative."
    for field in ("baseline_value", "target_value"):
        problem = value_problem(
            unit_kind=measure.unit_kind,
            allows_negative=measure.allows_negative,
            value=getattr(measure, field),
        )
        if problem:
            errors[field] = problem
    organization = measure.reporting_organization
    if organization is not None and organization.tenant_id != measure.tenant_id:
        errors["reporting_organization"] = "That organization is not in this plan."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_create(*, table: ActionTable, actor: User | None, **fields: object) -> Measure:
    measure = Measure(tenant=table.tenant, table=table, **fields)
    _measure_check(measure)
    measure.save()
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="measure.created",
        target=measure,
        table=table,
        summary=f"New measure at {table.name}: {measure.name}",
    )
    return measure


def _on_track_keep(measure: Measure) -> None:
    """Set the measure's `is_on_track` from its latest value, in the caller's transaction."""
    latest = Observation.objects.filter(measure=measure).order_by("-period_end").first()
    on_track = measure_trend(measure, [latest] if latest else []).standing.is_on_track
    if on_track != measure.is_on_track:
        measure.is_on_track = on_track
        Measure.objects.filter(pk=measure.pk).update(is_on_track=on_track)


@transaction.atomic
def measure_on_track_recount(*, tables: list[ActionTable]) -> int:
    """Work out again whether each measure of these tables is on track, from its latest value:
    for bulk loaders that write measures and values without the services (seed_scale), and to
    repair by hand (`manage.py rebuild_tallies`). Returns the number of measures changed."""
    changed = 0
    for measure_id, on_track, kept in measures_on_track_now(tables):
        if on_track != kept:
            Measure.objects.filter(pk=measure_id).update(is_on_track=on_track)
            changed += 1
    return changed


def _shown(value: object) -> object:
    """A field's value as the activity log keeps it (JSON)."""
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Organization):
        return value.name
    return value


@transaction.atomic
def measure_edit(*, measure: Measure, actor: User, **fields: object) -> Measure:
    """Change what may change of a measure (MEASURE_EDITABLE). Its recorded values must still
    fit the kind of number it counts."""
    unknown = set(fields) - set(MEASURE_EDITABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("reporting_organization")
        .get(pk=measure.pk)
    )
    if measure.is_retired:
        raise ValidationError("A retired measure cannot be changed.")
    changes: dict[str, list[object]] = {}
    for name, value in fields.items():
        old = getattr(measure, name)
        if old != value:
            changes[name] = [_shown(old), _shown(value)]
            setattr(measure, name, value)
    if not changes:
        return measure
    _measure_check(measure)
    if {"unit_kind", "allows_negative"} & set(changes):
        misfits = [
            o
            for o in Observation.objects.filter(measure=measure)
            if value_problem(
                unit_kind=measure.unit_kind,
                allows_negative=measure.allows_negative,
                value=o.value,
            )
        ]
        if misfits:
            periods = ", ".join(f"{o.period_end:%b %-d, %Y}" for o in misfits[:3])
            raise ValidationError(
                {
                    "unit_kind": f"{len(misfits)} recorded value(s) would not fit "
                    f"(periods ending {periods}): correct them first."
                }
            )
    measure.save(update_fields=[f for f in MEASURE_EDITABLE if f in changes])
    _on_track_keep(measure)  # a new target changes the pace a value must keep
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.edited",
        target=measure,
        table=measure.table,
        summary=f"Measure {measure.name} edited: {', '.join(changes)}",
        changes=changes,
    )
    return measure


@transaction.atomic
def measure_retire(*, measure: Measure, actor: User) -> Measure:
    """A retired measure keeps its values as history, takes no new ones and leaves the
    on-track counts."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.is_retired:
        raise ValidationError("This measure is already retired.")
    measure.retired_at = timezone.now()
    measure.save(update_fields=["retired_at"])
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.retired",
        target=measure,
        table=measure.table,
        summary=f"Measure retired at {measure.table.name}: {measure.name}",
        changes={"retired_at": [None, measure.retired_at.isoformat()]},
    )
    return measure


@transaction.atomic
def measure_restore(*, measure: Measure, actor: User) -> Measure:
    """A measure retired by mistake comes back into use: it takes new values again and counts
    in the on-track figures, with the standing of its latest value."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if not measure.is_retired:
        raise ValidationError("This measure is in use already.")
    retired_at, measure.retired_at = measure.retired_at, None
    measure.save(update_fields=["retired_at"])
    _on_track_keep(measure)
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.restored",
        target=measure,
        table=measure.table,
        summary=f"Measure back in use at {measure.table.name}: {measure.name}",
        changes={"retired_at": [retired_at.isoformat(), None]},
    )
    return measure


def _observation_check(
    *, measure: Measure, value: Decimal, period_end: date, exclude: int | None = None
) -> None:
    errors: dict[str, str] = {}
    problem = value_problem(
        unit_kind=measure.unit_kind, allows_negative=measure.allows_negative, value=value
    )
    if problem:
        errors["value"] = problem
    if period_end > timezone.localdate():
        errors["period_end"] = (
            "The period has not ended yet: record a value once its period is over (a value "
            "planned for later is a target)."
        )
    elif period_end < measure.baseline_date:
        errors["period_end"] = (
            f"The period ends before the baseline ({measure.baseline_date:%b %-d, %Y})."
        )
    elif (
        Observation.objects.filter(measure=measure, period_end=period_end)
        .exclude(pk=exclude)
        .exists()
    ):
        errors["period_end"] = (
            "A value for this period is already recorded: correct that one instead."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def observation_record(
    *, measure: Measure, actor: User, value: Decimal, period_end: date, note: str = ""
) -> Observation:
    if measure.is_retired:
        raise ValidationError("This measure is retired: it takes no new values.")
    _observation_check(measure=measure, value=value, period_end=period_end)
    observation = Observation.objects.create(
        tenant=measure.tenant,
        measure=measure,
        value=value,
        period_end=period_end,
        note=note,
        recorded_by=actor,
    )
    _on_track_keep(measure)
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.observed",
        target=observation,
        table=measure.table,
        summary=f"{measure.name}: {number_text(value)} {measure.unit} for the period ending "
        f"{period_end}. " + trend_sentence(measure, list(measure.observations.all())),
    )
    return observation


@transaction.atomic
def observation_edit(
    *, observation: Observation, actor: User, value: Decimal, period_end: date, note: str
) -> Observation:
    """Correct a recorded value, its period or its note; the old ones stay in the log."""
    observation = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("measure__table")
        .get(pk=observation.pk)
    )
    measure = observation.measure
    _observation_check(measure=measure, value=value, period_end=period_end, exclude=observation.pk)
    old = {
        "value": observation.value,
        "period_end": observation.period_end,
        "note": observation.note,
    }
    new = {"value": value, "period_end": period_end, "note": note}
    changes = {k: [_shown(old[k]), _shown(new[k])] for k in old if old[k] != new[k]}
    if not changes:
        return observation
    for name, val in new.items():
        setattr(observation, name, val)
    observation.save(update_fields=list(changes))
    _on_track_keep(measure)
    if "value" in changes:
        what = f"corrected from {number_text(old['value'])} to {number_text(value)} {measure.unit}"
    else:
        what = "corrected"
    if "period_end" in changes:
        what += f" (period ending {old['period_end']} → {period_end})"
    elif "value" not in changes:
        what += " (note)"
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.corrected",
        target=observation,
        table=measure.table,
        summary=f"{measure.name}, period ending {period_end}: {what}",
        changes=changes,
    )
    return observation


@transaction.atomic
def observation_delete(*, observation: Observation, actor: User) -> None:
    observation = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("measure__table")
        .get(pk=observation.pk)
    )
    measure = observation.measure
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.value_removed",
        target=observation,
        table=measure.table,
        summary=f"{measure.name}: the value {number_text(observation.value)} {measure.unit} "
        f"for the period ending {observation.period_end} was removed",
        changes={
            "value": [_shown(observation.value), None],
            "period_end": [_shown(observation.period_end), None],
            "note": [observation.note, None],
        },
    )
    observation.delete()
    _on_track_keep(measure)
