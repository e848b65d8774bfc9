"""Writes of the chain between tables and indicators: which tables work on an indicator, and
the story notes on it. Every write in one transaction with its activity event."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cswb.models import Tenant, User
from cswb.services import activity_record
from indicators.models import Indicator, IndicatorTable, StoryNote
from tables.models import Action, ActionTable


@transaction.atomic
def indicator_tables_set(
    *,
    tenant: Tenant,
    indicator: Indicator,
    chosen: Iterable[ActionTable],
    within: Iterable[int],
    actor: User,
) -> tuple[int, int]:
    """Link the chosen tables to the indicator and unlink the others, among the tables `within`
    (those the actor may change): links to other tables stay as they are. Returns (added,
    removed)."""
    within_ids = set(within)
    chosen = list(chosen)
    if any(t.pk not in within_ids or t.tenant_id != tenant.pk for t in chosen):
        raise ValidationError("You can link only the tables you run.")
    chosen_ids = {t.pk for t in chosen}
    current = set(
        IndicatorTable.objects.filter(indicator=indicator, table_id__in=within_ids).values_list(
            "table_id", flat=True
        )
    )
    added = chosen_ids - current
    removed = current - chosen_ids
    IndicatorTable.objects.bulk_create(
        IndicatorTable(tenant=tenant, indicator=indicator, table_id=pk, added_by=actor)
        for pk in sorted(added)
    )
    IndicatorTable.objects.filter(indicator=indicator, table_id__in=removed).delete()
    names = {t.pk: t.name for t in chosen}
    for pk in sorted(added):
        activity_record(
            tenant=tenant,
            actor=actor,
            verb="indicator.table_linked",
            target=indicator,
            table=next(t for t in chosen if t.pk == pk),
            summary=f"{names[pk]} works to turn {indicator.name_en}",
        )
    for table in ActionTable.objects.filter(pk__in=removed):
        activity_record(
            tenant=tenant,
            actor=actor,
            verb="indicator.table_unlinked",
            target=indicator,
            table=table,
            summary=f"{table.name} no longer listed as working on {indicator.name_en}",
        )
    return len(added), len(removed)


def _check_actions(tenant: Tenant, actions: list[Action], allowed: Iterable[int]) -> None:
    allowed_ids = set(allowed)
    if any(a.tenant_id != tenant.pk or a.pk not in allowed_ids for a in actions):
        raise ValidationError(
            {"actions": "Choose actions of the tables working on this indicator."}
        )


def _check_date(written_on: datetime.date) -> None:
    if written_on > timezone.localdate():
        raise ValidationError({"written_on": "A note cannot be dated in the future."})


@transaction.atomic
def story_note_create(
    *,
    tenant: Tenant,
    indicator: Indicator,
    author: User,
    written_on: datetime.date,
    text: str,
    actions: Iterable[Action] = (),
    allowed_actions: Iterable[int] = (),
) -> StoryNote:
    actions = list(actions)
    _check_actions(tenant, actions, allowed_actions)
    _check_date(written_on)
    if not text.strip():
        raise ValidationError({"text": "Write what is driving the trend."})
    note = StoryNote.objects.create(
        tenant=tenant, indicator=indicator, author=author, written_on=written_on, text=text
    )
    note.actions.set(actions)
    activity_record(
        tenant=tenant,
        actor=author,
        verb="indicator.note_written",
        target=note,
        summary=f"A note on the story behind {indicator.name_en}",
    )
    return note


@transaction.atomic
def story_note_update(
    *,
    note: StoryNote,
    actor: User,
    written_on: datetime.date,
    text: str,
    actions: Iterable[Action] = (),
    allowed_actions: Iterable[int] = (),
) -> StoryNote:
    actions = list(actions)
    # Actions already named stay allowed, even at a table the editor cannot see.
    kept = set(note.actions.values_list("pk", flat=True))
    _check_actions(note.tenant, actions, set(allowed_actions) | kept)
    _check_date(written_on)
    if not text.strip():
        raise ValidationError({"text": "Write what is driving the trend."})
    changes = {}
    if note.text != text:
        changes["text"] = True
    if note.written_on != written_on:
        changes["written_on"] = [str(note.written_on), str(written_on)]
    note.text, note.written_on, note.updated_at = text, written_on, timezone.now()
    note.save(update_fields=["text", "written_on", "updated_at"])
    note.actions.set(actions)
    activity_record(
        tenant=note.tenant,
        actor=actor,
        verb="indicator.note_edited",
        target=note,
        changes=changes,
        summary="A note on the story behind an indicator was edited",
    )
    return note


@transaction.atomic
def story_note_delete(*, note: StoryNote, actor: User) -> None:
    activity_record(
        tenant=note.tenant,
        actor=actor,
        verb="indicator.note_deleted",
        target=note,
        summary=f"A note of {note.written_on} on the story behind an indicator was deleted",
    )
    note.delete()
