"""Reads for recommendations: each with its accompanying actions (only those the reader may
see listed, the others counted), and its progress rolled up from all of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch

from cswb.models import TenantMembership, User
from engagement.models import (
    PlanAction,
    ProgressMethod,
    Recommendation,
    RecommendationLink,
    RecommendationStatus,
)
from tables.access import TableNeed, tables_allowed
from tables.models import Action, ActionStatus, ActionTable, ActionUpdate

# How far along one action is, for the roll-up. A cancelled action no longer counts.
ACTION_PERCENT = {
    ActionStatus.PLANNED: 0,
    ActionStatus.BLOCKED: 50,
    ActionStatus.IN_PROGRESS: 50,
    ActionStatus.DONE: 100,
}


def rollup(parts: Iterable[tuple[str, int]], method: str) -> int | None:
    """(status, weight) of each accompanying action → the recommendation's percent, or None
    when no action counts. Plain: every action the same; weighted: by its weight."""
    counted = [(ACTION_PERCENT[s], w) for s, w in parts if s in ACTION_PERCENT]
    if not counted:
        return None
    if method == ProgressMethod.WEIGHTED:
        total = sum(w for _, w in counted)
        return round(sum(p * w for p, w in counted) / total)
    return round(sum(p for p, _ in counted) / len(counted))


def status_for(percent: int, parts: Iterable[tuple[str, int]]) -> str:
    if percent >= 100:
        return RecommendationStatus.DONE
    if percent > 0 or any(s != ActionStatus.PLANNED for s, _ in parts):
        return RecommendationStatus.IN_PROGRESS
    return RecommendationStatus.NOT_STARTED


@dataclass
class LinkedAction:
    link_id: int
    title: str
    status: str
    status_label: str
    weight: int
    due_date: date | None
    completed_at: datetime | None
    linked_at: datetime
    table: ActionTable | None = None  # None: an action of the plan itself
    action_id: int | None = None
    plan_action: PlanAction | None = None


@dataclass
class RecommendationView:
    recommendation: Recommendation
    percent: int
    status: str
    rolled_up: bool  # False: the status and percent set by the plan's staff
    actions: list[LinkedAction] = field(default_factory=list)
    hidden: int = 0  # accompanying actions at tables the reader may not see

    @property
    def status_label(self) -> str:
        return RecommendationStatus(self.status).label

    @property
    def method_label(self) -> str:
        return ProgressMethod(self.recommendation.progress_method).label

    @property
    def counted(self) -> int:
        return sum(1 for a in self.actions if a.status in ACTION_PERCENT) + self.hidden_counted

    hidden_counted: int = 0

    @property
    def done(self) -> list[LinkedAction]:
        return sorted(
            (a for a in self.actions if a.status == ActionStatus.DONE and a.completed_at),
            key=lambda a: a.completed_at,
        )

    @property
    def under_way(self) -> list[LinkedAction]:
        return [
            a for a in self.actions if a.status not in (ActionStatus.DONE, ActionStatus.CANCELLED)
        ]


def action_visible_to(*, action: Action, user: User, membership: TenantMembership) -> bool:
    """Whether the person may read this table action (the same rule as its page)."""
    return (
        ActionTable.objects.filter(pk=action.table_id)
        .filter(tables_allowed(user=user, membership=membership, need=TableNeed.VIEW))
        .exists()
    )


def visible_table_ids(*, user: User, membership: TenantMembership) -> set[int]:
    return set(
        ActionTable.objects.filter(
            tables_allowed(user=user, membership=membership, need=TableNeed.VIEW)
        ).values_list("pk", flat=True)
    )


def recommendations_for(
    *, user: User, membership: TenantMembership, pk: int | None = None
) -> list[RecommendationView]:
    """Every recommendation of the plan (or one), read in four queries whatever their number."""
    links = RecommendationLink.objects.select_related(
        "action__table", "plan_action__owner"
    ).order_by("linked_at", "pk")
    recommendations = (
        Recommendation.objects.select_related("owner", "survey")
        .annotate(survey_responses=Count("survey__responses"))
        .prefetch_related(Prefetch("links", queryset=links))
    )
    if pk is not None:
        recommendations = recommendations.filter(pk=pk)
    visible = visible_table_ids(user=user, membership=membership)
    return [_view(r, visible) for r in recommendations]


def _view(recommendation: Recommendation, visible: set[int]) -> RecommendationView:
    parts: list[tuple[str, int]] = []
    actions: list[LinkedAction] = []
    hidden = hidden_counted = 0
    for link in recommendation.links.all():
        item = link.action or link.plan_action
        parts.append((item.status, link.weight))
        if link.action is not None and link.action.table_id not in visible:
            hidden += 1
            hidden_counted += item.status in ACTION_PERCENT
            continue
        actions.append(
            LinkedAction(
                link_id=link.pk,
                title=item.title,
                status=item.status,
                status_label=ActionStatus(item.status).label,
                weight=link.weight,
                due_date=item.due_date,
                completed_at=item.completed_at,
                linked_at=link.linked_at,
                table=link.action.table if link.action is not None else None,
                action_id=link.action_id,
                plan_action=link.plan_action,
            )
        )
    percent = rollup(parts, recommendation.progress_method)
    if percent is None:
        view = RecommendationView(
            recommendation, recommendation.percent, recommendation.status, rolled_up=False
        )
    else:
        view = RecommendationView(
            recommendation, percent, status_for(percent, parts), rolled_up=True
        )
    view.actions, view.hidden, view.hidden_counted = actions, hidden, hidden_counted
    return view


def recommendation_next_number() -> int:
    last = Recommendation.objects.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def linkable_actions(
    *, user: User, membership: TenantMembership, recommendation: Recommendation
) -> list[Action]:
    """The table actions this person may see that do not accompany the recommendation yet."""
    return list(
        Action.objects.filter(
            table__in=ActionTable.objects.filter(
                tables_allowed(user=user, membership=membership, need=TableNeed.VIEW)
            )
        )
        .exclude(recommendation_links__recommendation=recommendation)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("table")
        .order_by("table__name", "title", "pk")
    )


# -- progress at a moment (the digests) ------------------------------------------------------


@dataclass
class Movement:
    recommendation: Recommendation
    before: int
    after: int
    status: str
    done_in_window: list[str]


def recommendations_with_links() -> list[Recommendation]:
    return list(
        Recommendation.objects.prefetch_related(
            Prefetch(
                "links",
                queryset=RecommendationLink.objects.select_related("action", "plan_action"),
            )
        )
    )


class RecommendationHistory:
    """What the recommendations' progress was at any moment since `since`: the status of every
    accompanying action is read back from its history (table actions' updates, plan actions'
    activity events), and the percents the plan's staff set from theirs. Three queries, once;
    then any number of windows in memory (a digest batch spans many)."""

    def __init__(self, recommendations: Sequence[Recommendation], *, since: datetime) -> None:
        from cswb.models import ActivityEvent  # the audit trail of plan actions and edits

        self.recommendations = recommendations
        links = [lk for r in recommendations for lk in r.links.all()]
        action_ids = {lk.action_id for lk in links if lk.action_id}
        plan_ids = {str(lk.plan_action_id) for lk in links if lk.plan_action_id}
        # The first status change after a moment tells the status at that moment.
        self.history: dict[tuple[str, int], list[tuple[datetime, str, str]]] = {}
        for action_id, at, old, new in (
            ActionUpdate.objects.filter(action_id__in=action_ids, at__gte=since)
            .exclude(status_to="")
            .order_by("at", "pk")
            .values_list("action_id", "at", "status_from", "status_to")
        ):
            self.history.setdefault(("a", action_id), []).append((at, old, new))
        for target, at, changes in (
            ActivityEvent.objects.filter(
                at__gte=since, verb="plan_action.status_changed", target_id__in=plan_ids
            )
            .order_by("at", "pk")
            .values_list("target_id", "at", "changes")
        ):
            old, new = changes["status"]
            self.history.setdefault(("p", int(target)), []).append((at, old, new))
        self.manual: dict[int, list[tuple[datetime, dict]]] = {}
        for target, at, changes in (
            ActivityEvent.objects.filter(
                at__gte=since,
                verb="recommendation.updated",
                target_id__in=[str(r.pk) for r in recommendations],
            )
            .order_by("at", "pk")
            .values_list("target_id", "at", "changes")
        ):
            self.manual.setdefault(int(target), []).append((at, changes))

    def movements(self, start: datetime, end: datetime) -> list[Movement]:
        """The recommendations whose progress moved between `start` and `end`."""
        history, manual, recommendations = self.history, self.manual, self.recommendations

        def status_at(key: tuple[str, int], current: str, created: datetime, moment: datetime):
            if created >= moment:
                return None
            for at, old, _ in history.get(key, ()):
                if at >= moment:
                    return old
            return current

        moved = []
        for r in recommendations:
            ends = []
            done_in_window = []
            for moment in (start, end):
                parts = []
                for lk in r.links.all():
                    if lk.linked_at >= moment:
                        continue
                    item, key = (
                        (lk.action, ("a", lk.action_id))
                        if lk.action_id
                        else (lk.plan_action, ("p", lk.plan_action_id))
                    )
                    status = status_at(key, item.status, item.created_at, moment)
                    if status is not None:
                        parts.append((status, lk.weight))
                ends.append((rollup(parts, r.progress_method), parts))
            (before, _), (after, after_parts) = ends
            for lk in r.links.all():
                item = lk.action or lk.plan_action
                if item.completed_at and start <= item.completed_at < end and lk.action_id is None:
                    done_in_window.append(item.title)
            if after is None:  # no action counts: the percent the plan's staff set
                after_percent = _manual_at(r.percent, manual.get(r.pk, []), end)
                before_percent = _manual_at(r.percent, manual.get(r.pk, []), start)
                status = r.status
            else:
                after_percent = after
                before_percent = before if before is not None else 0
                status = status_for(after, after_parts)
            if after_percent != before_percent or done_in_window:
                moved.append(Movement(r, before_percent, after_percent, status, done_in_window))
        return moved


def recommendation_movements(
    *, start: datetime, end: datetime, recommendations: Sequence[Recommendation] | None = None
) -> list[Movement]:
    if recommendations is None:
        recommendations = recommendations_with_links()
    return RecommendationHistory(recommendations, since=start).movements(start, end)


def _manual_at(current: int, changes: list[tuple[datetime, dict]], moment: datetime) -> int:
    for at, change in changes:
        if at >= moment and "percent" in change:
            return change["percent"][0]
    return current
