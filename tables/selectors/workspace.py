"""The table page as a place to work from: what is open and overdue, the next meeting, where
each measure stands, and what happened lately, with runs of one kind of event told as one line.
A fixed number of queries, whatever the number of actions, measures or events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from cswb.models import ActivityEvent, User
from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionTable,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
)
from tables.selectors.outcomes import measure_trend, sparkline, trend_sentence
from tables.selectors.progress import table_action_counts

OPEN_ACTIONS_SHOWN = 8
TIMELINE_ENTRIES = 12
# Events read to build the timeline: enough for twelve entries when some runs are grouped.
TIMELINE_EVENTS_READ = 60
# A run of at least this many events of one kind by one person becomes one line.
GROUP_FROM = 3

GROUP_PHRASES = {
    "measure.observed": ("{n} outcome values recorded", "measures"),
    "action.created": ("{n} actions added", "actions"),
    "action.updated": ("{n} action updates", "actions"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    summary: str
    actor: User | None
    count: int = 1
    earliest: datetime | None = None
    events: tuple[ActivityEvent, ...] = ()


def timeline_grouped(events: list[ActivityEvent], *, limit: int) -> list[TimelineEntry]:
    """Newest first. A run of GROUP_FROM or more consecutive events with the same verb and
    person ("12 outcome values recorded") is one entry whose parts can be unfolded."""
    entries: list[TimelineEntry] = []
    run: list[ActivityEvent] = []

    def close_run() -> None:
        if len(run) >= GROUP_FROM:
            phrase = GROUP_PHRASES.get(run[0].verb, ("{n} changes", ""))[0]
            entries.append(
                TimelineEntry(
                    at=run[0].at,
                    earliest=run[-1].at,
                    summary=phrase.format(n=len(run)),
                    actor=run[0].actor,
                    count=len(run),
                    events=tuple(run),
                )
            )
        else:
            entries.extend(TimelineEntry(at=e.at, summary=e.summary, actor=e.actor) for e in run)
        run.clear()

    for event in events:
        if run and (event.verb != run[0].verb or event.actor_id != run[0].actor_id):
            close_run()
        run.append(event)
    close_run()
    return entries[:limit]


def table_workspace(*, table: ActionTable, with_timeline: bool) -> dict[str, object]:
    # The counts as the progress pages read them (kept per table), and the first few open
    # actions overdue first: for open actions that is simply by due date (those due before
    # today come first), which the index of open actions by due date (action_open_due)
    # serves a few entries at a time, however many the table has.
    open_count, overdue_count = table_action_counts(table)
    open_actions = list(
        Action.objects.filter(table=table, status__in=ACTION_OPEN_STATUSES)
        .select_related("owner", "owner_organization")
        .order_by(F("due_date").asc(nulls_last=True), "id")[:OPEN_ACTIONS_SHOWN]
    )
    next_meeting = (
        Meeting.objects.filter(
            table=table, status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    # Measures in use: retired ones stay on the outcomes page as history.
    measures = list(
        Measure.objects.filter(table=table, retired_at__isnull=True).order_by("kind", "name")
    )
    values: dict[int, list[Observation]] = {m.pk: [] for m in measures}
    if values:  # the values of these measures only, not of retired ones
        for observation in Observation.objects.filter(measure_id__in=list(values)).order_by(
            "period_end"
        ):
            values[observation.measure_id].append(observation)
    measure_rows = [
        {
            "measure": m,
            "trend": trend_sentence(m, values[m.pk]),
            "standing": measure_trend(m, values[m.pk]).standing,
            "sparkline": sparkline(m, values[m.pk]),
        }
        for m in measures
    ]
    timeline = (
        timeline_grouped(
            list(
                ActivityEvent.objects.filter(table=table).select_related("actor")[
                    :TIMELINE_EVENTS_READ
                ]
            ),
            limit=TIMELINE_ENTRIES,
        )
        if with_timeline
        else []
    )
    return {
        "open_count": open_count,
        "overdue_count": overdue_count,
        "open_actions": open_actions,
        "next_meeting": next_meeting,
        "measure_rows": measure_rows,
        "on_track_count": sum(row["standing"].is_on_track for row in measure_rows),
        "timeline": timeline,
    }
