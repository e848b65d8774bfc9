"""The indicators app's parts of pages owned by apps below it (see cswb.sections): on a table's
page, the population indicators the table works to turn, beside its own measures."""

from __future__ import annotations

from cswb.models import TenantMembership, User
from cswb.sections import Panel
from indicators.selectors.chain import indicators_for_table
from tables.access import TableAccess
from tables.models import ActionTable


def table_indicators_panel(
    *,
    table: ActionTable,
    access: TableAccess,
    user: User,
    membership: TenantMembership,
    **_: object,  # who sits at the table: the engagement panel's
) -> Panel:
    return Panel(
        template="indicators/panels/table_indicators.html",
        context={
            "table": table,
            "rows": indicators_for_table(table=table, tenant=table.tenant),
            "may_link": access.can_change,
        },
        order=50,
    )
