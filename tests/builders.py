"""Builders for what a test needs beyond the shared world, made through the app's services (so
the activity log is the same as in real use), with defaults for everything the test does not
care about and keyword arguments for everything it does.

Builders are entry points, like the world's fixture: each enters the tenant's scope itself
(the services never do); calling one inside a scope of the same tenant is fine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone
from django_scopes import scope

from cswb.models import Tenant, User
from partners.models import Contact, Organization, Sector
from partners.services.organizations import contact_create, organization_create
from tables.models import Action, ActionTable, Direction, Measure, MeasureKind, Meeting
from tables.services.actions import action_create, action_update
from tables.services.meetings import meeting_schedule
from tables.services.outcomes import measure_create, observation_record

_numbers = count(1)  # unique names and addresses where a test gives none


def measure_build(
    table: ActionTable,
    *,
    actor: User,
    name: str = "Days to first appointment",
    kind: str = MeasureKind.HOW_WELL,
    unit: str = "days",
    direction: str = Direction.DOWN,
    baseline_value: Decimal | int | str = 50,
    baseline_date: date = date(2024, 1, 1),
    target_value: Decimal | int | str = 30,
    target_date: date = date(2028, 1, 1),
    observations: Iterable[tuple[date, Decimal | int | str]] = (),
    note: str = "",
    **fields: Any,
) -> Measure:
    """A measure at the table, then a value for each (period end, value) of `observations`,
    each with `note`. Other fields of the measure (`data_source`, `reporting_organization`)
    go through `fields`."""
    with scope(tenant=table.tenant):
        measure = measure_create(
            table=table,
            actor=actor,
            name=name,
            kind=kind,
            unit=unit,
            direction=direction,
            baseline_value=Decimal(baseline_value),
            baseline_date=baseline_date,
            target_value=Decimal(target_value),
            target_date=target_date,
            **fields,
        )
        for period_end, value in observations:
            observation_record(
                measure=measure, actor=actor, value=Decimal(value), period_end=period_end, note=note
            )
    return measure


def meeting_build(
    table: ActionTable,
    *,
    actor: User,
    title: str = "Regular meeting",
    hours: float = 24,
    duration_hours: float = 1,
    place: str = "",
    video_url: str = "",
) -> Meeting:
    """A meeting at the table that starts `hours` from now (in the past if negative)."""
    starts_at = timezone.now() + timedelta(hours=hours)
    with scope(tenant=table.tenant):
        return meeting_schedule(
            table=table,
            actor=actor,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=duration_hours),
            place=place,
            video_url=video_url,
        )


def action_build(
    table: ActionTable,
    *,
    actor: User,
    title: str = "Map referral pathways",
    statuses: Sequence[str] = (),
    **fields: Any,
) -> Action:
    """An action at the table, then moved through `statuses` in order by the same actor (each
    change must be one the service allows). Other fields (`owner_organization`, `owner`,
    `due_date`, ...) go through `fields`."""
    with scope(tenant=table.tenant):
        action = action_create(table=table, title=title, actor=actor, **fields)
        for status in statuses:
            action_update(action=action, actor=actor, status=status)
        if statuses:
            action.refresh_from_db()
    return action


def organization_build(
    tenant: Tenant,
    *,
    actor: User | None,
    name: str | None = None,
    sector: str = Sector.OTHER,
    **fields: Any,
) -> Organization:
    """An organization of the plan, named "Organization <n>" unless a name is given."""
    with scope(tenant=tenant):
        return organization_create(
            tenant=tenant,
            name=name or f"Organization {next(_numbers)}",
            sector=sector,
            actor=actor,
            **fields,
        )


def contact_build(
    organization: Organization,
    *,
    actor: User,
    name: str = "Intake desk",
    email: str | None = None,
) -> Contact:
    """A digest contact of the organization, at a new address unless one is given."""
    with scope(tenant=organization.tenant):
        return contact_create(
            organization=organization,
            name=name,
            email=email or f"desk{next(_numbers)}@contacts.example",
            actor=actor,
        )
