"""Services for actions and their updates. The allowed status changes are written here once."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cswb.models import TenantMembership, User
from cswb.services import activity_record
from partners.models import Organization, OrganizationMembership
from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    ActionTally,
    ActionUpdate,
    Decision,
    Priority,
    TableSeat,
)

S = ActionStatus
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.IN_PROGRESS, S.DONE, S.BLOCKED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.BLOCKED, S.CANCELLED}),
    S.BLOCKED: frozenset({S.IN_PROGRESS, S.DONE, S.CANCELLED}),
    S.DONE: frozenset({S.IN_PROGRESS}),  # reopened
    S.CANCELLED: frozenset({S.PLANNED}),  # revived
}


def _owner_problems(
    *, table: ActionTable, owner_organization: Organization | None, owner: User | None
) -> dict[str, str]:
    """An action's organization takes part in its plan; its person is a current member of
    that organization, or, with no organization, holds a seat at the table."""
    errors: dict[str, str] = {}
    if owner_organization is not None and owner_organization.tenant_id != table.tenant_id:
        errors["owner_organization"] = "That organization is not in this plan."
        return errors
    if owner is None:
        return errors
    in_plan = TenantMembership.objects.filter(
        tenant_id=table.tenant_id, user=owner, is_active=True
    ).exists()
    if owner_organization is not None:
        if not in_plan or not (
            OrganizationMembership.objects.current()
            .filter(organization=owner_organization, user=owner)
            .exists()
        ):
            errors["owner"] = (
                f"Choose someone who works at {owner_organization.name} now, or nobody."
            )
    elif not in_plan or not TableSeat.objects.current().filter(table=table, user=owner).exists():
        errors["owner"] = (
            "Without an organization, the owner is someone with a seat at this table, or nobody."
        )
    return errors


PAST_DUE_AT_CREATION = (
    "The due date has passed. Choose today or a later date; to record a commitment that is "
    "already late, add the action, then change its due date and give the reason."
)


# An action as the tally sees it: its status and due date.
TallyState = tuple[str, date | None]


def _overdue_part(state: TallyState | None, sign: int) -> Case | None:
    """What one action in `state` adds to (sign 1) or takes from (sign -1) a tally's kept
    overdue count: one if it is open and due before the tally's `overdue_before`, compared
    in the UPDATE itself, so against the date as it is when the row is locked."""
    if state is None or state[0] not in ACTION_OPEN_STATUSES or state[1] is None:
        return None
    return Case(When(overdue_before__gt=state[1], then=Value(sign)), default=Value(0))


def _tally_move(
    *, table_id: int, tenant_id: int, old: TallyState | None, new: TallyState | None
) -> None:
    """Keep the table's ActionTally in step with one action leaving state `old` and/or
    entering `new` (status, due date): in the caller's transaction, as a relative UPDATE (no
    lost increments when two people change actions of the same table at once)."""
    if old == new:
        return
    ActionTally.objects.bulk_create(
        [ActionTally(tenant_id=tenant_id, table_id=table_id)], ignore_conflicts=True
    )
    changes: dict[str, object] = {}
    if old and (not new or old[0] != new[0]):
        changes[old[0]] = F(old[0]) - 1
    if new and (not old or old[0] != new[0]):
        changes[new[0]] = F(new[0]) + 1
    parts = [p for p in (_overdue_part(old, -1), _overdue_part(new, 1)) if p is not None]
    if parts:
        changes["overdue"] = sum(parts, F("overdue"))
    if changes:
        ActionTally.objects.filter(table_id=table_id).update(**changes)


def _overdue_before(day: date) -> Coalesce:
    """The outer tally's table's open actions due before `day`, counted from the
    action_open_due index."""
    return Coalesce(
        Subquery(
            Action.objects.filter(
                table=OuterRef("table_id"), status__in=ACTION_OPEN_STATUSES, due_date__lt=day
            )
            .order_by()
            .values("table")
            .annotate(n=Count("*"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@transaction.atomic
def action_tallies_rebuild(*, tables: list[ActionTable]) -> None:
    """Recount the tallies of these tables from their actions: for bulk loaders that write
    actions without the services (seed_scale), and to repair a tally by hand. The overdue
    count is kept up to today."""
    table_ids = [t.pk for t in tables]
    counts = {
        row["table_id"]: row
        for row in Action.objects.filter(table_id__in=table_ids)
        .values("table_id")
        .annotate(
            **{status: Count("pk", filter=Q(status=status)) for status in ActionStatus.values}
        )
    }
    ActionTally.objects.filter(table_id__in=table_ids).delete()
    ActionTally.objects.bulk_create(
        [
            ActionTally(
                tenant_id=t.tenant_id,
                table_id=t.pk,
                **{s: counts.get(t.pk, {}).get(s, 0) for s in ActionStatus.values},
            )
            for t in tables
        ]
    )
    today = timezone.localdate()
    ActionTally.objects.filter(table_id__in=table_ids).update(
        overdue=_overdue_before(today), overdue_before=today
    )


@transaction.atomic
def action_overdue_roll(*, today: date | None = None) -> int:
    """Move the kept overdue count of every tally not yet kept up to `today` (by default the
    portal's date) to it: the rows are locked first, so that an action service changing one
    of their actions either has committed before the count is read or adjusts the count
    afterwards against the new date. Returns how many tallies moved. All tenants: the caller
    lifts the tenant scope."""
    today = today or timezone.localdate()
    behind = ActionTally.objects.filter(~Q(overdue_before=today)).order_by("table_id")
    ids = list(behind.select_for_update().values_list("table_id", flat=True))
    if ids:
        ActionTally.objects.filter(table_id__in=ids).update(
            overdue=_overdue_before(today), overdue_before=today
        )
    return len(ids)


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
    """A new action, owned by an organization and/or a person (never simply by whoever
    records it: that is `created_by`)."""
    errors = _owner_problems(table=table, owner_organization=owner_organization, owner=owner)
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = PAST_DUE_AT_CREATION
    if errors:
        raise ValidationError(errors)
    action = Action(
        tenant=table.tenant,
        table=table,
        title=title.strip(),
        description=description.strip(),
        owner_organization=owner_organization,
        owner=owner,
        due_date=due_date,
        priority=priority,
        created_by=actor,
    )
    action.full_clean()
    action.save()
    _tally_move(
        table_id=table.pk, tenant_id=table.tenant_id, old=None, new=(action.status, due_date)
    )
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="action.created",
        summary=f"New action at {table.name}: {action.title}",
        target=action,
        table=table,
    )
    return action


def _date_text(value: date | None) -> str:
    return f"{value:%b %-d, %Y}" if value else "no date"


def _person(user: User | None) -> str | None:
    return user.display_name if user is not None else None


@transaction.atomic
def action_edit(
    *,
    action: Action,
    actor: User,
    title: str,
    description: str,
    owner_organization: Organization | None,
    owner: User | None,
    due_date: date | None,
    priority: str,
    due_change_reason: str = "",
) -> Action:
    """Change what an action is, who owns it and when it is due. A new due date needs a
    reason, kept in the action's timeline; it may then be in the past (a late commitment)."""
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("table", "owner", "owner_organization")
        .get(pk=action.pk)
    )
    old = {
        "title": action.title,
        "description": action.description,
        "owner_organization": action.owner_organization,
        "owner": action.owner,
        "due_date": action.due_date,
        "priority": action.priority,
    }
    new = {
        "title": title.strip(),
        "description": description.strip(),
        "owner_organization": owner_organization,
        "owner": owner,
        "due_date": due_date,
        "priority": priority,
    }
    changed = [name for name in old if old[name] != new[name]]
    errors = _owner_problems(table=action.table, owner_organization=owner_organization, owner=owner)
    if "owner" not in changed and "owner_organization" not in changed:
        errors.pop("owner", None)  # someone who has since left stays until the owner changes
    reason = due_change_reason.strip()
    if "due_date" in changed and not reason:
        errors["due_change_reason"] = "Say why the due date changes: it is kept in the timeline."
    if errors:
        raise ValidationError(errors)
    if not changed:
        return action
    for name in changed:
        setattr(action, name, new[name])
    action.full_clean()
    action.save(update_fields=changed)
    if "due_date" in changed:
        _tally_move(
            table_id=action.table_id,
            tenant_id=action.tenant_id,
            old=(action.status, old["due_date"]),
            new=(action.status, due_date),
        )
    shown = {
        "owner_organization": lambda o: o.name if o else None,
        "owner": _person,
        "due_date": lambda d: d.isoformat() if d else None,
    }
    changes = {
        name: [shown.get(name, str)(old[name]), shown.get(name, str)(new[name])] for name in changed
    }
    summary = f"{action.title}: edited ({', '.join(n.replace('_', ' ') for n in changed)})"
    if "due_date" in changed:
        ActionUpdate.objects.create(
            tenant=action.tenant,
            action=action,
            author=actor,
            text=reason,
            due_changed=True,
            due_from=old["due_date"],
            due_to=due_date,
        )
        changes["due_change_reason"] = reason
        summary = (
            f"{action.title}: due date moved from {_date_text(old['due_date'])} to "
            f"{_date_text(due_date)}. Reason: {reason}"
        )
    activity_record(
        tenant=action.tenant,
        actor=actor,
        verb="action.edited",
        summary=summary,
        target=action,
        table=action.table,
        changes=changes,
    )
    return action


@transaction.atomic
def decision_to_action(
    *,
    decision: Decision,
    actor: User,
    owner_organization: Organization | None = None,
    owner: User | None = None,
    due_date: date | None = None,
    priority: str = Priority.NORMAL,
) -> Action:
    """Turn a decision into an action in one step, with its owner and due date; the action
    links back to the decision. The decision's words are its title, and its description
    only when the title had to be shortened (never the same words twice)."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting__table")
        .get(pk=decision.pk)
    )
    if decision.action_id is not None:
        raise ValidationError("This decision already became an action.")
    text = decision.text.strip()
    short = text if len(text) <= 200 else text[:199].rstrip() + "…"
    action = action_create(
        table=decision.meeting.table,
        actor=actor,
        owner_organization=owner_organization,
        owner=owner,
        due_date=due_date,
        priority=priority,
        title=short,
        description="" if short == text else text,
    )
    decision.action = action
    decision.save(update_fields=["action"])
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
        _tally_move(
            table_id=action.table_id,
            tenant_id=action.tenant_id,
            old=(old, action.due_date),
            new=(status, action.due_date),
        )
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
