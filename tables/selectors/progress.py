"""Progress figures, per table and across the plan, in a fixed number of aggregate queries
whatever the number of tables, actions or meetings."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import reduce
from types import SimpleNamespace
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    ActionTally,
    AttendanceStatus,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
    OrganizationAttendance,
    SeatRole,
    TableOrganization,
    TableSeat,
    Visibility,
)
from tables.selectors.outcomes import measure_trend, trend_sentence

STALE_AFTER_DAYS = 90
MANY_OVERDUE = 5


def _count(queryset: QuerySet, group: str = "table") -> Subquery:
    """COUNT(*) of a queryset correlated to the outer table, as a subquery (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("*")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _tally(*statuses: str) -> Coalesce:
    """The sum of the table's ActionTally columns for these statuses (0 without actions)."""
    total = sum((F(f"action_tally__{s}") for s in statuses[1:]), F(f"action_tally__{statuses[0]}"))
    return Coalesce(total, 0, output_field=IntegerField())


def _overdue(today) -> Coalesce:
    """The outer table's overdue actions: those its ActionTally keeps (open and due before its
    `overdue_before`), plus the open ones due from that date to today, less those due from
    today to it (after a change of clock). The hourly roll keeps the date at today, so both
    ranges are usually empty: two probes of the action_open_due index per table."""
    kept = OuterRef("action_tally__overdue_before")
    open_ = Action.objects.filter(table=OuterRef("pk"), status__in=ACTION_OPEN_STATUSES)
    since = _count(open_.filter(due_date__lt=today, due_date__gte=Coalesce(kept, date.min)))
    ahead = _count(open_.filter(due_date__gte=today, due_date__lt=kept))
    return Coalesce(F("action_tally__overdue"), 0) + since - ahead


def table_action_counts(table: ActionTable) -> tuple[int, int]:
    """One table's open and overdue actions, from its ActionTally as the progress pages read
    them (no tally: no action yet): one plain query, and a second only on a day the hourly
    job has not yet moved the tally to (the open actions due between its date and today)."""
    tally = (
        ActionTally.objects.filter(table_id=table.pk)
        .values_list("planned", "in_progress", "blocked", "overdue", "overdue_before")
        .first()
    )
    if tally is None:
        return 0, 0
    *open_counts, overdue, kept_to = tally
    today = timezone.localdate()
    if kept_to != today:
        since = kept_to or date.min
        between = Action.objects.filter(
            table_id=table.pk,
            status__in=ACTION_OPEN_STATUSES,
            due_date__gte=min(since, today),
            due_date__lt=max(since, today),
        ).count()
        overdue += between if since < today else -between
    return sum(open_counts), overdue


def _held_sum(field: str, *, since) -> Coalesce:
    """The sum of one attendance figure over the outer table's meetings held since `since`."""
    return Coalesce(
        Subquery(
            Meeting.objects.filter(
                table=OuterRef("pk"), status=MeetingStatus.HELD, starts_at__gte=since
            )
            .order_by()
            .values("table")
            .annotate(n=Sum(field))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


class ProgressRow(NamedTuple):
    """One table's figures on the progress pages (and what the pages show of the table)."""

    pk: int
    name: str
    slug: str
    zone: str
    status: str
    visibility: str
    open_count: int
    done_count: int
    blocked_count: int
    overdue_count: int
    last_meeting: datetime | None
    next_meeting: datetime | None
    present_count: int
    recorded_count: int
    measure_count: int
    on_track_count: int
    organization_count: int | None  # None when not read (see progress_rows)
    advisor_count: int | None

    @property
    def is_members_only(self) -> bool:
        return self.visibility == Visibility.MEMBERS


def progress_annotated(tables: QuerySet[ActionTable]) -> QuerySet[ActionTable]:
    """The tables with their figures as annotations, in the ORM: the reference the PostgreSQL
    query of `progress_rows` must agree with (tested), and what other databases run.

    Each figure is read once per table from where it is cheapest, whatever the length of the
    table's history: the counts by status and the overdue count from the table's ActionTally
    row (kept by the action services in the same transaction as each change; the overdue
    count up to a date, see `_overdue`); the last meeting and the year's attendance from the
    index of held meetings (`meeting_held_attendance`), which carries each meeting's
    organizations recorded and present (kept by `meeting_record`): a year is a moving window,
    so the figure is added up from about 26 index entries per table rather than kept."""
    today = timezone.localdate()
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    held = Meeting.objects.filter(table=OuterRef("pk"), status=MeetingStatus.HELD)
    in_use = Measure.objects.filter(table=OuterRef("pk"), retired_at__isnull=True)
    return tables.annotate(
        open_count=_tally(*sorted(ACTION_OPEN_STATUSES)),
        done_count=_tally(ActionStatus.DONE),
        blocked_count=_tally(ActionStatus.BLOCKED),
        overdue_count=_overdue(today),
        last_meeting=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
        next_meeting=Subquery(
            Meeting.objects.filter(
                table=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=now
            )
            .order_by("starts_at")
            .values("starts_at")[:1]
        ),
        # Tables measure attendance by organization: was each partner at the table?
        present_count=_held_sum("organizations_present", since=year_ago),
        recorded_count=_held_sum("organizations_recorded", since=year_ago),
        # Measures in use (retired ones are history) and those on track, as the outcome
        # services keep it on each measure.
        measure_count=_count(in_use),
        on_track_count=_count(in_use.filter(is_on_track=True)),
        organization_count=_count(TableOrganization.objects.current().filter(table=OuterRef("pk"))),
        advisor_count=_count(
            TableSeat.objects.current().filter(
                table=OuterRef("pk"), role=SeatRole.LIVED_EXPERIENCE_ADVISOR
            )
        ),
    )


# The same figures as `progress_annotated`, written for PostgreSQL as one statement whose
# lateral subqueries read each source once per table: the open actions due between the
# tally's date and today (one probe of action_open_due, both ways, made only on a day the
# hourly job has not moved the tally to), the year's held meetings (the last one and both
# attendance sums from one scan of meeting_held_attendance; the all-time last one only for a
# table with none in the year), the next meeting (the first entry of meeting_scheduled_start
# from now), and the measures in use with those on track. Built once, not per request. The
# organizations and advisors at each table are read only where they are shown (the CSV, a
# table's own page).
_ROWS_SQL = """
SELECT t.id, t.name, t.slug, t.zone, t.status, t.visibility,
  COALESCE(y.planned + y.in_progress + y.blocked, 0), COALESCE(y.done, 0),
  COALESCE(y.blocked, 0), COALESCE(y.overdue, 0) + COALESCE(late.n, 0),
  COALESCE(held.last, (
    SELECT max(m.starts_at) FROM tables_meeting m WHERE m.table_id = t.id AND m.status = %(held)s
  ))::text,
  (SELECT min(m.starts_at) FROM tables_meeting m
    WHERE m.table_id = t.id AND m.status = %(scheduled)s AND m.starts_at >= %(now)s)::text,
  COALESCE(held.present, 0), COALESCE(held.recorded, 0),
  measures.n, measures.on_track,
  {participation}
FROM tables_actiontable t
LEFT JOIN tables_actiontally y ON y.table_id = t.id
LEFT JOIN LATERAL (
  SELECT CASE WHEN y.overdue_before = %(today)s THEN 0 ELSE (
    SELECT count(*) FILTER (WHERE a.due_date < %(today)s)
         - count(*) FILTER (WHERE a.due_date >= %(today)s)
    FROM tables_action a
    WHERE a.table_id = t.id AND a.status IN ({open_statuses})
      AND a.due_date >= LEAST(COALESCE(y.overdue_before, '-infinity'), %(today)s)
      AND a.due_date < GREATEST(COALESCE(y.overdue_before, '-infinity'), %(today)s)
  ) END AS n
) late ON true
LEFT JOIN LATERAL (
  SELECT max(m.starts_at) AS last, sum(m.organizations_present) AS present,
         sum(m.organizations_recorded) AS recorded
  FROM tables_meeting m
  WHERE m.table_id = t.id AND m.status = %(held)s AND m.starts_at >= %(year_ago)s
) held ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS n, count(*) FILTER (WHERE ms.is_on_track) AS on_track
  FROM tables_measure ms WHERE ms.table_id = t.id AND ms.retired_at IS NULL
) measures ON true
WHERE t.id IN ({tables})
ORDER BY t.name, t.id
"""
_PARTICIPATION_SQL = """
  (SELECT count(*) FROM tables_tableorganization o WHERE o.table_id = t.id AND o.left_on IS NULL),
  (SELECT count(*) FROM tables_tableseat s
    WHERE s.table_id = t.id AND s.left_on IS NULL AND s.role = %(advisor)s)"""


def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """The statement with positional parameters, and the name of each in order: written with
    named ones for the reader, run with positional ones since the tables' subquery brings its
    own (last). The open statuses go in as the partial index action_open_due names them
    (constants of the code, not input)."""
    names = tuple(re.findall(r"%\((\w+)\)s", sql))
    sql = re.sub(r"%\(\w+\)s", "%s", sql).replace(
        "{open_statuses}", ", ".join(f"'{status}'" for status in sorted(ACTION_OPEN_STATUSES))
    )
    return sql, names


# With the organizations and advisors at each table (True), or without (False: NULL, NULL).
_STATEMENTS = {
    True: _positional(_ROWS_SQL.replace("{participation}", _PARTICIPATION_SQL.strip())),
    False: _positional(_ROWS_SQL.replace("{participation}", "NULL, NULL")),
}


def progress_statement(
    tables: QuerySet[ActionTable], *, participation: bool = True
) -> tuple[str, list[object]]:
    """The PostgreSQL statement of `progress_rows` and its parameters."""
    sql, names = _STATEMENTS[participation]
    now = timezone.now()
    values = {
        "held": MeetingStatus.HELD,
        "scheduled": MeetingStatus.SCHEDULED,
        "advisor": SeatRole.LIVED_EXPERIENCE_ADVISOR,
        "today": timezone.localdate(),
        "now": now,
        "year_ago": now - timedelta(days=365),
    }
    # The tables are the caller's queryset (tenant scope, filters, access) as the statement's
    # last subquery, with its parameters after the statement's own.
    inner, inner_params = tables.order_by().values("pk").query.sql_with_params()
    return sql.replace("{tables}", inner), [values[name] for name in names] + list(inner_params)


def progress_rows(
    tables: QuerySet[ActionTable], *, participation: bool = True
) -> list[ProgressRow]:
    """These tables' figures, by name: one query whatever the number of tables, actions or
    meetings (see `progress_annotated` for where each figure comes from). Without
    `participation`, the organizations and advisors at each table are not read (None)."""
    if connection.vendor != "postgresql":
        fields = ("pk", *ProgressRow._fields[1:])
        rows = [
            ProgressRow._make(row)
            for row in progress_annotated(tables).order_by("name", "pk").values_list(*fields)
        ]
        if participation:
            return rows
        return [row._replace(organization_count=None, advisor_count=None) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(*progress_statement(tables, participation=participation))
        rows = cursor.fetchall()
    # The two moments come as text (ISO, in the connection's UTC, as every query here reads
    # them): datetime.fromisoformat reads one in a fraction of the time the driver's
    # time-zone-aware loader takes, which was most of this read's time at 400 tables.
    moment = datetime.fromisoformat
    return [
        ProgressRow._make(
            (*row[:10], row[10] and moment(row[10]), row[11] and moment(row[11]), *row[12:])
        )
        for row in rows
    ]


def meeting_figures_now(tables: list[ActionTable]) -> list[tuple[Meeting, tuple[int, int]]]:
    """Every meeting of these tables with its organizations (recorded, present) as counted
    from its attendance rows, beside the meeting's kept `organizations_*`: for the services'
    recount and the drift check. Two queries, grouped, whatever the planner knows."""
    table_ids = [t.pk for t in tables]
    counted = {
        row["meeting_id"]: (row["recorded"], row["present"])
        for row in OrganizationAttendance.objects.filter(meeting__table__in=table_ids)
        .values("meeting_id")
        .annotate(
            recorded=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
        )
    }
    return [
        (meeting, counted.get(meeting.pk, (0, 0)))
        for meeting in Meeting.objects.filter(table__in=table_ids).only(
            "tenant", "table", "organizations_recorded", "organizations_present"
        )
    ]


def figures_drift(tables: QuerySet[ActionTable]) -> tuple[list[int], list[int], list[int]]:
    """The figures kept for the progress pages that disagree with a recount: ids of the
    tables whose ActionTally (counts by status, overdue count) differs from their actions,
    of the meetings whose organizations recorded or present differ from their attendance
    rows, and of the measures whose `is_on_track` differs from their latest value's
    standing. Four queries."""
    tallies = (
        tables.annotate(
            **{
                f"actual_{status}": _count(
                    Action.objects.filter(table=OuterRef("pk"), status=status)
                )
                for status in ActionStatus.values
            },
            **{f"kept_{status}": _tally(status) for status in ActionStatus.values},
            # The overdue count as kept: the open actions due before the tally's date.
            actual_overdue=_count(
                Action.objects.filter(
                    table=OuterRef("pk"),
                    status__in=ACTION_OPEN_STATUSES,
                    due_date__lt=OuterRef("action_tally__overdue_before"),
                )
            ),
            kept_overdue=Coalesce(F("action_tally__overdue"), 0),
        )
        .filter(
            reduce(
                operator.or_,
                (~Q(**{f"actual_{s}": F(f"kept_{s}")}) for s in (*ActionStatus.values, "overdue")),
            )
        )
        .values_list("pk", flat=True)
    )
    meetings = [
        meeting.pk
        for meeting, counted in meeting_figures_now(list(tables))
        if (meeting.organizations_recorded, meeting.organizations_present) != counted
    ]
    measures = [
        pk for pk, on_track, kept in measures_on_track_now(list(tables)) if on_track != kept
    ]
    return sorted(tallies), sorted(meetings), sorted(measures)


def progress_queries(tables: QuerySet[ActionTable]) -> list[tuple[str, QuerySet]]:
    """The queries behind the progress page, for bench/explain.py: the ORM reference (the
    page runs `progress_statement`; explain.py shows both)."""
    return [("every table's figures (ORM reference)", progress_annotated(tables).order_by("name"))]


class Flags(NamedTuple):
    stale: bool
    many_overdue: bool


def flags_for(row: ActionTable, *, now: datetime | None = None) -> Flags:
    return flag_maker(now)(row)


def flag_maker(now: datetime | None = None) -> Callable[[ActionTable], Flags]:
    """The flags of a row as of `now` (a page of many rows makes this once): no meeting in
    STALE_AFTER_DAYS, MANY_OVERDUE actions overdue or more."""
    stale_before = (now or timezone.now()) - timedelta(days=STALE_AFTER_DAYS)

    def flags(row: ActionTable) -> Flags:
        last = row.last_meeting
        return Flags(last is None or last < stale_before, row.overdue_count >= MANY_OVERDUE)

    return flags


def attendance_rate(row: ActionTable) -> int | None:
    return round(100 * row.present_count / row.recorded_count) if row.recorded_count else None


def measures_with_trends(tables: list[ActionTable]) -> dict[int, list[dict[str, object]]]:
    """Each table's measures in use with their trend sentences (retired ones are history, not
    progress): two queries for all tables."""
    measures = list(
        Measure.objects.filter(table__in=tables, retired_at__isnull=True).order_by("kind", "name")
    )
    observations: dict[int, list[Observation]] = {m.pk: [] for m in measures}
    for observation in Observation.objects.filter(measure__in=measures).order_by("period_end"):
        observations[observation.measure_id].append(observation)
    result: dict[int, list[dict[str, object]]] = {t.pk: [] for t in tables}
    for measure in measures:
        values = observations[measure.pk]
        result[measure.table_id].append(
            {
                "measure": measure,
                "trend": trend_sentence(measure, values),
                "on_track": measure_trend(measure, values).standing.is_on_track,
            }
        )
    return result


def measures_on_track_now(tables: list[ActionTable]) -> list[tuple[int, bool, bool]]:
    """Every measure of these tables (retired ones too) as (id, on track by its latest value,
    `is_on_track` as kept): one query, reading only each measure's latest value through the
    (measure, period_end) index, as plain values rather than model instances. For the
    services' recount and the drift check; the pages read `is_on_track`."""
    latest = Observation.objects.filter(measure=OuterRef("pk")).order_by("-period_end")
    fields = ("baseline_value", "baseline_date", "target_value", "target_date", "direction")
    result = []
    for row in (
        Measure.objects.filter(table__in=[t.pk for t in tables])
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_end=Subquery(latest.values("period_end")[:1]),
        )
        .values("pk", "is_on_track", "latest_value", "latest_end", *fields)
    ):
        values = (
            []
            if row["latest_end"] is None
            else [SimpleNamespace(value=row["latest_value"], period_end=row["latest_end"])]
        )
        measure = SimpleNamespace(**{f: row[f] for f in fields})
        on_track = measure_trend(measure, values).standing.is_on_track
        result.append((row["pk"], on_track, row["is_on_track"]))
    return result


def completion_by_month(table: ActionTable, months: int = 12) -> list[tuple[object, int]]:
    since = timezone.now() - timedelta(days=31 * months)
    return list(
        Action.objects.filter(table=table, status=ActionStatus.DONE, completed_at__gte=since)
        .annotate(month=TruncMonth("completed_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        .values_list("month", "n")
    )
