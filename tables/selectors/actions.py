"""Reads of actions across tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from cswb.models import TenantMembership, User
from partners.models import Organization, OrganizationMembership
from tables.access import TableNeed, tables_allowed
from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    ActionTally,
    TableOrganization,
    TableSeat,
)
from tables.selectors.progress import table_action_counts


def overdue_first(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Overdue open actions first, then by due date (none last), then oldest first."""
    return actions.annotate(
        overdue=Case(
            When(
                Q(due_date__lt=timezone.localdate()) & Q(status__in=ACTION_OPEN_STATUSES),
                then=Value(0),
            ),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("overdue", "due_date", "id")


@dataclass(frozen=True, slots=True)
class ActionLine:
    """An action as a list shows it (a table's actions, my work, the home's short list), read
    as plain values: model instances of each action, its table, owner and organization were
    much of such a page's time."""

    pk: int
    title: str
    status: str
    priority: str
    due_date: date | None
    table_slug: str
    table_name: str
    owner_name: str | None  # the person's display name, None when nobody
    organization_name: str | None
    is_overdue: bool


# What a line reads: (pk, title, status, priority, due date, table slug and name, owner id,
# full name and email, organization id and name).
_LINE_FIELDS = (
    "pk",
    "title",
    "status",
    "priority",
    "due_date",
    "table__slug",
    "table__name",
    "owner_id",
    "owner__full_name",
    "owner__email",
    "owner_organization_id",
    "owner_organization__name",
)


def table_action_count(*, table: ActionTable, status: str) -> int:
    """How many of the table's actions its list shows for a filter ("" the open ones,
    "overdue", "all", or one status), from the table's ActionTally, which the action services
    keep in the same transaction as every change, instead of counting them: one plain query
    (overdue as the table page reads it, `table_action_counts`)."""
    if status == "overdue":
        return table_action_counts(table)[1]
    columns = {"": ACTION_OPEN_STATUSES, "all": ActionStatus.values}.get(status, [status])
    counts = ActionTally.objects.filter(table_id=table.pk).values_list(*columns).first()
    return sum(counts) if counts else 0


def action_line_values(actions: QuerySet[Action]) -> QuerySet:
    """The values an `ActionLine` is made of, in the queryset's order (a page of it: counted
    without the joins these need)."""
    return actions.values_list(*_LINE_FIELDS)


def action_lines(rows: Iterable[tuple]) -> list[ActionLine]:
    """`ActionLine`s from rows of `action_line_values`; overdue as `Action.is_overdue`."""
    today = timezone.localdate()
    lines = []
    for pk, title, status, priority, due, slug, name, owner_id, full, email, org_id, org in rows:
        lines.append(
            ActionLine(
                pk=pk,
                title=title,
                status=status,
                priority=priority,
                due_date=due,
                table_slug=slug,
                table_name=name,
                owner_name=(full or email) if owner_id is not None else None,
                organization_name=org if org_id is not None else None,
                is_overdue=bool(due and due < today and status in ACTION_OPEN_STATUSES),
            )
        )
    return lines


def my_open_actions(*, user: User, membership: TenantMembership, limit: int | None = None):
    """Open actions owned by the person or their organizations at tables they may see,
    overdue first, then by due date: the queryset (to paginate), or with `limit` the first
    ones as `ActionLine`s.

    The person's organizations and the plan's tables they may not see (members-only ones, as
    a rule few; none for admins and leadership) are read first, as lists (two small queries,
    one for those who see every table): with their subqueries inside,
    the actions' query (a count and a page) took longer to plan than to run. `owner = me OR
    owner_organization_id IN (…)` with a list of ids is two index scans (action_owner_status,
    action_org_status) joined by a bitmap OR."""
    org_ids = list(
        OrganizationMembership.objects.current()
        .filter(user=user)
        .order_by()
        .values_list("organization_id", flat=True)
    )
    visible = tables_allowed(user=user, membership=membership, need=TableNeed.SUMMARY)
    hidden = (
        list(ActionTable.objects.exclude(visible).order_by().values_list("pk", flat=True))
        if visible  # no condition (admins, leadership): no table is hidden, nothing to read
        else []
    )
    actions = overdue_first(
        Action.objects.filter(status__in=ACTION_OPEN_STATUSES)
        .exclude(table_id__in=hidden)
        .filter(Q(owner=user) | Q(owner_organization_id__in=org_ids))
    )
    return action_lines(action_line_values(actions[:limit])) if limit else actions


class OwnerOption(NamedTuple):
    """An organization or a person as the owner fields show them, where they are only shown
    (the action list's empty form): its id and name, without a model instance."""

    pk: int
    name: str

    @property
    def display_name(self) -> str:
        return self.name


def action_owner_people(*, table: ActionTable, organizations: list) -> list[tuple[str, list]]:
    """Who may own an action of the table, grouped as the form offers them: the current staff
    of each organization, then the seat holders (owners of an action with no organization).
    Active members of the plan only; two queries whatever the numbers. People are `User`s
    with their names (`action_owner_options` reads the same, as ids and names)."""
    active = TenantMembership.objects.filter(tenant_id=table.tenant_id, is_active=True).values(
        "user_id"
    )
    # A person is shown by name (or address) and chosen by id: nothing more of them is read.
    person = ("user__id", "user__full_name", "user__email")
    staff: dict[int, list] = {o.pk: [] for o in organizations}
    memberships = (
        OrganizationMembership.objects.current()
        .filter(organization_id__in=list(staff), user__in=active)
        .order_by("user__full_name", "user__email")
    )
    seats = (
        TableSeat.objects.current()
        .filter(table_id=table.pk, user__in=active)
        .order_by("user__full_name", "user__email")
    )
    for membership in memberships.select_related("user").only("organization_id", *person):
        staff[membership.organization_id].append(membership.user)
    seated = [seat.user for seat in seats.select_related("user").only(*person)]
    return _owner_groups(organizations, staff, seated)


SEATS_GROUP = "Seats at this table (no organization)"


def _owner_groups(organizations: list, staff: dict[int, list], seated: list) -> list:
    """The organizations' staff, each under their organization, then the seat holders not
    listed already (a person on staff who also holds a seat is offered once, under the
    organization: the same choice either way)."""
    groups = [(o.name, staff[o.pk]) for o in organizations if staff[o.pk]]
    listed = {person.pk for _, people in groups for person in people}
    seated = [person for person in seated if person.pk not in listed]
    if seated:
        groups.append((SEATS_GROUP, seated))
    return groups


# Who may own an action, as ids and names: the organizations at the table (for those who
# may not change it, only their own), each one's current staff, then the table's seat
# holders, the people active members of the plan (one membership per plan and person); in
# the order the form offers them (part 0 the organizations, 1 their staff, 2 the seats).
_OWNER_OPTIONS = """
WITH organizations AS MATERIALIZED (
    SELECT o.id, o.name
    FROM {participation} p JOIN {organization} o ON o.id = p.organization_id
    WHERE p.tenant_id = %(tenant)s AND p.table_id = %(table)s AND p.left_on IS NULL
      AND o.tenant_id = %(tenant)s
      AND (%(any_organization)s OR o.id IN (
        SELECT mine.organization_id FROM {staff} mine
        WHERE mine.tenant_id = %(tenant)s AND mine.user_id = %(user)s AND mine.left_on IS NULL))
), people AS (
    SELECT s.organization_id, s.user_id
    FROM {staff} s JOIN organizations o ON o.id = s.organization_id
    WHERE s.tenant_id = %(tenant)s AND s.left_on IS NULL
    UNION ALL
    SELECT NULL, t.user_id FROM {seat} t
    WHERE t.tenant_id = %(tenant)s AND t.table_id = %(table)s AND t.left_on IS NULL
)
SELECT 0 AS part, o.id, o.name, NULL AS user_id, NULL AS full_name, NULL AS email
FROM organizations o
UNION ALL
SELECT CASE WHEN p.organization_id IS NULL THEN 2 ELSE 1 END, p.organization_id, NULL,
       u.id, u.full_name, u.email
FROM people p JOIN {user} u ON u.id = p.user_id
JOIN {member} m ON m.user_id = u.id AND m.tenant_id = %(tenant)s AND m.is_active
ORDER BY part, name, full_name, email
"""


def action_owner_options(
    *, table: ActionTable, user: User, any_organization: bool
) -> dict[str, list]:
    """The form's `organizations` and `people` for a form that is only shown, not submitted
    (the action list's, on every visit), as ids and names (`OwnerOption`): what the action
    list's views offer (any organization at the table when `any_organization`, else the
    person's own that sit there) and `action_owner_people` groups, read in one statement.
    Three ORM queries took about 2 ms, most of it making them."""
    statement = _OWNER_OPTIONS.format(
        organization=Organization._meta.db_table,
        participation=TableOrganization._meta.db_table,
        staff=OrganizationMembership._meta.db_table,
        seat=TableSeat._meta.db_table,
        member=TenantMembership._meta.db_table,
        user=User._meta.db_table,
    )
    organizations: list[OwnerOption] = []
    staff: dict[int, list] = {}
    seated: list[OwnerOption] = []
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            {
                "tenant": table.tenant_id,
                "table": table.pk,
                "user": user.pk,
                "any_organization": any_organization,
            },
        )
        for part, organization_id, name, user_id, full_name, email in cursor.fetchall():
            if part == 0:
                organizations.append(OwnerOption(organization_id, name))
                staff[organization_id] = []
            elif part == 1:
                staff[organization_id].append(OwnerOption(user_id, full_name or email))
            else:
                seated.append(OwnerOption(user_id, full_name or email))
    return {
        "organizations": organizations,
        "people": _owner_groups(organizations, staff, seated),
    }
