"""Reads of actions across tables."""

from __future__ import annotations

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from cswb.models import TenantMembership, User
from partners.models import Organization, OrganizationMembership
from tables.models import ACTION_OPEN_STATUSES, Action, ActionTable, TableSeat
from tables.selectors.tables import tables_visible_to


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


def _any_of(field: str, ids: QuerySet) -> Q:
    """`field IN (ids)` in a form PostgreSQL can use beside another condition's index.

    `owner = me OR owner_organization_id IN (SELECT …)` defeats the indexes: PostgreSQL scans
    every open action of the plan and tests the subquery on each. Written as `= ANY(ARRAY(
    SELECT …))`, the organization ids are read once, first (an InitPlan), and the OR becomes
    two index scans (action_owner_status, action_org_status) joined by a bitmap OR, in the
    same single query (README, "Benchmarks"). Other databases get the plain subquery."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return Q(
        Func(
            F(field),
            Subquery(ids),
            template="%(expressions)s))",
            arg_joiner=" = ANY(ARRAY(",
            output_field=BooleanField(),
        )
    )


def my_open_actions(*, user: User, membership: TenantMembership, limit: int | None = None):
    """Open actions owned by the person or their organizations at tables they may see,
    overdue first, then by due date."""

    org_ids = OrganizationMembership.objects.current().filter(user=user).values("organization_id")
    actions = overdue_first(
        Action.objects.filter(
            status__in=ACTION_OPEN_STATUSES,
            table__in=tables_visible_to(user=user, membership=membership),
        )
        .filter(Q(owner=user) | _any_of("owner_organization_id", org_ids))
        .select_related("table", "owner", "owner_organization")
    )
    return list(actions[:limit]) if limit else actions


def action_owner_people(
    *, table: ActionTable, organizations: list[Organization]
) -> list[tuple[str, list[User]]]:
    """Who may own an action of the table, grouped as the form offers them: the current staff
    of each organization, then the seat holders (owners of an action with no organization).
    Active members of the plan only; two queries whatever the numbers."""
    active = TenantMembership.objects.filter(tenant_id=table.tenant_id, is_active=True).values(
        "user_id"
    )
    # A person is shown by name (or address) and chosen by id: nothing more of them is read.
    person = ("user__id", "user__full_name", "user__email")
    staff: dict[int, list[User]] = {o.pk: [] for o in organizations}
    for membership in (
        OrganizationMembership.objects.current()
        .filter(organization_id__in=list(staff), user__in=active)
        .select_related("user")
        .only("organization_id", *person)
        .order_by("user__full_name", "user__email")
    ):
        staff[membership.organization_id].append(membership.user)
    seated = [
        seat.user
        for seat in TableSeat.objects.current()
        .filter(table_id=table.pk, user__in=active)
        .select_related("user")
        .only(*person)
        .order_by("user__full_name", "user__email")
    ]
    groups = [(o.name, staff[o.pk]) for o in organizations if staff[o.pk]]
    if seated:
        groups.append(("Seats at this table (no organization)", seated))
    return groups
