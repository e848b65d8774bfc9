"""The tables app's parts of pages owned by apps below it (see cswb.sections): a person's
tables, open actions and meetings on the tenant home; the tables an organization sits at on
its page."""

from __future__ import annotations

from cswb.models import TenantMembership, User
from partners.models import Organization
from tables.models import TableOrganization
from tables.selectors.actions import my_open_actions
from tables.selectors.meetings import my_upcoming_meetings
from tables.selectors.tables import my_table_lines, tables_visible_to


def tenant_home_section(*, user: User, membership: TenantMembership) -> dict[str, object]:
    tables = my_table_lines(user=user)  # read once: the first twelve, and their meetings
    return {
        "my_meetings": my_upcoming_meetings(tables=tables),
        "my_actions": my_open_actions(user=user, membership=membership, limit=8),
        "my_tables": tables[:12],
    }


def organization_section(
    *, organization: Organization, user: User, membership: TenantMembership
) -> dict[str, object]:
    visible = tables_visible_to(user=user, membership=membership)
    return {
        "participations": list(
            TableOrganization.objects.current()
            .filter(organization=organization, table__in=visible)
            .select_related("table")
            .order_by("table__name")
        )
    }
