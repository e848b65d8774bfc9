"""Who may do what with a table: the access matrix of the design, in one helper."""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from guardian.core import ObjectPermissionChecker

from cswb.access import get_tenant_for
from partners.models import OrganizationMembership
from tables.models import Action, ActionTable


class TableNeed(StrEnum):
    VIEW = "view"  # the full table page
    SUMMARY = "summary"  # summary and progress figures: leadership may see members-only tables
    CHANGE = "change"  # edit the table, its seats, participations, meetings and minutes
    LOG = "log"  # log actions, updates and observations


class TableAccess:
    """What the current person may do at one table, resolved once per request."""

    def __init__(self, request: HttpRequest, table: ActionTable) -> None:
        membership = request.membership
        self.table = table
        self.is_admin = membership.is_admin
        self.is_leadership = membership.can_read_everything
        checker = ObjectPermissionChecker(request.user)
        perms = set(checker.get_perms(table)) if not self.is_admin else set()
        self.is_member = "view_actiontable" in perms
        self.can_change = self.is_admin or "change_actiontable" in perms
        self.can_log = self.is_admin or "log_progress" in perms
        # Members-only tables: their members and admins see everything; leadership sees the
        # summary and progress figures; anyone else may not know the table exists.
        self.can_view = self.is_admin or self.is_member or not table.is_members_only
        self.can_see_summary = self.can_view or self.is_leadership

    def allows(self, need: TableNeed) -> bool:
        return {
            TableNeed.VIEW: self.can_view,
            TableNeed.SUMMARY: self.can_see_summary,
            TableNeed.CHANGE: self.can_change,
            TableNeed.LOG: self.can_log,
        }[need]


def get_table_for(
    request: HttpRequest, slug: str, *, need: TableNeed = TableNeed.VIEW
) -> tuple[ActionTable, TableAccess]:
    """The table and what the person may do there; 404 when they may not know it exists
    (members-only tables to non-members), 403 when they may see it but not do this."""
    get_tenant_for(request)
    table = ActionTable.objects.select_related("tenant").filter(slug=slug).first()
    if table is None:
        raise Http404("No such table.")
    access = TableAccess(request, table)
    if not access.can_see_summary:
        raise Http404("No such table.")
    if not access.allows(need):
        raise PermissionDenied("Your role at this table does not allow this.")
    return table, access


def user_organization_ids(user) -> set[int]:

    return set(
        OrganizationMembership.objects.filter(user=user, left_on__isnull=True).values_list(
            "organization_id", flat=True
        )
    )


def may_update_action(access: TableAccess, action, user, organization_ids: set[int]) -> bool:
    """Admins and the table's coordinators update any of its actions; people who may log
    progress there update their own and their organization's."""
    if access.can_change:
        return True
    return access.can_log and (
        action.owner_id == user.pk or action.owner_organization_id in organization_ids
    )


def get_action_for(request: HttpRequest, table_slug: str, pk: int, *, update: bool = False):
    """The action, its table and access. Members-only tables' actions are not shown to
    leadership (403: they may know the table, not read its work)."""

    table, access = get_table_for(request, table_slug, need=TableNeed.VIEW)
    action = (
        Action.objects.select_related(
            "owner", "owner_organization", "created_by", "decision__meeting"
        )
        .filter(table=table, pk=pk)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    org_ids = user_organization_ids(request.user)
    can_update = may_update_action(access, action, request.user, org_ids)
    if update and not can_update:
        raise PermissionDenied("Only the action's organization or the table's coordinators can.")
    return action, table, access, can_update
