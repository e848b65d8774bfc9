"""Services for actions and their updates. The allowed status changes are written here once."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cswb.models import User
from cswb.services import activity_record
from partners.models import Organization
from tables.models import Action, ActionStatus, ActionTable, ActionUpdate, Priority

S = ActionStatus
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.IN_PROGRESS, S.DONE, S.BLOCKED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.BLOCKED, S.CANCELLED}),
    S.BLOCKED: frozenset({S.IN_PROGRESS, S.DONE, S.CANCELLED}),
    S.DONE: frozenset({S.IN_PROGRESS}),  # reopened
    S.CANCELLED: frozenset({S.PLANNED}),  # revived
}


@transaction.atomic
def action_create(
    *,
    table: ActionTable,
    title: str,
    actor: User,
    description: str = "",
    owner_organization: Organization | None = None,
    owner: User | None = None,
    due_date: date | None = None,
    priority: str = Priority.NORMAL,
) -> Action:
    if owner_organization is not None and owner_organization.tenant_id != table.tenant_id:
        raise ValidationError({"owner_organization": "That organization is not in this plan."})
    action = Action(
        tenant=table.tenant,
        table=table,
        title=title.strip(),
        description=description,
        owner_organization=owner_organization,
        owner=owner,
        due_date=due_date,
        priority=priority,
        created_by=actor,
    )
    action.full_clean()
    action.save()
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="action.created",
        summary=f"New action at {table.name}: {action.title}",
        target=action,
        table=table,
    )
    return action


@transaction.atomic
def action_update(
    *, action: Action, actor: User, text: str = "", status: str | None = None
) -> ActionUpdate:
    """Add a note to the action's timeline, change its status, or both."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    old = action.status
    if status is not None and status != old:
        if status not in ACTION_TRANSITIONS.get(old, frozenset()):
            wanted = ActionStatus(status).label if status in ActionStatus.values else status
            raise ValidationError(
                f"An action that is {ActionStatus(old).label.lower()} cannot become "
                f"{wanted.lower()}."
            )
        action.status = status
        action.completed_at = timezone.now() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "completed_at"])
    elif not text.strip():
        raise ValidationError("Write an update or choose a new status.")
    update = ActionUpdate.objects.create(
        tenant=action.tenant,
        action=action,
        author=actor,
        text=text.strip(),
        status_from=old if action.status != old else "",
        status_to=action.status if action.status != old else "",
    )
    if action.status != old:
        verb, summary = (
            "action.status_changed",
            (
                f"{action.title}: {ActionStatus(old).label.lower()} → "
                f"{ActionStatus(action.status).label.lower()}"
            ),
        )
    else:
        verb, summary = "action.updated", f"Update on {action.title}"
    activity_record(
        tenant=action.tenant,
        actor=actor,
        verb=verb,
        summary=summary,
        target=action,
        table=action.table,
        changes={"status": [old, action.status]} if action.status != old else {},
    )
    return update
