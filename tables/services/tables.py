"""Every write to action tables, their seats and participating organizations. Object grants
(django-guardian) are written here too, in the same transaction as the change they follow."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cswb.models import Tenant, User
from cswb.selectors import member_by_email
from cswb.services import activity_record
from cswb.text import unique_slug
from partners.models import Organization
from partners.services.invitations import invitation_create
from tables.models import (
    ActionTable,
    FocusArea,
    ParticipationRole,
    SeatRole,
    TableStatus,
    Visibility,
)
from tables.services.seats import table_organization_add, table_seat_add

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


@transaction.atomic
def focus_areas_seed(*, tenant: Tenant, names: Iterable[str] = DEFAULT_FOCUS_AREAS) -> int:
    """Give a tenant the default focus areas it does not have yet."""
    created = 0
    for position, name in enumerate(names):
        slug = slugify(name)
        if not FocusArea.objects.filter(slug=slug).exists():
            FocusArea.objects.create(tenant=tenant, name=name, slug=slug, position=position)
            created += 1
    return created


@transaction.atomic
def focus_area_create(*, tenant: Tenant, name: str, actor: User) -> FocusArea:
    name = name.strip()
    if FocusArea.objects.filter(slug=slugify(name)).exists():
        raise ValidationError({"name": f"“{name}” is already a focus area."})
    area = FocusArea.objects.create(
        tenant=tenant, name=name, slug=slugify(name), position=FocusArea.objects.count()
    )
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="focus_area.created",
        summary=f"Focus area “{name}” added",
        target=area,
    )
    return area


@transaction.atomic
def focus_area_update(
    *, area: FocusArea, actor: User, name: str, description: str = ""
) -> FocusArea:
    """Rename a focus area (its address stays) or change its description."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the focus area a name."})
    if FocusArea.objects.filter(name__iexact=name).exclude(pk=area.pk).exists():
        raise ValidationError({"name": f"“{name}” is already a focus area."})
    changes = {
        key: [getattr(area, key), value]
        for key, value in (("name", name), ("description", description))
        if getattr(area, key) != value
    }
    if not changes:
        return area
    old_name = area.name
    area.name, area.description = name, description
    area.save(update_fields=["name", "description"])
    activity_record(
        tenant=area.tenant,
        actor=actor,
        verb="focus_area.changed",
        summary=(
            f"Focus area “{old_name}” renamed “{name}”"
            if "name" in changes
            else f"Focus area “{name}” described anew"
        ),
        target=area,
        changes=changes,
    )
    return area


@transaction.atomic
def focus_area_move(*, area: FocusArea, actor: User, direction: str) -> FocusArea:
    """Move a focus area one place up or down the plan's list (retired ones included, so the
    order holds when one comes back)."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Unknown direction {direction!r}.")
    areas = list(FocusArea.objects.select_for_update().order_by("position", "name", "pk"))
    index = next(i for i, a in enumerate(areas) if a.pk == area.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(areas):
        raise ValidationError(
            f"“{area.name}” is already {'first' if direction == 'up' else 'last'}."
        )
    areas[index], areas[other] = areas[other], areas[index]
    for position, each in enumerate(areas):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    activity_record(
        tenant=area.tenant,
        actor=actor,
        verb="focus_area.moved",
        summary=f"Focus area “{area.name}” moved {direction}",
        target=area,
    )
    area.refresh_from_db(fields=["position"])
    return area


@transaction.atomic
def focus_area_retire(*, area: FocusArea, actor: User) -> FocusArea:
    if area.retired_on is not None:
        raise ValidationError(f"“{area.name}” is already retired.")
    area.retired_on = timezone.localdate()
    area.save(update_fields=["retired_on"])
    activity_record(
        tenant=area.tenant,
        actor=actor,
        verb="focus_area.retired",
        summary=f"Focus area “{area.name}” retired",
        target=area,
    )
    return area


@transaction.atomic
def focus_area_restore(*, area: FocusArea, actor: User) -> FocusArea:
    if area.retired_on is None:
        raise ValidationError(f"“{area.name}” is not retired.")
    area.retired_on = None
    area.save(update_fields=["retired_on"])
    activity_record(
        tenant=area.tenant,
        actor=actor,
        verb="focus_area.restored",
        summary=f"Focus area “{area.name}” is offered again",
        target=area,
    )
    return area


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
    if ActionTable.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"A table named “{name}” already exists."})
    table = ActionTable(
        tenant=tenant,
        name=name.strip(),
        slug=unique_slug(ActionTable, name, reserved=RESERVED_TABLE_SLUGS),
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


def table_status_check(*, table: ActionTable, status: str) -> None:
    """Refuse a status the table cannot move to from where it is."""
    if status not in STATUS_TRANSITIONS.get(table.status, frozenset()):
        raise ValidationError(
            f"A {TableStatus(table.status).label.lower()} table cannot become "
            f"{TableStatus(status).label.lower() if status in TableStatus.values else status}."
        )


@transaction.atomic
def table_change_status(
    *, table: ActionTable, status: str, actor: User, reason: str
) -> ActionTable:
    """Move the table to another status, saying why: the reason goes into its timeline."""
    table_status_check(table=table, status=status)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why the table's status changes."})
    old = table.status
    table.status = status
    table.save(update_fields=["status"])
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="table.status_changed",
        summary=f"{table.name} is now {TableStatus(status).label.lower()}: {reason[:300]}",
        target=table,
        table=table,
        changes={"status": [old, status], "reason": reason},
    )
    return table


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
    coordinator = member_by_email(coordinator_email)
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
