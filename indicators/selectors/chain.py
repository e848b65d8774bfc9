"""Reads of the chain between tables and indicators: the tables working on an indicator, the
story notes on it, and, for a table's page, the indicators it works to turn. Each in a fixed
number of queries; tables and actions a person may not see are left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from cswb.models import Tenant, TenantMembership, User
from indicators.models import Indicator, IndicatorTable, StoryNote
from indicators.selectors.dashboard import (
    IndicatorRead,
    PlacedStatus,
    PlaceValue,
    indicators_present,
    latest_shown,
    placed_locally,
    places_read,
    statuses_placed,
    unit_of,
)
from indicators.selectors.observations import latest_values
from tables.access import TableNeed, tables_allowed
from tables.models import Action, ActionTable


def tables_working_on(
    *, indicator: Indicator, user: User, membership: TenantMembership
) -> list[ActionTable]:
    """The tables linked to the indicator that the person may know of. One query."""
    allowed = tables_allowed(user=user, membership=membership, need=TableNeed.SUMMARY)
    return list(
        ActionTable.objects.filter(allowed)
        .filter(indicator_links__indicator=indicator)
        .distinct()
        .order_by("name")
    )


def notes_for(*, indicator: Indicator, user: User, membership: TenantMembership) -> list[StoryNote]:
    """The story notes on an indicator, newest first, each with `action_list`: the actions
    responding, at tables the person may see. Two queries."""
    visible = ActionTable.objects.filter(
        tables_allowed(user=user, membership=membership, need=TableNeed.VIEW)
    )
    notes = list(
        StoryNote.objects.filter(indicator=indicator)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.filter(table__in=visible)
                .select_related("table")
                .order_by("table__name", "title"),
                to_attr="action_list",
            )
        )
    )
    return notes


def actions_to_choose(
    *, indicator: Indicator, user: User, membership: TenantMembership
) -> list[Action]:
    """The actions a note may name: those of the tables working on the indicator that the
    person may see. One query."""
    allowed = tables_allowed(user=user, membership=membership, need=TableNeed.VIEW)
    return list(
        Action.objects.filter(
            table__in=ActionTable.objects.filter(allowed).filter(
                indicator_links__indicator=indicator
            )
        )
        .select_related("table")
        .order_by("table__name", "title")
    )


@dataclass(frozen=True)
class TableIndicator:
    indicator: IndicatorRead
    places: list[
        PlaceValue
    ]  # the plan's place and comparison (the country when neither has values)
    status: PlacedStatus


def indicators_for_table(*, table: ActionTable, tenant: Tenant) -> list[TableIndicator]:
    """The population indicators a table works to turn, each with its latest value for the
    plan's place and its comparison (or the country, when neither has one), and its progress
    status with the place it is for, as the dashboard shows them. Six queries (one when the
    table works on none)."""
    linked = list(
        IndicatorTable.objects.filter(table=table).order_by().values_list("indicator_id", flat=True)
    )
    if not linked:
        return []
    marked, countries = places_read(tenant=tenant)
    indicators, present = indicators_present(
        Indicator.objects.filter(pk__in=linked).order_by("domain__position", "code"),
        marked=marked,
        countries=countries,
    )
    placed = {i.pk: placed_locally(i, marked=marked, present=present) for i in indicators}
    latest = latest_values(
        indicators=indicators, geographies={g for p in placed.values() for g in p.shown}
    )
    statuses = statuses_placed(tenant=tenant, places={pk: p.valued for pk, p in placed.items()})
    rows = []
    for indicator in indicators:
        unit = unit_of(indicator)
        rows.append(
            TableIndicator(
                indicator=indicator,
                places=[
                    PlaceValue(
                        name=g.name, latest=latest_shown(latest.get((indicator.pk, g.pk)), unit)
                    )
                    for g in placed[indicator.pk].shown
                ],
                status=statuses[indicator.pk],
            )
        )
    return rows
