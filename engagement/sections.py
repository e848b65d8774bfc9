"""The engagement app's blocks of pages owned by apps below it (see cswb.sections): a table's
representation goals against today's figures on its page, and the plan's on leadership's
representation page. Counts of self-identification only, suppressed under 5."""

from __future__ import annotations

from cswb.models import TenantMembership, User
from cswb.sections import Panel
from engagement.selectors.identity import (
    TableFacts,
    plan_representation_panel,
    table_goals_panel,
)
from tables.access import TableAccess
from tables.models import ActionTable, TableOrganization, TableSeat


def table_page_panel(
    *,
    table: ActionTable,
    access: TableAccess,
    user: User,
    membership: TenantMembership,
    seats: list[TableSeat],
    participations: list[TableOrganization],
) -> Panel:
    # Who sits at the table as the page read it: the goals and counts read nobody again.
    facts = TableFacts.of(seats=seats, participations=participations)
    return Panel(
        template="engagement/identity/_table_panel.html",
        context={
            **table_goals_panel(table=table, facts=facts),
            "table": table,
            "can_change": access.can_change,
        },
        order=50,
    )


def representation_panel(*, user: User, membership: TenantMembership) -> Panel:
    return Panel(
        template="engagement/identity/_plan_panel.html",
        context=plan_representation_panel(tables=list(ActionTable.objects.order_by("name"))),
        order=50,
    )
