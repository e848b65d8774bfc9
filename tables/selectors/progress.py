"""Progress figures, per table and across the plan, in a fixed number of aggregate queries
whatever the number of tables, actions or meetings."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from types import SimpleNamespace

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    AttendanceStatus,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
    OrganizationAttendance,
    SeatRole,
    TableOrganization,
    TableSeat,
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


def progress_rows(tables: QuerySet[ActionTable]) -> QuerySet[ActionTable]:
    """Every table with its figures as annotations: one query for all of them.

    Each figure is read once per table from where it is cheapest, whatever the length of the
    table's history: the counts by status from the table's ActionTally row (kept by the action
    services in the same transaction as each change); overdue actions from the index of open
    actions by due date (`action_open_due`), since "overdue" changes with the calendar and
    cannot be kept; the last meeting and the year's attendance from the index of held
    meetings (`meeting_held_attendance`), which carries each meeting's organizations recorded
    and present (kept by `meeting_record`): a year is a moving window, so the figure is added
    up from about 26 index entries per table rather than kept per table."""
    today = timezone.localdate()
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    held = Meeting.objects.filter(table=OuterRef("pk"), status=MeetingStatus.HELD)
    in_use = Measure.objects.filter(table=OuterRef("pk"), retired_at__isnull=True)
    return tables.annotate(
        open_count=_tally(*sorted(ACTION_OPEN_STATUSES)),
        done_count=_tally(ActionStatus.DONE),
        blocked_count=_tally(ActionStatus.BLOCKED),
        overdue_count=_count(
            Action.objects.filter(
                table=OuterRef("pk"), status__in=ACTION_OPEN_STATUSES, due_date__lt=today
            )
        ),
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
    tables whose ActionTally differs from their actions, of the meetings whose organizations
    recorded or present differ from their attendance rows, and of the measures whose
    `is_on_track` differs from their latest value's standing. Four queries."""
    tallies = (
        tables.annotate(
            **{
                f"actual_{status}": _count(
                    Action.objects.filter(table=OuterRef("pk"), status=status)
                )
                for status in ActionStatus.values
            },
            **{f"kept_{status}": _tally(status) for status in ActionStatus.values},
        )
        .filter(
            reduce(
                operator.or_,
                (~Q(**{f"actual_{s}": F(f"kept_{s}")}) for s in ActionStatus.values),
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
    """The queries behind the progress page, for bench/explain.py."""
    return [("every table's figures", progress_rows(tables).order_by("name"))]


@dataclass
class Flags:
    stale: bool
    many_overdue: bool


def flags_for(row: ActionTable) -> Flags:
    cutoff = timezone.now() - timedelta(days=STALE_AFTER_DAYS)
    return Flags(
        stale=row.last_meeting is None or row.last_meeting < cutoff,
        many_overdue=row.overdue_count >= MANY_OVERDUE,
    )


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
