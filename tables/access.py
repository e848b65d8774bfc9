"""Who may do what with a table and the things in it: the access matrix of the design, decided
here and nowhere else.

Visibility is decided from a person and their membership of the plan, never from a request,
in two forms: `table_access()` for one table, `tables_allowed()` as a queryset filter for many
(with `table_ids_by_member()` for many people at once). Pages, selectors, feeds, progress and
digests all use these. Each object reached by a URL has a `get_<kind>_for(request, …)` helper,
the first line of its views: it returns a small frozen dataclass (the object, its table, what
the person may do) or raises 404 (they may not know it exists) or 403 (they may see it, not do
this).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpRequest
from guardian.core import ObjectPermissionChecker

from cswb.access import TenantNeed, get_tenant_for
from cswb.models import TenantMembership, User
from partners.models import OrganizationMembership
from tables.models import (
    Action,
    ActionTable,
    ActionTableGroupObjectPermission,
    ActionTableUserObjectPermission,
    Decision,
    FocusArea,
    Guest,
    Measure,
    Meeting,
    Observation,
    TableOrganization,
    TableSeat,
    Visibility,
)


class TableNeed(StrEnum):
    VIEW = "view"  # the full table page
    SUMMARY = "summary"  # summary and progress figures: leadership may see members-only tables
    CHANGE = "change"  # edit the table, its seats, participations, meetings and minutes
    LOG = "log"  # log actions, updates and observations


PERMISSION = {
    TableNeed.VIEW: "view_actiontable",
    TableNeed.CHANGE: "change_actiontable",
    TableNeed.LOG: "log_progress",
}


@dataclass(frozen=True)
class TableAccess:
    """What one person may do at one table."""

    table: ActionTable
    is_admin: bool
    is_leadership: bool
    is_member: bool  # a seat, or an organization taking part
    can_change: bool
    can_log: bool

    @property
    def can_view(self) -> bool:
        # Members-only tables: their members and admins see everything; leadership sees the
        # summary and progress figures; anyone else may not know the table exists.
        return self.is_admin or self.is_member or not self.table.is_members_only

    @property
    def can_see_summary(self) -> bool:
        return self.can_view or self.is_leadership

    def allows(self, need: TableNeed) -> bool:
        return {
            TableNeed.VIEW: self.can_view,
            TableNeed.SUMMARY: self.can_see_summary,
            TableNeed.CHANGE: self.can_change,
            TableNeed.LOG: self.can_log,
        }[need]


# A person's grants, their own and their groups', as one statement written once per use
# from the models' tables: (what it selects, what it filters the grants by).
_BY_TABLE = ("p.codename", "g.content_object_id = %s")  # their codenames on one table
_BY_CODENAME = ("g.content_object_id", "p.codename = %s")  # the tables with one codename


@lru_cache(maxsize=2)
def _grants_sql(use: tuple[str, str]) -> str:
    """The statement for one of the uses above; its parameters are the person and the filter's
    value, twice (own grants, then the groups')."""
    column, condition = use
    user_perms = ActionTableUserObjectPermission._meta.db_table
    group_perms = ActionTableGroupObjectPermission._meta.db_table
    permissions = Permission._meta.db_table
    user_groups = User.groups.through._meta.db_table
    # The names are the models' tables and the constants above, never input.
    return (
        f"SELECT {column} FROM {user_perms} g"  # noqa: S608
        f" JOIN {permissions} p ON p.id = g.permission_id"
        f" WHERE g.user_id = %s AND {condition}"
        f" UNION SELECT {column} FROM {group_perms} g"
        f" JOIN {permissions} p ON p.id = g.permission_id"
        f" JOIN {user_groups} ug ON ug.group_id = g.group_id"
        f" WHERE ug.user_id = %s AND {condition}"
    )


def _table_perms(user: User, table: ActionTable) -> set[str]:
    """The person's grants on the table, direct (a seat) or through an organization's group,
    in one query (guardian's checker reads the two in two): what `get_perms` gives. Written
    as SQL once: every page of a table asks, and building the two querysets and their union
    took longer than running them."""
    if not user.is_active:
        return set()
    if user.is_superuser:
        return set(ObjectPermissionChecker(user).get_perms(table))
    with connection.cursor() as cursor:
        cursor.execute(_grants_sql(_BY_TABLE), [user.pk, table.pk, user.pk, table.pk])
        return {codename for (codename,) in cursor.fetchall()}


def table_access(*, user: User, membership: TenantMembership, table: ActionTable) -> TableAccess:
    is_admin = membership.is_admin
    perms = set() if is_admin else _table_perms(user, table)
    return TableAccess(
        table=table,
        is_admin=is_admin,
        is_leadership=membership.can_read_everything,
        is_member="view_actiontable" in perms,
        can_change=is_admin or "change_actiontable" in perms,
        can_log=is_admin or "log_progress" in perms,
    )


def tables_granted(user: User, need: TableNeed = TableNeed.VIEW) -> Q:
    """Tables where the person holds the need's grant, directly (a seat) or through an
    organization's group: for VIEW, the tables they are a member of."""
    codename = PERMISSION[need]
    direct = ActionTableUserObjectPermission.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")
    through_group = ActionTableGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename
    ).values("content_object_id")
    return Q(pk__in=direct) | Q(pk__in=through_group)


def tables_allowed(*, user: User, membership: TenantMembership, need: TableNeed) -> Q:
    """The same decision as `table_access(...).allows(need)`, as a filter on ActionTable."""
    if membership.is_admin:
        return Q()
    if need is TableNeed.SUMMARY and membership.can_read_everything:
        return Q()
    if need in (TableNeed.VIEW, TableNeed.SUMMARY):
        return Q(visibility=Visibility.TENANT) | tables_granted(user)
    return tables_granted(user, need)


def tables_viewable_among(
    tables: Iterable[tuple[int, str]], *, user: User, membership: TenantMembership
) -> set[int]:
    """Of these tables (id, visibility), already read, those the person may open: the same
    decision as `tables_allowed(need=TableNeed.VIEW)`, with the person's grants read in one
    statement and only when a members-only table is among them."""
    tables = list(tables)
    if membership.is_admin:
        return {pk for pk, _ in tables}
    viewable = {pk for pk, visibility in tables if visibility == Visibility.TENANT}
    if len(viewable) < len(tables) and user.is_active:
        codename = PERMISSION[TableNeed.VIEW]
        with connection.cursor() as cursor:
            cursor.execute(_grants_sql(_BY_CODENAME), [user.pk, codename, user.pk, codename])
            granted = {pk for (pk,) in cursor.fetchall()}
        viewable |= {pk for pk, _ in tables if pk in granted}
    return viewable


def table_ids_by_member(user_ids: Iterable[int]) -> dict[int, set[int]]:
    """For many people at once (the digests), the tables each is a member of, in two
    queries."""
    user_ids = list(user_ids)
    tables: dict[int, set[int]] = defaultdict(set)
    direct = ActionTableUserObjectPermission.objects.filter(
        user_id__in=user_ids, permission__codename="view_actiontable"
    ).values_list("user_id", "content_object_id")
    through_group = ActionTableGroupObjectPermission.objects.filter(
        group__user__in=user_ids, permission__codename="view_actiontable"
    ).values_list("group__user", "content_object_id")
    for user_id, table_id in [*direct, *through_group]:
        tables[user_id].add(table_id)
    return tables


def user_organization_ids(user: User) -> set[int]:
    return set(
        OrganizationMembership.objects.current()
        .filter(user=user)
        .values_list("organization_id", flat=True)
    )


# -- one helper per object kind reached by a URL -------------------------------------------


def get_table_for(
    request: HttpRequest, slug: str, *, need: TableNeed = TableNeed.VIEW
) -> TableAccess:
    """The table and what the person may do there; 404 when they may not know it exists
    (members-only tables to non-members), 403 when they may see it but not do this."""
    tenant = get_tenant_for(request)
    table = ActionTable.objects.filter(slug=slug).first()  # in the tenant's scope
    if table is None:
        raise Http404("No such table.")
    table.tenant = tenant
    access = table_access(user=request.user, membership=request.membership, table=table)
    if not access.can_see_summary:
        raise Http404("No such table.")
    if not access.allows(need):
        raise PermissionDenied("Your role at this table does not allow this.")
    return access


@dataclass(frozen=True)
class ActionAccess:
    action: Action
    table: ActionTable
    access: TableAccess
    can_update: bool


def may_update_action(access: TableAccess, action: Action, user: User, org_ids: set[int]) -> bool:
    """Admins and the table's coordinators update any of its actions; people who may log
    progress there update their own and their organization's."""
    if access.can_change:
        return True
    return access.can_log and (
        action.owner_id == user.pk or action.owner_organization_id in org_ids
    )


def get_action_for(
    request: HttpRequest, table_slug: str, pk: int, *, update: bool = False
) -> ActionAccess:
    """Members-only tables' actions are not shown to leadership (403: they may know the table,
    not read its work)."""
    access = get_table_for(request, table_slug, need=TableNeed.VIEW)
    action = (
        Action.objects.select_related(
            "owner", "owner_organization", "created_by", "decision__meeting"
        )
        .filter(table=access.table, pk=pk)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    can_update = may_update_action(
        access, action, request.user, user_organization_ids(request.user)
    )
    if update and not can_update:
        raise PermissionDenied("Only the action's organization or the table's coordinators can.")
    return ActionAccess(action=action, table=access.table, access=access, can_update=can_update)


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    table: ActionTable
    access: TableAccess


def get_meeting_for(
    request: HttpRequest, table_slug: str, pk: int, *, need: TableNeed
) -> MeetingAccess:
    access = get_table_for(request, table_slug, need=need)
    meeting = (
        Meeting.objects.select_related("table", "tenant").filter(table=access.table, pk=pk).first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return MeetingAccess(meeting=meeting, table=access.table, access=access)


@dataclass(frozen=True)
class DecisionAccess:
    decision: Decision
    meeting: Meeting
    table: ActionTable
    access: TableAccess


def get_decision_for(
    request: HttpRequest, table_slug: str, meeting_pk: int, pk: int, *, need: TableNeed
) -> DecisionAccess:
    found = get_meeting_for(request, table_slug, meeting_pk, need=need)
    decision = Decision.objects.filter(meeting=found.meeting, pk=pk).first()
    if decision is None:
        raise Http404("No such decision.")
    return DecisionAccess(
        decision=decision, meeting=found.meeting, table=found.table, access=found.access
    )


@dataclass(frozen=True)
class GuestAccess:
    guest: Guest
    meeting: Meeting
    table: ActionTable
    access: TableAccess


def get_guest_for(
    request: HttpRequest, table_slug: str, meeting_pk: int, pk: int, *, need: TableNeed
) -> GuestAccess:
    found = get_meeting_for(request, table_slug, meeting_pk, need=need)
    guest = Guest.objects.filter(meeting=found.meeting, pk=pk).first()
    if guest is None:
        raise Http404("No such guest.")
    return GuestAccess(guest=guest, meeting=found.meeting, table=found.table, access=found.access)


@dataclass(frozen=True)
class MeasureAccess:
    measure: Measure
    table: ActionTable
    access: TableAccess
    can_record: bool  # may record its observations


def get_measure_for(
    request: HttpRequest, table_slug: str, pk: int, *, need: TableNeed
) -> MeasureAccess:
    access = get_table_for(request, table_slug, need=need)
    measure = (
        Measure.objects.select_related("reporting_organization", "table", "tenant")
        .filter(table=access.table, pk=pk)
        .first()
    )
    if measure is None:
        raise Http404("No such measure.")
    can_record = access.can_change or (
        access.can_log and measure.reporting_organization_id in user_organization_ids(request.user)
    )
    return MeasureAccess(measure=measure, table=access.table, access=access, can_record=can_record)


@dataclass(frozen=True)
class ObservationAccess:
    observation: Observation
    measure: Measure
    table: ActionTable
    access: TableAccess


def may_correct_observation(access: TableAccess, observation: Observation, user: User) -> bool:
    """Admins and the table's coordinators correct any value; whoever recorded one corrects
    it while they may still log progress there."""
    return access.can_change or (access.can_log and observation.recorded_by_id == user.pk)


def get_observation_for(
    request: HttpRequest, table_slug: str, measure_pk: int, pk: int
) -> ObservationAccess:
    """A recorded value, for correcting or removing it: 404 to who may not know the table
    or the value, 403 to who may see it but not correct it."""
    found = get_measure_for(request, table_slug, measure_pk, need=TableNeed.SUMMARY)
    observation = (
        Observation.objects.select_related("recorded_by")
        .filter(measure=found.measure, pk=pk)
        .first()
    )
    if observation is None:
        raise Http404("No such value.")
    if not may_correct_observation(found.access, observation, request.user):
        raise PermissionDenied("Only whoever recorded it or the table's coordinators can.")
    return ObservationAccess(
        observation=observation, measure=found.measure, table=found.table, access=found.access
    )


@dataclass(frozen=True)
class SeatAccess:
    seat: TableSeat
    table: ActionTable


def get_seat_for(request: HttpRequest, table_slug: str, pk: int) -> SeatAccess:
    """A current seat at a table the person runs."""
    access = get_table_for(request, table_slug, need=TableNeed.CHANGE)
    seat = (
        TableSeat.objects.current()
        .select_related("user", "table")
        .filter(table=access.table, pk=pk)
        .first()
    )
    if seat is None:
        raise Http404("No such seat at this table.")
    return SeatAccess(seat=seat, table=access.table)


@dataclass(frozen=True)
class ParticipationAccess:
    participation: TableOrganization
    table: ActionTable


def get_participation_for(request: HttpRequest, table_slug: str, pk: int) -> ParticipationAccess:
    """An organization taking part now in a table the person runs."""
    access = get_table_for(request, table_slug, need=TableNeed.CHANGE)
    participation = (
        TableOrganization.objects.current()
        .select_related("organization", "table")
        .filter(table=access.table, pk=pk)
        .first()
    )
    if participation is None:
        raise Http404("No such organization at this table.")
    return ParticipationAccess(participation=participation, table=access.table)


@dataclass(frozen=True)
class FocusAreaAccess:
    area: FocusArea


def get_focus_area_for(request: HttpRequest, pk: int) -> FocusAreaAccess:
    """A focus area of the plan, for its administrators (others: 403; another plan's: 404)."""
    get_tenant_for(request, need=TenantNeed.MANAGE)
    area = FocusArea.objects.filter(pk=pk).first()
    if area is None:
        raise Http404("No such focus area.")
    return FocusAreaAccess(area=area)
