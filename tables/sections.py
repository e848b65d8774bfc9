"""The tables app's parts of pages owned by apps below it (see cswb.sections): a person's
tables, open actions and meetings on the tenant home; the tables an organization sits at on
its page."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from cswb.models import TenantMembership, User
from cswb.ui import date_texts, html_row, url_maker
from partners.models import Organization
from tables.models import TableOrganization
from tables.selectors.actions import my_open_actions
from tables.selectors.meetings import my_upcoming_meetings
from tables.selectors.tables import my_table_lines, tables_visible_to

# The home's short lists, each item made with html_row (every value escaped) and one
# reverse() per kind of link instead of template tags per item: the same markup.
_TABLE_ITEM = (
    '      <li><a href="{url}">{name}</a> <span class="badge badge--{status}">{label}</span></li>\n'
)
_ACTION_ITEM = """      <li><a href="{url}">{title}</a>
        {overdue}
        <br><span class="muted">{table}{due}</span></li>
"""
_MEETING_ITEM = """      <li><a href="{url}">{table}</a><br>
        <time class="muted" datetime="{iso}">{when}</time></li>
"""


def tenant_home_section(*, user: User, membership: TenantMembership) -> dict[str, object]:
    tables = my_table_lines(user=user)  # read once: the first twelve, and their meetings
    meetings = my_upcoming_meetings(tables=tables)
    actions = my_open_actions(user=user, membership=membership, limit=8)
    tenant_slug = membership.tenant.slug
    table_url = url_maker("tables:detail", "table_slug", tenant_slug=tenant_slug)
    action_url = url_maker("tables:action", "table_slug", "pk", tenant_slug=tenant_slug)
    meeting_url = url_maker("tables:meeting", "table_slug", "pk", tenant_slug=tenant_slug)
    overdue = html_row(
        '<span class="badge badge--overdue">{label}</span>', label=gettext("Overdue")
    )
    day = date_texts("M j")
    return {
        "my_meetings": meetings,
        "my_actions": actions,
        "my_tables": tables[:12],
        "my_table_items": [
            html_row(
                _TABLE_ITEM,
                url=table_url(table_slug=t.slug),
                name=t.name,
                status=t.status,
                label=t.status_label,
            )
            for t in tables[:12]
        ],
        "my_action_items": [
            html_row(
                _ACTION_ITEM,
                url=action_url(table_slug=a.table_slug, pk=a.pk),
                title=a.title,
                overdue=overdue if a.is_overdue else "",
                table=a.table_name,
                due=" · " + gettext("due %(due)s") % {"due": day(a.due_date)} if a.due_date else "",
            )
            for a in actions
        ],
        "my_meeting_items": [
            html_row(
                _MEETING_ITEM,
                url=meeting_url(table_slug=m.table_slug, pk=m.pk),
                table=m.table_name,
                iso=date_format(timezone.localtime(m.starts_at), "c"),
                when=date_format(timezone.localtime(m.starts_at), "l, M j, g:i a"),
            )
            for m in meetings
        ],
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
