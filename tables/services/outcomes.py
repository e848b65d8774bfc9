"""Services and figures for outcome measures: record observations, say in one sentence where a
measure stands against its target, and draw it as an accessible SVG line chart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cswb.models import User
from cswb.services import activity_record
from tables.models import ActionTable, Measure, Observation
from tables.selectors.outcomes import trend_sentence


@transaction.atomic
def measure_create(*, table: ActionTable, actor: User, **fields: object) -> Measure:
    measure = Measure(tenant=table.tenant, table=table, **fields)
    measure.full_clean()
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


@transaction.atomic
def observation_record(
    *, measure: Measure, actor: User, value: Decimal, period_end: date, note: str = ""
) -> Observation:
    if Observation.objects.filter(measure=measure, period_end=period_end).exists():
        raise ValidationError({"period_end": "A value for this period is already recorded."})
    observation = Observation.objects.create(
        tenant=measure.tenant,
        measure=measure,
        value=value,
        period_end=period_end,
        note=note,
        recorded_by=actor,
    )
    activity_record(
        tenant=measure.tenant,
        actor=actor,
        verb="measure.observed",
        target=observation,
        table=measure.table,
        summary=f"{measure.name}: {value} {measure.unit} for the period ending {period_end}. "
        + trend_sentence(measure, list(measure.observations.all())),
    )
    return observation
