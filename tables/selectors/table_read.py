"""What a table's own pages read of the table itself: who takes part (organizations, seats),
its focus areas and, for the table page as a place to work from, its open and overdue counts,
its first open actions, its next meeting, its measures in use with their values, and its
latest events.

`table_read_orm` reads them with the ORM, one query each (the reference, and what other
databases such as the SQLite of `make run` use). On PostgreSQL `table_read` reads the same rows
in one statement: each set is a JSON array built by a scalar subquery, and each row becomes
the model instance the ORM would have made (`Model.from_db`, related rows cached as
`select_related` caches them). Building, compiling and running a dozen ORM queries, and making
their instances, was most of the table page's time beyond the plan's own middleware; the
statement is built once per process. A test holds the two readings equal, instance by
instance and page by page.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models import F
from django.utils import timezone

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
    participations, seats, focus_areas, *rest = (_loads(cell) for cell in row)
    read = TableRead(
        participations=[_participation(item) for item in participations or ()],
        seats=[_seat(item) for item in seats or ()],
        focus_areas=[_FOCUS_AREA(item) for item in focus_areas or ()],
    )
    if workspace:
        counts, open_actions, next_meeting, measures, observations, latest = rest
        read.open_count, read.overdue_count = counts or (0, 0)
        read.open_actions = [_action(item) for item in open_actions or ()]
        read.next_meeting = _MEETING(next_meeting) if next_meeting else None
        read.measures = [_MEASURE(item) for item in measures or ()]
        read.values = {m.pk: [] for m in read.measures}
        for item in observations or ():
            observation = _OBSERVATION(item)
            read.values[observation.measure_id].append(observation)
        read.events = [_event(item) for item in latest or ()]
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


def _columns(model: type[models.Model], alias: str) -> str:
    """Every column of the model's rows, in its fields' order, as JSON array items: decimals
    as text (JSON numbers would lose their digits)."""
    return ", ".join(
        f'{alias}."{f.column}"' + ("::text" if isinstance(f, models.DecimalField) else "")
        for f in model._meta.concrete_fields
    )


def _array(*parts: tuple[type[models.Model], str]) -> str:
    return "json_build_array(" + ", ".join(_columns(model, alias) for model, alias in parts) + ")"


_OPEN = ", ".join(f"'{status}'" for status in sorted(ACTION_OPEN_STATUSES))


@cache
def _statement(*, workspace: bool, events: bool) -> str:
    """The statement for one shape of read, with named parameters (table, today, now, events).
    Each ORDER BY is the ORM reading's, tie-breaker included. What goes into the text is the
    models' column names and the code's constants, never input."""
    people = [
        f"""(SELECT json_agg({_array((TableOrganization, "p"), (Organization, "o"))}
            ORDER BY p.role, o.name, p.id)
          FROM tables_tableorganization p JOIN partners_organization o ON o.id = p.organization_id
          WHERE p.table_id = %(table)s AND p.left_on IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({_array((TableSeat, "s"), (User, "u"), (Organization, "o"))}
            ORDER BY s.role, u.full_name, u.email, s.id)
          FROM tables_tableseat s JOIN cswb_user u ON u.id = s.user_id
            LEFT JOIN partners_organization o ON o.id = s.organization_id
          WHERE s.table_id = %(table)s AND s.left_on IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({_array((FocusArea, "f"))} ORDER BY f.position, f.name, f.id)
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
        f"""(SELECT json_agg({_array((Action, "a"), (User, "u"), (Organization, "o"))}
            ORDER BY a.due_date ASC NULLS LAST, a.id)
          FROM (SELECT * FROM tables_action
                WHERE table_id = %(table)s AND status IN ({_OPEN})
                ORDER BY due_date ASC NULLS LAST, id LIMIT {OPEN_ACTIONS_SHOWN}) a
            LEFT JOIN cswb_user u ON u.id = a.owner_id
            LEFT JOIN partners_organization o ON o.id = a.owner_organization_id)""",  # noqa: S608 - columns, constants
        f"""(SELECT {_array((Meeting, "m"))} FROM tables_meeting m
          WHERE m.table_id = %(table)s AND m.status = '{MeetingStatus.SCHEDULED.value}'
            AND m.starts_at >= %(now)s
          ORDER BY m.starts_at, m.id LIMIT 1)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({_array((Measure, "ms"))} ORDER BY ms.kind, ms.name, ms.id)
          FROM tables_measure ms WHERE ms.table_id = %(table)s AND ms.retired_at IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({_array((Observation, "ob"))} ORDER BY ob.period_end, ob.id)
          FROM tables_observation ob JOIN tables_measure ms ON ms.id = ob.measure_id
          WHERE ms.table_id = %(table)s AND ms.retired_at IS NULL)""",  # noqa: S608 - columns, constants
        f"""(SELECT json_agg({_array((ActivityEvent, "e"), (User, "u"))}
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


def _loads(cell: str | None) -> object:
    return None if cell is None else json.loads(cell)


def _converter(f: models.Field) -> Callable[[object], object] | None:
    """How a JSON value becomes the value the ORM gives for this field (None: as it is)."""
    if isinstance(f, models.DateTimeField):
        return datetime.fromisoformat
    if isinstance(f, models.DateField):
        return date.fromisoformat
    if isinstance(f, models.TimeField):
        return time.fromisoformat
    if isinstance(f, models.DecimalField):
        return Decimal
    if isinstance(f, models.UUIDField):
        return uuid.UUID
    if isinstance(f, (models.DurationField, models.BinaryField)):
        raise TypeError(f"{f} has no JSON reading here; read it with the ORM")
    return None


class _Maker:
    """Makes one model's instances from a slice of a JSON row, as the ORM makes them."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.names = [f.attname for f in model._meta.concrete_fields]
        self.width = len(self.names)
        self.converters = [_converter(f) for f in model._meta.concrete_fields]

    def __call__(self, values: list[object], start: int = 0) -> models.Model | None:
        values = values[start : start + self.width]
        if values[0] is None:  # a LEFT JOIN that found nothing
            return None
        return self.model.from_db(
            DEFAULT_DB_ALIAS,
            self.names,
            [
                value if convert is None or value is None else convert(value)
                for convert, value in zip(self.converters, values, strict=True)
            ],
        )


_FOCUS_AREA, _MEETING, _MEASURE, _OBSERVATION = (
    _Maker(model) for model in (FocusArea, Meeting, Measure, Observation)
)
_ORGANIZATION, _USER = _Maker(Organization), _Maker(User)
_PARTICIPATION, _SEAT, _ACTION, _EVENT = (
    _Maker(model) for model in (TableOrganization, TableSeat, Action, ActivityEvent)
)


def _related(maker: _Maker, item: list[object], *relations: tuple[str, _Maker]) -> models.Model:
    """The row's instance with the rows joined to it cached on their relations."""
    instance = maker(item)
    start = maker.width
    for name, related in relations:
        instance._meta.get_field(name).set_cached_value(instance, related(item, start))
        start += related.width
    return instance


def _participation(item: list[object]) -> TableOrganization:
    return _related(_PARTICIPATION, item, ("organization", _ORGANIZATION))


def _seat(item: list[object]) -> TableSeat:
    return _related(_SEAT, item, ("user", _USER), ("organization", _ORGANIZATION))


def _action(item: list[object]) -> Action:
    return _related(_ACTION, item, ("owner", _USER), ("owner_organization", _ORGANIZATION))


def _event(item: list[object]) -> ActivityEvent:
    return _related(_EVENT, item, ("actor", _USER))
