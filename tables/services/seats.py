"""Who sits at a table: organizations taking part, people's seats, invitations to a seat, and the
object permissions they grant (django-guardian), kept in step in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from cswb.models import TenantMembership, TenantRole, User
from cswb.services import activity_record, period_end
from partners.models import Invitation, Organization
from partners.services.invitations import NO_LONGER_GRANTABLE, invitation_create
from tables.models import (
    RUNNING_ROLES,
    ActionTable,
    ActionTableGroupObjectPermission,
    ActionTableUserObjectPermission,
    ParticipationRole,
    SeatRole,
    TableOrganization,
    TableSeat,
)


@transaction.atomic
def table_organization_add(
    *, table: ActionTable, organization: Organization, role: str, actor: User
) -> TableOrganization:
    if role not in ParticipationRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if organization.tenant_id != table.tenant_id:
        raise ValidationError("That organization belongs to another plan.")
    if TableOrganization.objects.current().filter(table=table, organization=organization).exists():
        raise ValidationError({"organization": f"{organization} already sits at this table."})
    participation = TableOrganization.objects.create(
        tenant=table.tenant, table=table, organization=organization, role=role
    )
    table_permissions_sync(table=table)
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="table.organization_joined",
        summary=f"{organization} joined {table.name} ({ParticipationRole(role).label.lower()})",
        target=participation,
        table=table,
    )
    return participation


@transaction.atomic
def table_organization_end(*, participation: TableOrganization, actor: User) -> TableOrganization:
    period_end(period=participation, already_ended="This organization has already left the table.")
    table_permissions_sync(table=participation.table)
    activity_record(
        tenant=participation.tenant,
        actor=actor,
        verb="table.organization_left",
        summary=f"{participation.organization} left {participation.table.name}",
        target=participation,
        table=participation.table,
    )
    return participation


@transaction.atomic
def table_seat_add(
    *,
    table: ActionTable,
    user: User,
    role: str,
    actor: User,
    organization: Organization | None = None,
) -> TableSeat:

    if role not in SeatRole.values:
        raise ValidationError({"role": f"Unknown seat role {role!r}."})
    if not TenantMembership.objects.filter(user=user, is_active=True).exists():
        raise ValidationError({"user": "No member of this plan has this address."})
    if TableSeat.objects.current().filter(table=table, user=user).exists():
        raise ValidationError({"user": f"{user.display_name} already has a seat at this table."})
    if (
        organization is not None
        and not TableOrganization.objects.current()
        .filter(table=table, organization=organization)
        .exists()
    ):
        raise ValidationError(
            {"organization": f"{organization} does not sit at {table.name}. Add it first."}
        )
    seat = TableSeat.objects.create(
        tenant=table.tenant, table=table, user=user, role=role, organization=organization
    )
    table_permissions_sync(table=table)
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="table.seat_added",
        summary=f"{user.display_name} took a seat at {table.name} "
        f"as {SeatRole(role).label.lower()}",
        target=seat,
        table=table,
    )
    return seat


@transaction.atomic
def table_seat_end(*, seat: TableSeat, actor: User) -> TableSeat:
    period_end(period=seat, already_ended="This seat has already ended.")
    table_permissions_sync(table=seat.table)
    activity_record(
        tenant=seat.tenant,
        actor=actor,
        verb="table.seat_ended",
        summary=f"{seat.user.display_name} left {seat.table.name}",
        target=seat,
        table=seat.table,
    )
    return seat


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(
            content_type__app_label="tables",
            codename__in=["view_actiontable", "change_actiontable", "log_progress"],
        ).values_list("codename", "pk")
    )


# (user id, permission codename) pairs and (group id, permission codename) pairs.
Grants = tuple[set[tuple[int, str]], set[tuple[int, str]]]


def table_expected_grants(*, table: ActionTable) -> Grants:
    """What the table's active seats and participating organizations should be granted:
    (user id, permission) and (group id, permission) pairs."""
    users: set[tuple[int, str]] = set()
    for user_id, role in (
        TableSeat.objects.current().filter(table=table).values_list("user_id", "role")
    ):
        users |= {(user_id, "view_actiontable"), (user_id, "log_progress")}
        if role in RUNNING_ROLES:
            users.add((user_id, "change_actiontable"))
    groups: set[tuple[int, str]] = set()
    for group_id in (
        TableOrganization.objects.current()
        .filter(table=table)
        .values_list("organization__group_id", flat=True)
    ):
        groups |= {(group_id, "view_actiontable"), (group_id, "log_progress")}
    return users, groups


def table_actual_grants(*, table: ActionTable) -> Grants:
    users = set(
        ActionTableUserObjectPermission.objects.filter(content_object=table).values_list(
            "user_id", "permission__codename"
        )
    )
    groups = set(
        ActionTableGroupObjectPermission.objects.filter(content_object=table).values_list(
            "group_id", "permission__codename"
        )
    )
    return users, groups


@transaction.atomic
def table_permissions_sync(*, table: ActionTable) -> int:
    """Make the table's object grants match its seats and participations exactly. Returns how
    many grants were added or removed (0 when there was no drift)."""
    perms = _permission_ids()
    expected_users, expected_groups = table_expected_grants(table=table)
    actual_users, actual_groups = table_actual_grants(table=table)
    changes = 0
    for model, key, expected, actual in [
        (ActionTableUserObjectPermission, "user_id", expected_users, actual_users),
        (ActionTableGroupObjectPermission, "group_id", expected_groups, actual_groups),
    ]:
        for holder, codename in actual - expected:
            model.objects.filter(
                content_object=table, **{key: holder}, permission_id=perms[codename]
            ).delete()
        missing = expected - actual
        model.objects.bulk_create(
            model(content_object=table, **{key: holder}, permission_id=perms[codename])
            for holder, codename in missing
        )
        changes += len(actual - expected) + len(missing)
    return changes


def _may_invite_to(*, table: ActionTable, user: User | None) -> bool:
    """The plan's administrators, and whoever runs the table (its chairs and coordinators)."""
    return (
        TableSeat.objects.current().filter(table=table, user=user, role__in=RUNNING_ROLES).exists()
        or TenantMembership.objects.filter(
            user=user, is_active=True, role=TenantRole.ADMIN
        ).exists()
    )


@transaction.atomic
def table_invitation_create(
    *,
    table: ActionTable,
    email: str,
    invited_by: User,
    seat_role: str,
    organization: Organization | None = None,
    org_role: str = "staff",
):
    """Invite someone to a seat at the table, as a member of the plan. Whoever runs the table
    may invite to it, and to it only: the organization, if any, must sit at the table, and only
    the plan's administrators (or the organization's own) may make its administrators."""

    if seat_role not in SeatRole.values:
        raise ValidationError({"seat_role": f"Unknown seat role {seat_role!r}."})
    if not _may_invite_to(table=table, user=invited_by):
        raise ValidationError("Only the table's chairs and coordinators can invite to it.")
    if (
        organization is not None
        and not TableOrganization.objects.current()
        .filter(table=table, organization=organization)
        .exists()
    ):
        raise ValidationError(
            {"organization": f"{organization} does not sit at {table.name}. Add it first."}
        )
    return invitation_create(
        tenant=table.tenant,
        email=email,
        role=TenantRole.MEMBER,
        invited_by=invited_by,
        organization=organization,
        org_role=org_role if organization else "",
        table=table,
        seat_role=seat_role,
    )


def table_seat_for_invitation(invitation: Invitation, user: User) -> None:
    """The seat an accepted invitation promised (registered with the invitations service by
    the app's ready()); nothing when it names no table or the person already sits there. The
    person who sent it must still run the table, or be one of the plan's administrators."""
    if invitation.table_id and not _may_invite_to(
        table=invitation.table, user=invitation.invited_by
    ):
        raise ValidationError(NO_LONGER_GRANTABLE)
    if (
        invitation.table_id
        and not TableSeat.objects.current().filter(table=invitation.table, user=user).exists()
    ):
        # On behalf of the organization only if it still sits at the table.
        still_there = (
            invitation.organization_id is not None
            and invitation.organization.participations.current()
            .filter(table=invitation.table)
            .exists()
        )
        table_seat_add(
            table=invitation.table,
            user=user,
            role=invitation.seat_role or "member",
            actor=invitation.invited_by,
            organization=invitation.organization if still_there else None,
        )
