"""What a table's own pages read of the table itself: who takes part (organizations, seats),
its focus areas and, for the table page as a place to work from, its open and overdue counts,
its first open actions, its next meeting, its measures in use with their values, and its
latest events.

`table_read_orm` reads them with the ORM, one query each (the reference, and what other
databases such as the SQLite of `make run` use). On PostgreSQL `table_read` reads the same rows
in one statement (see cswb.jsonrows): each set is a JSON array built by a scalar subquery, and
each row becomes the model instance the ORM would have made. Building, compiling and running a
dozen ORM queries was most of the table page's time beyond the plan's own middleware; the
statement is built once per process. A test holds the two readings equal, instance by
instance and page by page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import F
from django.utils import timezone

from cswb.jsonrows import RowMaker, json_cell, json_row
from cswb.models import ActivityEvent, User
from partners.models import Organization
from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionTable,
    FocusArea,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
    TableOrganization,
    TableSeat,
)
from tables.selectors.progress import table_action_counts

OPEN_ACTIONS_SHOWN = 8


@dataclass
class TableRead:
    """A table's own rows as its pages show them (see the module's docstring). Without the
    workspace, the counts and lists after `focus_areas` stay empty."""

    participations: list[TableOrganization]  # current, by role then name; .organization read
    seats: list[TableSeat]  # current, by role then name; .user and .organization read
    focus_areas: list[FocusArea]
    open_count: int = 0
    overdue_count: int = 0
    open_actions: list[Action] = field(default_factory=list)  # due first; owners read
    next_meeting: Meeting | None = None
    measures: list[Measure] = field(default_factory=list)  # in use, by kind then name
    values: dict[int, list[Observation]] = field(default_factory=dict)  # per measure, by end
    events: list[ActivityEvent] = field(default_factory=list)  # latest first; .actor read


def table_read(table: ActionTable, *, workspace: bool, events: int = 0) -> TableRead:
    """The table's own rows (and with `workspace` its work, with its latest `events`): one
    statement on PostgreSQL, the ORM's queries elsewhere."""
    if connection.vendor != "postgresql":
        return table_read_orm(table, workspace=workspace, events=events)
    sql = _statement(workspace=workspace, events=bool(events))
    now = timezone.now()
    values = {"table": table.pk, "today": timezone.localdate(), "now": now, "events": events}
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    participations, seats, focus_areas, *rest = (json_cell(cell) for cell in row)
    read = TableRead(
        participations=_PARTICIPATION.many(participations),
        seats=_SEAT.many(seats),
        focus_areas=_FOCUS_AREA.many(focus_areas),
    )
    if workspace:
        counts, open_actions, next_meeting, measures, observations, latest = rest
        read.open_count, read.overdue_count = counts or (0, 0)
        read.open_actions = _ACTION.many(open_actions)
        read.next_meeting = _MEETING(next_meeting) if next_meeting else None
        read.measures = _MEASURE.many(measures)
        read.values = {m.pk: [] for m in read.measures}
        for observation in _OBSERVATION.many(observations):
            read.values[observation.measure_id].append(observation)
        read.events = _EVENT.many(latest)
    return read


def table_read_orm(table: ActionTable, *, workspace: bool, events: int = 0) -> TableRead:
    """`table_read` through the ORM: one query per set."""
    read = TableRead(
        participations=list(
            TableOrganization.objects.current()
            .filter(table=table)
            .select_related("organization")
            .order_by("role", "organization__name", "pk")
        ),
        seats=list(
            TableSeat.objects.current()
            .filter(table=table)
            .select_related("user", "organization")
            .order_by("role", "user__full_name", "user__email", "pk")
        ),
        focus_areas=list(table.focus_areas.order_by("position", "name", "pk")),
    )
    if not workspace:
        return read
    # The counts as the progress pages read them (kept per table), and the first few open
    # actions overdue first: for open actions that is simply by due date (those due before
    # today come first), which the index of open actions by due date (action_open_due)
    # serves a few entries at a time, however many the table has.
    read.open_count, read.overdue_count = table_action_counts(table)
    read.open_actions = list(
        Action.objects.filter(table=table, status__in=ACTION_OPEN_STATUSES)
        .select_related("owner", "owner_organization")
        .order_by(F("due_date").asc(nulls_last=True), "id")[:OPEN_ACTIONS_SHOWN]
    )
    read.next_meeting = (
        Meeting.objects.filter(
            table=table, status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at", "pk")
        .first()
    )
    # Measures in use: retired ones stay on the outcomes page as history.
    read.measures = list(
        Measure.objects.filter(table=table, retired_at__isnull=True).order_by("kind", "name", "pk")
    )
    read.values = {m.pk: [] for m in read.measures}
    if read.values:  # the values of these measures only, not of retired ones
        for observation in Observation.objects.filter(measure_id__in=list(read.values)).order_by(
            "period_end", "pk"
        ):
            read.values[observation.measure_id].append(observation)
    if events:
        latest = ActivityEvent.objects.filter(table=table).select_related("actor")
        read.events = list(latest[:events])
    return read


# -- The statement ---------------------------------------------------------------------------


_OPEN = ", ".join(f"'{status}'" for status in sorted(ACTION_OPEN_STATUSES))


@cache
def _statement(*, workspace: bool, events: bool) -> str:
    """The statement for one shape of read, with named parameters (table, today, now, events).
    Each ORDER BY is the ORM reading's, tie-breaker included. What goes into the text is the
    models' column names and the code's constants, never input."""
    people = [
        f"""(SELECT json_agg({json_row((TableOrganization, "p"), (Organization, "o"))}
            ORDER BY p.role, o.name, p.id)
          FROM tables_tableorganization p JOIN partners_organization o ON o.id = p.organization_id
          WHERE p.table_id = %(table)s AND p.left_on IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({json_row((TableSeat, "s"), (User, "u"), (Organization, "o"))}
            ORDER BY s.role, u.full_name, u.email, s.id)
          FROM tables_tableseat s JOIN cswb_user u ON u.id = s.user_id
            LEFT JOIN partners_organization o ON o.id = s.organization_id
          WHERE s.table_id = %(table)s AND s.left_on IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({json_row((FocusArea, "f"))} ORDER BY f.position, f.name, f.id)
          FROM tables_focusarea f
            JOIN tables_actiontable_focus_areas m ON m.focusarea_id = f.id
          WHERE m.actiontable_id = %(table)s)""",  # noqa: S608 - columns, constants
    ]
    work = [
        # The kept counts (see table_action_counts), with the open actions due between the
        # tally's date and today read only on a day the hourly job has not moved it to.
        f"""(SELECT json_build_array(y.planned + y.in_progress + y.blocked, y.overdue + CASE
              WHEN y.overdue_before = %(today)s THEN 0
              ELSE (SELECT count(*) FILTER (WHERE a.due_date < %(today)s)
                         - count(*) FILTER (WHERE a.due_date >= %(today)s)
                    FROM tables_action a
                    WHERE a.table_id = y.table_id AND a.status IN ({_OPEN})
                      AND a.due_date >= LEAST(COALESCE(y.overdue_before, '-infinity'), %(today)s)
                      AND a.due_date < GREATEST(COALESCE(y.overdue_before, '-infinity'), %(today)s))
              END)
          FROM tables_actiontally y WHERE y.table_id = %(table)s)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({json_row((Action, "a"), (User, "u"), (Organization, "o"))}
            ORDER BY a.due_date ASC NULLS LAST, a.id)
          FROM (SELECT * FROM tables_action
                WHERE table_id = %(table)s AND status IN ({_OPEN})
                ORDER BY due_date ASC NULLS LAST, id LIMIT {OPEN_ACTIONS_SHOWN}) a
            LEFT JOIN cswb_user u ON u.id = a.owner_id
            LEFT JOIN partners_organization o ON o.id = a.owner_organization_id)""",  # noqa: S608 - columns, constants
        f"""(SELECT {json_row((Meeting, "m"))} FROM tables_meeting m
          WHERE m.table_id = %(table)s AND m.status = '{MeetingStatus.SCHEDULED.value}'
            AND m.starts_at >= %(now)s
          ORDER BY m.starts_at, m.id LIMIT 1)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({json_row((Measure, "ms"))} ORDER BY ms.kind, ms.name, ms.id)
          FROM tables_measure ms WHERE ms.table_id = %(table)s AND ms.retired_at IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({json_row((Observation, "ob"))} ORDER BY ob.period_end, ob.id)
          FROM tables_observation ob JOIN tables_measure ms ON ms.id = ob.measure_id
          WHERE ms.table_id = %(table)s AND ms.retired_at IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({json_row((ActivityEvent, "e"), (User, "u"))}
            ORDER BY e.at DESC, e.id DESC)
          FROM (SELECT * FROM cswb_activityevent WHERE table_id = %(table)s
                ORDER BY at DESC, id DESC LIMIT %(events)s) e
            LEFT JOIN cswb_user u ON u.id = e.actor_id)"""  # noqa: S608 - columns, constants
        if events
        else "NULL",
    ]
    parts = people + work if workspace else people
    # Each set comes back as JSON text, read by json.loads (decimals are text already).
    return "SELECT " + ",\n  ".join(f"{part}::text" for part in parts)


# -- Rows into instances ---------------------------------------------------------------------

_ORGANIZATION, _USER = RowMaker(Organization), RowMaker(User)
_FOCUS_AREA, _MEETING, _MEASURE, _OBSERVATION = (
    RowMaker(model) for model in (FocusArea, Meeting, Measure, Observation)
)
_PARTICIPATION = RowMaker(TableOrganization, ("organization", _ORGANIZATION))
_SEAT = RowMaker(TableSeat, ("user", _USER), ("organization", _ORGANIZATION))
_ACTION = RowMaker(Action, ("owner", _USER), ("owner_organization", _ORGANIZATION))
_EVENT = RowMaker(ActivityEvent, ("actor", _USER))
