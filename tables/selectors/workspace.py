"""The table page as a place to work from: what is open and overdue, the next meeting, where
each measure stands, and what happened lately, with runs of one kind of event told as one line.
A fixed number of queries, whatever the number of actions, measures or events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cswb.models import ActivityEvent, User
from tables.models import ActionTable
from tables.selectors.outcomes import measure_trend, sparkline, trend_sentence
from tables.selectors.table_read import TableRead, table_read

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


def table_workspace(
    *, table: ActionTable, with_timeline: bool, read: TableRead | None = None
) -> dict[str, object]:
    """What is open and overdue, the next meeting, where each measure stands and the grouped
    timeline: from `read` when the caller has read the table with its workspace already."""
    if read is None:
        read = table_read(
            table, workspace=True, events=TIMELINE_EVENTS_READ if with_timeline else 0
        )
    measure_rows = [
        {
            "measure": m,
            "trend": trend_sentence(m, read.values[m.pk]),
            "standing": measure_trend(m, read.values[m.pk]).standing,
            "sparkline": sparkline(m, read.values[m.pk]),
        }
        for m in read.measures
    ]
    return {
        "open_count": read.open_count,
        "overdue_count": read.overdue_count,
        "open_actions": read.open_actions,
        "next_meeting": read.next_meeting,
        "measure_rows": measure_rows,
        "on_track_count": sum(row["standing"].is_on_track for row in measure_rows),
        "timeline": (
            timeline_grouped(read.events, limit=TIMELINE_ENTRIES) if with_timeline else []
        ),
    }
