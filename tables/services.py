"""Every write to action tables, their seats and participating organizations. Object grants
(django-guardian) are written here too, in the same transaction as the change they follow."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope

from cswb.models import Tenant, TenantMembership, TenantRole, User
from cswb.services import activity_record
from partners.models import Organization
from tables.models import (
    RUNNING_ROLES,
    ActionTable,
    ActionTableGroupObjectPermission,
    ActionTableUserObjectPermission,
    FocusArea,
    ParticipationRole,
    SeatRole,
    TableOrganization,
    TableSeat,
    TableStatus,
    Visibility,
)

# The one place that says which status may follow which.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    TableStatus.FORMING: frozenset({TableStatus.ACTIVE, TableStatus.SUNSET}),
    TableStatus.ACTIVE: frozenset({TableStatus.PAUSED, TableStatus.SUNSET}),
    TableStatus.PAUSED: frozenset({TableStatus.ACTIVE, TableStatus.SUNSET}),
    TableStatus.SUNSET: frozenset(),
}

DEFAULT_FOCUS_AREAS = [
    "Youth mental health",
    "Food insecurity",
    "Homelessness and encampments",
    "Opioid misuse",
    "Intimate partner violence",
    "Community safety and crime prevention",
    "Seniors' isolation and well-being",
    "Newcomer settlement",
    "Human trafficking",
    "Child and family well-being",
    "Poverty reduction",
    "Hate and discrimination",
    "Gun and gang violence",
    "Problematic substance use",
    "Emergency response coordination",
]


# Table slugs share /<tenant>/tables/ with these pages.
RESERVED_TABLE_SLUGS = frozenset({"representation", "new"})


def _unique_slug(model: type, name: str, *, max_length: int = 80) -> str:
    base = slugify(name)[: max_length - 4] or "item"
    slug, n = base, 2
    while slug in RESERVED_TABLE_SLUGS or model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def focus_areas_seed(*, tenant: Tenant, names: Iterable[str] = DEFAULT_FOCUS_AREAS) -> int:
    """Give a tenant the default focus areas it does not have yet."""
    created = 0
    with scope(tenant=tenant):
        for position, name in enumerate(names):
            slug = slugify(name)
            if not FocusArea.objects.filter(slug=slug).exists():
                FocusArea.objects.create(tenant=tenant, name=name, slug=slug, position=position)
                created += 1
    return created


@transaction.atomic
def table_create(
    *,
    tenant: Tenant,
    name: str,
    actor: User,
    zone: str,
    visibility: str = Visibility.TENANT,
    purpose: str = "",
    terms_of_reference: str = "",
    start_date: date | None = None,
    focus_areas: Iterable[FocusArea] = (),
) -> ActionTable:
    with scope(tenant=tenant):
        if ActionTable.objects.filter(name__iexact=name.strip()).exists():
            raise ValidationError({"name": f"A table named “{name}” already exists."})
        table = ActionTable(
            tenant=tenant,
            name=name.strip(),
            slug=_unique_slug(ActionTable, name),
            zone=zone,
            visibility=visibility,
            purpose=purpose,
            terms_of_reference=terms_of_reference,
            start_date=start_date,
        )
        table.full_clean(exclude=["focus_areas"])
        table.save()
        table.focus_areas.set(focus_areas)
        activity_record(
            tenant=tenant,
            actor=actor,
            verb="table.created",
            summary=f"{table.name} was created",
            target=table,
            table=table,
        )
    return table


TABLE_FIELDS = ("name", "zone", "visibility", "purpose", "terms_of_reference", "start_date")


@transaction.atomic
def table_update(
    *, table: ActionTable, actor: User, focus_areas: Iterable[FocusArea] | None = None, **fields
) -> ActionTable:
    unknown = set(fields) - set(TABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    changed = {
        key: [str(getattr(table, key)), str(value)]
        for key, value in fields.items()
        if getattr(table, key) != value
    }
    for key, value in fields.items():
        setattr(table, key, value)
    table.full_clean(exclude=["focus_areas"])
    if changed:
        table.save(update_fields=list(changed))
    if focus_areas is not None:
        table.focus_areas.set(focus_areas)
    if changed or focus_areas is not None:
        activity_record(
            tenant=table.tenant,
            actor=actor,
            verb="table.updated",
            summary=f"{table.name}: details updated",
            target=table,
            table=table,
            changes=changed,
        )
    return table


@transaction.atomic
def table_change_status(*, table: ActionTable, status: str, actor: User) -> ActionTable:
    if status not in STATUS_TRANSITIONS.get(table.status, frozenset()):
        raise ValidationError(
            f"A {TableStatus(table.status).label.lower()} table cannot become "
            f"{TableStatus(status).label.lower() if status in TableStatus.values else status}."
        )
    old = table.status
    table.status = status
    table.save(update_fields=["status"])
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="table.status_changed",
        summary=f"{table.name} is now {TableStatus(status).label.lower()}",
        target=table,
        table=table,
        changes={"status": [old, status]},
    )
    return table


@transaction.atomic
def table_organization_add(
    *, table: ActionTable, organization: Organization, role: str, actor: User
) -> TableOrganization:
    if role not in ParticipationRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if organization.tenant_id != table.tenant_id:
        raise ValidationError("That organization belongs to another plan.")
    if TableOrganization.objects.filter(
        table=table, organization=organization, left_on__isnull=True
    ).exists():
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
    if participation.left_on is not None:
        raise ValidationError("This organization has already left the table.")
    participation.left_on = timezone.localdate()
    participation.save(update_fields=["left_on"])
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
    from cswb.models import TenantMembership

    if role not in SeatRole.values:
        raise ValidationError({"role": f"Unknown seat role {role!r}."})
    if not TenantMembership.objects.filter(user=user, is_active=True).exists():
        raise ValidationError({"user": "No member of this plan has this address."})
    if TableSeat.objects.filter(table=table, user=user, left_on__isnull=True).exists():
        raise ValidationError({"user": f"{user.display_name} already has a seat at this table."})
    if (
        organization is not None
        and not TableOrganization.objects.filter(
            table=table, organization=organization, left_on__isnull=True
        ).exists()
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
    if seat.left_on is not None:
        raise ValidationError("This seat has already ended.")
    seat.left_on = timezone.localdate()
    seat.save(update_fields=["left_on"])
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
    for user_id, role in TableSeat.objects.filter(table=table, left_on__isnull=True).values_list(
        "user_id", "role"
    ):
        users |= {(user_id, "view_actiontable"), (user_id, "log_progress")}
        if role in RUNNING_ROLES:
            users.add((user_id, "change_actiontable"))
    groups: set[tuple[int, str]] = set()
    for group_id in TableOrganization.objects.filter(table=table, left_on__isnull=True).values_list(
        "organization__group_id", flat=True
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


@transaction.atomic
def table_onboard(
    *,
    tenant: Tenant,
    actor: User,
    name: str,
    zone: str,
    visibility: str,
    purpose: str,
    start_date: date | None,
    focus_areas: Iterable[FocusArea],
    lead_organization: Organization | None,
    coordinator_email: str,
    member_organizations: Iterable[Organization],
) -> tuple[ActionTable, str]:
    """Start a table in one step: the table, its lead and member organizations, and its
    coordinator, seated now if they are in the plan or invited by email if not. Returns the
    table and "seated" or "invited"."""
    from cswb.models import TenantMembership
    from partners.services.invitations import invitation_create

    table = table_create(
        tenant=tenant,
        name=name,
        actor=actor,
        zone=zone,
        visibility=visibility,
        purpose=purpose,
        start_date=start_date,
        focus_areas=focus_areas,
    )
    if lead_organization is not None:
        table_organization_add(
            table=table, organization=lead_organization, role=ParticipationRole.LEAD, actor=actor
        )
    for organization in member_organizations:
        if lead_organization is not None and organization.pk == lead_organization.pk:
            continue
        table_organization_add(
            table=table, organization=organization, role=ParticipationRole.MEMBER, actor=actor
        )
    coordinator = (
        TenantMembership.objects.filter(
            user__email__iexact=coordinator_email.strip(), is_active=True
        )
        .select_related("user")
        .first()
    )
    if coordinator is not None:
        table_seat_add(
            table=table,
            user=coordinator.user,
            role=SeatRole.COORDINATOR,
            actor=actor,
            organization=lead_organization,
        )
        return table, "seated"
    invitation_create(
        tenant=tenant,
        email=coordinator_email,
        role="member",
        invited_by=actor,
        organization=lead_organization,
        org_role="staff" if lead_organization else "",
        table=table,
        seat_role=SeatRole.COORDINATOR,
    )
    return table, "invited"


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
    from partners.services.invitations import invitation_create

    if seat_role not in SeatRole.values:
        raise ValidationError({"seat_role": f"Unknown seat role {seat_role!r}."})
    runs_table = TableSeat.objects.filter(
        table=table, user=invited_by, role__in=RUNNING_ROLES, left_on__isnull=True
    ).exists()
    is_admin = TenantMembership.objects.filter(
        user=invited_by, is_active=True, role=TenantRole.ADMIN
    ).exists()
    if not (runs_table or is_admin):
        raise ValidationError("Only the table's chairs and coordinators can invite to it.")
    if (
        organization is not None
        and not TableOrganization.objects.filter(
            table=table, organization=organization, left_on__isnull=True
        ).exists()
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
