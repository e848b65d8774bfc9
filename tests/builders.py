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

from cswb.models import Tenant, TenantMembership, User
from engagement.models import Recommendation
from engagement.services.recommendations import recommendation_action_link, recommendation_create
from partners.models import Contact, Organization, Sector
from partners.services.organizations import contact_create, organization_create
from tables.models import Action, ActionTable, Direction, Measure, MeasureKind, Meeting
from tables.services.actions import action_create, action_edit, action_update
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
    `due_date`, ...) go through `fields`. A due date already past is refused at creation, so it
    is set afterwards with a reason, as a person records a late commitment."""
    due = fields.get("due_date")
    late = due is not None and due < timezone.localdate()
    with scope(tenant=table.tenant):
        if late:
            fields["due_date"] = None
        action = action_create(table=table, title=title, actor=actor, **fields)
        if late:
            action = action_edit(
                action=action,
                actor=actor,
                title=action.title,
                description=action.description,
                owner_organization=action.owner_organization,
                owner=action.owner,
                due_date=due,
                priority=action.priority,
                due_change_reason="Agreed earlier; recorded late.",
            )
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


def indicator_values_build(
    tenant: Tenant | None,
    *,
    code: str = "L.1",
    name: str = "Emergency visits for mental health",
    geographies: Sequence[str] = ("Halton Region", "Ontario"),
    years: Iterable[int] = range(2015, 2021),
    value: Any = lambda year, geo: 100 + year - 2015 + geo,
    domain_slug: str = "health",
    breakdowns: Sequence[dict[str, str]] = ({},),
) -> Any:
    """An indicator (the tenant's own, or shared when `tenant` is None) with a value for each
    geography, year and breakdown; the first breakdown is the default. Returns the indicator."""
    from indicators.models import (
        Domain,
        Geography,
        Granularity,
        Indicator,
        Observation,
        Period,
        Series,
        breakdown_key,
    )

    with scope(tenant=tenant):
        domain = Domain.objects.filter(slug=domain_slug).first() or Domain.objects.create(
            tenant=tenant, slug=domain_slug, name_en=domain_slug.title()
        )
        indicator = Indicator.objects.create(
            tenant=tenant, code=code, slug=code.replace(".", "-").lower(), name_en=name,
            domain=domain, unit_label="Rate per 100,000", unit_type="rate", multiplier=100_000,
            direction="negative",
        )  # fmt: skip
        geos = []
        for name_ in geographies:
            geo = Geography.objects.filter(name=name_).first() or Geography.objects.create(
                tenant=tenant, name=name_, scheme="local", code=name_[:12].upper()
            )
            geos.append(geo)
        for position, dims in enumerate(breakdowns):
            series = Series.objects.create(
                tenant=tenant, indicator=indicator, key=breakdown_key(dims), dimensions=dims,
                is_default=position == 0,
            )  # fmt: skip
            for year in years:
                period, _ = Period.objects.get_or_create(
                    granularity=Granularity.YEAR, start=date(year, 1, 1), end=date(year, 12, 31),
                    defaults={"label": str(year)},
                )  # fmt: skip
                for g, geo in enumerate(geos):
                    v = value(year, g)
                    Observation.objects.create(
                        tenant=tenant, indicator=indicator, series=series, geography=geo,
                        period=period, value=v, status="" if v is not None else "not_published",
                    )  # fmt: skip
    return indicator


def indicator_context_build(tenant: Tenant, indicator: Any, *, actor: User) -> None:
    """Everything around a tenant's indicator values: a source, a target, marks on its
    geographies, a computed and an overridden progress status, an import record with a
    preview row, and a revision of one value."""
    from cswb.models import ImportRecord, ImportRow
    from indicators.models import (
        Observation,
        ObservationRevision,
        ProgressOverride,
        ProgressStatus,
        Source,
        Target,
        TenantGeography,
    )

    with scope(tenant=tenant):
        Source.objects.create(
            tenant=tenant, indicator=indicator, organisation="Halton Region Public Health",
            title="Emergency visits", table_id="HR-1", url="https://example.org/data",
            licence="Open Government Licence", periodicity="Annual",
        )  # fmt: skip
        Target.objects.create(
            tenant=tenant, indicator=indicator, value=90, base_year=2015, target_year=2030
        )
        first = Observation.objects.filter(indicator=indicator).select_related("geography")
        obs = first.order_by("geography__name", "period__start").first()
        for position, mark in enumerate({o.geography for o in first.filter(period=obs.period)}):
            TenantGeography.objects.create(
                tenant=tenant, geography=mark, role="comparison" if position == 0 else "ours"
            )
        ProgressStatus.objects.create(
            tenant=tenant, indicator=indicator, status="limited_progress", score=0.5,
            inputs={"method": "open_sdg"},
        )  # fmt: skip
        ProgressOverride.objects.create(
            tenant=tenant, indicator=indicator, status="moderate_progress",
            reason="The 2020 value reflects closures.", set_by=actor,
        )  # fmt: skip
        record = ImportRecord.objects.create(
            tenant=tenant, kind="indicators", file_format="tidy", created_by=actor,
            file_name="local.csv", checksum="0" * 64, state="applied",
        )  # fmt: skip
        ImportRow.objects.create(
            tenant=tenant, record=record, line=2, action="reject", summary="L.1 2020",
            reason="The value is not a number.",
        )  # fmt: skip
        ObservationRevision.objects.create(
            tenant=tenant, observation=obs, previous_value=obs.value, batch=record
        )


def recommendation_build(
    tenant: Tenant,
    *,
    actor: User | None,
    number: int | None = None,
    title: str = "More communication on progress, outcomes and impact",
    actions: Sequence[tuple[Action, int]] = (),
    **fields: Any,
) -> Recommendation:
    """A recommendation of the plan with table actions linked as (action, weight), linked by
    the plan's administrator `actor`."""
    with scope(tenant=tenant):
        recommendation = recommendation_create(
            tenant=tenant,
            actor=actor,
            number=number or next(_numbers),
            title=title,
            **fields,
        )
        if actions:
            membership = TenantMembership.objects.get(user=actor)
            for action, weight in actions:
                recommendation_action_link(
                    recommendation=recommendation,
                    action=action,
                    actor=actor,
                    membership=membership,
                    weight=weight,
                )
    return recommendation
