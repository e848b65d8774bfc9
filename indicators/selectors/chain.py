"""Reads of the chain between tables and indicators: the tables working on an indicator, the
story notes on it, and, for a table's page, the indicators it works to turn. Each in a fixed
number of queries; tables and actions a person may not see are left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from cswb.models import Tenant, TenantMembership, User
from indicators.models import Indicator, IndicatorTable, StoryNote
from indicators.selectors.catalogue import geographies_marked
from indicators.selectors.dashboard import Latest, latest_shown, progress_statuses, unit_of
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
    indicator: Indicator
    ours_name: str
    ours: Latest | None
    comparison: Latest | None
    status: str
    status_label: str


def indicators_for_table(*, table: ActionTable, tenant: Tenant) -> list[TableIndicator]:
    """The population indicators a table works to turn, each with its latest value for the
    plan's first place and its comparison, and its progress status. Five queries (one when
    the table works on none)."""
    indicators = list(
        Indicator.objects.filter(
            pk__in=IndicatorTable.objects.filter(table=table).values("indicator_id")
        )
        .select_related("domain")
        .order_by("domain__position", "code")
    )
    if not indicators:
        return []
    marked = geographies_marked(tenant=tenant)
    latest = latest_values(indicators=indicators, geographies=marked.all)
    primary = marked.ours[0] if marked.ours else None
    progress = progress_statuses(
        indicator_ids=[i.pk for i in indicators], tenant=tenant, place=primary
    )
    rows = []
    for indicator in indicators:
        unit = unit_of(indicator)
        ours = next((g for g in marked.ours if (indicator.pk, g.pk) in latest), primary)

        rows.append(
            TableIndicator(
                indicator=indicator,
                ours_name=ours.name if ours else "",
                ours=latest_shown(latest.get((indicator.pk, ours.pk)), unit) if ours else None,
                comparison=(
                    latest_shown(latest.get((indicator.pk, marked.comparison.pk)), unit)
                    if marked.comparison
                    else None
                ),
                status=progress[indicator.pk][0].status,
                status_label=progress[indicator.pk][0].label,
            )
        )
    return rows
