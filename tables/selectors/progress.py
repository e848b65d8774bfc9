"""Progress figures, per table and across the plan, in a fixed number of aggregate queries
whatever the number of tables, actions or meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    Attendance,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
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
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def progress_rows(tables: QuerySet[ActionTable]) -> QuerySet[ActionTable]:
    """Every table with its figures as annotations: one query for all of them."""
    today = timezone.localdate()
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    actions = Action.objects.filter(table=OuterRef("pk"))
    open_ = Q(status__in=ACTION_OPEN_STATUSES)
    held = Meeting.objects.filter(table=OuterRef("pk"), status=MeetingStatus.HELD)
    attendance = Attendance.objects.filter(
        meeting__table=OuterRef("pk"),
        meeting__status=MeetingStatus.HELD,
        meeting__starts_at__gte=year_ago,
    )
    return tables.annotate(
        open_count=_count(actions.filter(open_)),
        done_count=_count(actions.filter(status=ActionStatus.DONE)),
        blocked_count=_count(actions.filter(status=ActionStatus.BLOCKED)),
        overdue_count=_count(actions.filter(open_, due_date__lt=today)),
        last_meeting=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
        next_meeting=Subquery(
            Meeting.objects.filter(
                table=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=now
            )
            .order_by("starts_at")
            .values("starts_at")[:1]
        ),
        present_count=_count(attendance.filter(status="present"), group="meeting__table"),
        recorded_count=_count(attendance.exclude(status=""), group="meeting__table"),
        organization_count=_count(TableOrganization.objects.current().filter(table=OuterRef("pk"))),
        advisor_count=_count(
            TableSeat.objects.current().filter(
                table=OuterRef("pk"), role=SeatRole.LIVED_EXPERIENCE_ADVISOR
            )
        ),
    )


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
