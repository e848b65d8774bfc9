"""Recommendations and their accompanying actions, and the "you said, we did" page, under
/<tenant>/engagement/; adding, editing and deleting them under /<tenant>/manage/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.access import TenantNeed, get_tenant_for
from cswb.models import User
from cswb.selectors import members_list
from cswb.ui import confirm_then
from engagement.access import (
    RecommendationNeed,
    get_plan_action_for,
    get_recommendation_for,
    get_recommendation_link_for,
)
from engagement.forms.recommendations import (
    LinkActionForm,
    PlanActionEditForm,
    PlanActionForm,
    RecommendationForm,
)
from engagement.models import Survey
from engagement.selectors.recommendations import (
    linkable_actions,
    recommendation_next_number,
    recommendations_for,
)
from engagement.services.recommendations import (
    plan_action_create,
    plan_action_update,
    recommendation_action_link,
    recommendation_create,
    recommendation_delete,
    recommendation_link_remove,
    recommendation_update,
)


def _people() -> list[User]:
    return [m.user for m in members_list().filter(is_active=True)]


def _surveys() -> list[Survey]:
    return list(Survey.objects.order_by("-created_at", "-pk"))


def _detail_url(request: HttpRequest, pk: int) -> str:
    return reverse("recommendation", kwargs={"tenant_slug": request.tenant.slug, "pk": pk})


def _refused(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
def recommendation_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    return render(
        request,
        "engagement/recommendations/list.html",
        {
            "tenant": tenant,
            "rows": recommendations_for(user=request.user, membership=request.membership),
            "can_manage": request.membership.is_admin,
        },
    )


@require_GET
def you_said_we_did(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    return render(
        request,
        "engagement/recommendations/you_said_we_did.html",
        {
            "tenant": tenant,
            "rows": recommendations_for(user=request.user, membership=request.membership),
            "today": timezone.localdate(),
        },
    )


def _detail(request, found, *, link_form=None, plan_form=None, status=200) -> HttpResponse:
    recommendation = found.recommendation
    view = recommendations_for(
        user=request.user, membership=request.membership, pk=recommendation.pk
    )[0]
    if found.can_link and link_form is None:
        link_form = LinkActionForm(
            actions=linkable_actions(
                user=request.user, membership=request.membership, recommendation=recommendation
            ),
            prefix="link",
        )
    if found.can_manage and plan_form is None:
        plan_form = PlanActionForm(people=_people(), prefix="plan")
    return render(
        request,
        "engagement/recommendations/detail.html",
        {
            "tenant": request.tenant,
            "row": view,
            "found": found,
            "link_form": link_form if found.can_link else None,
            "plan_form": plan_form if found.can_manage else None,
        },
        status=status,
    )


@require_GET
def recommendation_detail(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    found = get_recommendation_for(request, pk)
    return _detail(request, found)


@require_POST
def recommendation_link(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    found = get_recommendation_for(request, pk, need=RecommendationNeed.LINK)
    recommendation = found.recommendation
    form = LinkActionForm(
        request.POST,
        actions=linkable_actions(
            user=request.user, membership=request.membership, recommendation=recommendation
        ),
        prefix="link",
    )
    if form.is_valid():
        try:
            recommendation_action_link(
                recommendation=recommendation,
                action=form.chosen(),
                actor=request.user,
                membership=request.membership,
                weight=form.cleaned_data["weight"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, "The action now accompanies this recommendation.")
            return redirect(_detail_url(request, recommendation.pk))
    return _detail(request, found, link_form=form, status=400)


@require_POST
def recommendation_plan_action(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    found = get_recommendation_for(request, pk, need=RecommendationNeed.MANAGE)
    form = PlanActionForm(request.POST, people=_people(), prefix="plan")
    if form.is_valid():
        try:
            plan_action_create(
                recommendation=found.recommendation,
                actor=request.user,
                title=form.cleaned_data["title"],
                owner=form.owner(),
                due_date=form.cleaned_data["due_date"],
                weight=form.cleaned_data["weight"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, "The plan's action is added.")
            return redirect(_detail_url(request, found.recommendation.pk))
    return _detail(request, found, plan_form=form, status=400)


@require_http_methods(["GET", "POST"])
def recommendation_link_remove_view(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    found = get_recommendation_link_for(request, pk)
    link = found.link
    title = (link.action or link.plan_action).title
    return confirm_then(
        request,
        perform=lambda: recommendation_link_remove(link=link, actor=request.user),
        done=f"“{title}” no longer accompanies this recommendation.",
        back=_detail_url(request, found.recommendation.pk),
        question=f"Stop counting “{title}” towards recommendation {found.recommendation.number}?",
        consequence=(
            "The action itself stays with its table; the recommendation's progress is worked "
            "out again without it."
            if link.action_id
            else "This action of the plan serves no other recommendation and will be deleted."
            if link.plan_action.links.count() == 1
            else "The action of the plan stays with the other recommendations it serves."
        ),
        button="Unlink",
    )


@require_http_methods(["GET", "POST"])
def plan_action_edit(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    plan_action = get_plan_action_for(request, pk).plan_action
    people = _people()
    if request.method == "POST":
        form = PlanActionEditForm(request.POST, people=people)
        if form.is_valid():
            try:
                plan_action_update(
                    plan_action=plan_action,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    status=form.cleaned_data["status"],
                    owner=form.owner(),
                    due_date=form.cleaned_data["due_date"],
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, "The plan's action is saved.")
                return redirect("recommendations", tenant_slug=tenant_slug)
    else:
        form = PlanActionEditForm(
            people=people,
            initial={
                "title": plan_action.title,
                "status": plan_action.status,
                "owner": str(plan_action.owner_id or ""),
                "due_date": plan_action.due_date,
            },
        )
    return render(
        request,
        "engagement/recommendations/plan_action.html",
        {"tenant": request.tenant, "form": form, "plan_action": plan_action},
        status=400 if form.errors else 200,
    )


# -- administration ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def manage_recommendation_new(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    people = _people()
    if request.method == "POST":
        form = RecommendationForm(request.POST, people=people, surveys=_surveys())
        if form.is_valid():
            try:
                recommendation = recommendation_create(
                    tenant=tenant, actor=request.user, **form.values()
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, f"Recommendation {recommendation.number} is added.")
                return redirect(_detail_url(request, recommendation.pk))
    else:
        form = RecommendationForm(
            people=people, surveys=_surveys(), initial={"number": recommendation_next_number()}
        )
    return render(
        request,
        "engagement/recommendations/form.html",
        {"tenant": tenant, "form": form, "recommendation": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_recommendation_edit(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    get_tenant_for(request, need=TenantNeed.MANAGE)
    recommendation = get_recommendation_for(
        request, pk, need=RecommendationNeed.MANAGE
    ).recommendation
    people = _people()
    if request.method == "POST":
        form = RecommendationForm(request.POST, people=people, surveys=_surveys())
        if form.is_valid():
            try:
                recommendation_update(
                    recommendation=recommendation, actor=request.user, **form.values()
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, f"Recommendation {recommendation.number} is saved.")
                return redirect(_detail_url(request, recommendation.pk))
    else:
        form = RecommendationForm(
            people=people,
            surveys=_surveys(),
            initial={
                "number": recommendation.number,
                "title": recommendation.title,
                "theme": recommendation.theme,
                "source_report": recommendation.source_report,
                "source_date": recommendation.source_date,
                "survey": str(recommendation.survey_id or ""),
                "partners_said": recommendation.partners_said,
                "owner": str(recommendation.owner_id or ""),
                "progress_method": recommendation.progress_method,
                "status": recommendation.status,
                "percent": recommendation.percent,
            },
        )
    return render(
        request,
        "engagement/recommendations/form.html",
        {"tenant": request.tenant, "form": form, "recommendation": recommendation},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_recommendation_delete(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    get_tenant_for(request, need=TenantNeed.MANAGE)
    recommendation = get_recommendation_for(
        request, pk, need=RecommendationNeed.MANAGE
    ).recommendation
    return confirm_then(
        request,
        perform=lambda: recommendation_delete(recommendation=recommendation, actor=request.user),
        done=f"Recommendation {recommendation.number} is deleted.",
        back=reverse("recommendations", kwargs={"tenant_slug": tenant_slug}),
        question=f"Delete recommendation {recommendation.number}, “{recommendation.title}”?",
        consequence=(
            "Its table actions stay with their tables; the plan's own actions that serve no "
            "other recommendation are deleted with it. This cannot be undone."
        ),
        button="Delete",
    )
