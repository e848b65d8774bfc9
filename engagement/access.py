"""Access to the engagement app's objects reached by a URL: one helper per kind, the first line
of its views, returning a small frozen dataclass or raising 404 / 403."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cswb.access import TenantNeed, get_tenant_for
from engagement.models import (
    DigestRun,
    PlanAction,
    Recommendation,
    RecommendationLink,
    RepresentationGoal,
    Survey,
    SurveyStatus,
)
from engagement.selectors.recommendations import action_visible_to
from tables.access import table_access
from tables.models import ActionTable


@dataclass(frozen=True)
class DigestRunAccess:
    run: DigestRun


def get_digest_run_for(request: HttpRequest, pk: int) -> DigestRunAccess:
    """A run of the plan's digests, for its administrators (403 for anyone else)."""
    get_tenant_for(request, need=TenantNeed.MANAGE)
    run = DigestRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404("No such digest run.")
    return DigestRunAccess(run=run)


# -- recommendations -------------------------------------------------------------------------


class RecommendationNeed(StrEnum):
    VIEW = "view"  # every member of the plan
    LINK = "link"  # link and unlink accompanying actions: administrators and the owner
    MANAGE = "manage"  # edit, delete, the plan's own actions: administrators


@dataclass(frozen=True)
class RecommendationAccess:
    recommendation: Recommendation
    can_link: bool
    can_manage: bool


def _recommendation_rights(request: HttpRequest, recommendation: Recommendation) -> tuple:
    is_admin = request.membership.is_admin
    return is_admin or recommendation.owner_id == request.user.pk, is_admin


def get_recommendation_for(
    request: HttpRequest, pk: int, *, need: RecommendationNeed = RecommendationNeed.VIEW
) -> RecommendationAccess:
    get_tenant_for(request)
    recommendation = Recommendation.objects.filter(pk=pk).first()
    if recommendation is None:
        raise Http404("No such recommendation.")
    can_link, can_manage = _recommendation_rights(request, recommendation)
    if (need is RecommendationNeed.LINK and not can_link) or (
        need is RecommendationNeed.MANAGE and not can_manage
    ):
        raise PermissionDenied("Only the plan's administrators and its owner can do this.")
    return RecommendationAccess(recommendation, can_link=can_link, can_manage=can_manage)


@dataclass(frozen=True)
class LinkAccess:
    link: RecommendationLink
    recommendation: Recommendation


def get_recommendation_link_for(request: HttpRequest, pk: int) -> LinkAccess:
    """An accompanying action's link, for who may unlink it; a table action the person may
    not see is not theirs to know of (404)."""
    get_tenant_for(request)
    link = (
        RecommendationLink.objects.select_related("recommendation", "action", "plan_action")
        .filter(pk=pk)
        .first()
    )
    if link is None or (
        link.action is not None
        and not action_visible_to(
            action=link.action, user=request.user, membership=request.membership
        )
    ):
        raise Http404("No such accompanying action.")
    can_link, _ = _recommendation_rights(request, link.recommendation)
    if not can_link:
        raise PermissionDenied("Only the plan's administrators and its owner can do this.")
    return LinkAccess(link=link, recommendation=link.recommendation)


@dataclass(frozen=True)
class PlanActionAccess:
    plan_action: PlanAction


def get_plan_action_for(request: HttpRequest, pk: int) -> PlanActionAccess:
    """A plan action, to change: administrators and the person it is assigned to."""
    get_tenant_for(request)
    plan_action = PlanAction.objects.filter(pk=pk).first()
    if plan_action is None:
        raise Http404("No such plan action.")
    if not (request.membership.is_admin or plan_action.owner_id == request.user.pk):
        raise PermissionDenied("Only the plan's administrators and its owner can change it.")
    return PlanActionAccess(plan_action=plan_action)


# -- representation goals ----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalAccess:
    goal: RepresentationGoal
    table: ActionTable


def get_goal_for(request: HttpRequest, pk: int) -> GoalAccess:
    """A table's representation goal, for who runs the table (the table page's own rule: 404
    to who may not know the table, 403 to who may see it but not change it)."""
    get_tenant_for(request)
    goal = RepresentationGoal.objects.select_related("table").filter(pk=pk).first()
    if goal is None:
        raise Http404("No such goal.")
    access = table_access(user=request.user, membership=request.membership, table=goal.table)
    if not access.can_see_summary:
        raise Http404("No such goal.")
    if not access.can_change:
        raise PermissionDenied("Only the table's coordinators and the plan's administrators.")
    return GoalAccess(goal=goal, table=goal.table)


# -- surveys ---------------------------------------------------------------------------------


class SurveyNeed(StrEnum):
    RESULTS = "results"  # read the aggregate results
    MANAGE = "manage"  # build, send, read everything, export raw


@dataclass(frozen=True)
class SurveyAccess:
    survey: Survey
    can_manage: bool


def get_survey_for(request: HttpRequest, pk: int, *, need: SurveyNeed) -> SurveyAccess:
    """A survey of the plan. Administrators build, send and read everything (403 for anyone
    else, as on every administration page); other members read the results of a published
    survey only (404 for any other survey)."""
    tenant = get_tenant_for(
        request, need=TenantNeed.MANAGE if need is SurveyNeed.MANAGE else TenantNeed.VIEW
    )
    is_admin = request.membership.is_admin
    survey = Survey.objects.filter(pk=pk, tenant=tenant).first()
    if survey is None or (not is_admin and survey.status != SurveyStatus.PUBLISHED):
        raise Http404("No such survey.")
    return SurveyAccess(survey=survey, can_manage=is_admin)
