"""Surveys as members and respondents see them: published results (and their CSV), and the
page a single-use link opens, outside any plan and without signing in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scope, scopes_disabled

from cswb.access import get_tenant_for
from cswb.csvsafe import csv_write
from engagement.access import SurveyNeed, get_survey_for
from engagement.forms.surveys import answers_from_post
from engagement.models import LIKERT_POINTS, YES_NO_POINTS, ResponseDraft
from engagement.selectors.surveys import (
    survey_aggregate_rows,
    survey_questions,
    survey_results,
    survey_sections,
    surveys_for_admin,
    surveys_published,
)
from engagement.services.surveys import (
    answers_check,
    question_is_shown,
    survey_draft_save,
    survey_invitation_by_token,
    survey_response_submit,
    survey_takes_answers,
)


@require_GET
def survey_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    is_admin = request.membership.is_admin
    surveys = surveys_for_admin() if is_admin else surveys_published()
    return render(
        request,
        "engagement/surveys/list.html",
        {"tenant": tenant, "surveys": surveys, "is_admin": is_admin},
    )


@require_GET
def survey_results_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    access = get_survey_for(request, pk, need=SurveyNeed.RESULTS)
    results = survey_results(access.survey, with_texts=access.can_manage)
    return render(
        request,
        "engagement/surveys/results.html",
        {
            "tenant": request.tenant,
            "survey": access.survey,
            "results": results,
            "can_manage": access.can_manage,
        },
    )


@require_GET
def survey_results_csv(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    access = get_survey_for(request, pk, need=SurveyNeed.RESULTS)
    results = survey_results(access.survey, with_texts=False, with_breakdown=False)
    header, rows = survey_aggregate_rows(results)
    response = HttpResponse(csv_write([header, *rows]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{access.survey.pk}-results.csv"'
    )
    return response


# -- the respondent's page ---------------------------------------------------------------------


def _closed_page(request: HttpRequest, invitation, status: int) -> HttpResponse:
    return render(
        request,
        "engagement/surveys/respond_closed.html",
        {"survey": invitation.survey, "tenant": invitation.tenant, "used": invitation.is_used},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def survey_respond(request: HttpRequest, token: str) -> HttpResponse:
    """One section at a time: questions whose condition rests on an earlier section are
    decided here, on the server; a condition within the section is checked when the page is
    sent. "Save and finish later" keeps the answers with the link; "Finish" sends them."""
    with scopes_disabled():
        invitation = survey_invitation_by_token(token)
    if invitation is None:
        return render(request, "engagement/surveys/respond_invalid.html", status=404)
    with scope(tenant=invitation.tenant):
        survey = invitation.survey
        if invitation.is_used or not survey_takes_answers(survey):
            return _closed_page(request, invitation, 410 if request.method == "POST" else 200)
        sections = survey_sections(survey)
        draft = ResponseDraft.objects.filter(invitation=invitation).first()
        saved = dict(draft.answers) if draft else {}
        try:
            index = int(request.GET.get("section", draft.section_index if draft else 0))
        except ValueError:
            index = 0
        index = max(0, min(index, len(sections) - 1))
        section = sections[index]
        errors: dict[int, str] = {}
        answers = saved
        if request.method == "POST":
            questions = list(section.questions.all())
            posted = answers_from_post(questions, request.POST)
            answers = {**saved, **posted}
            action = request.POST.get("action", "next")
            visible = [q for q in questions if question_is_shown(q, answers)]
            _cleaned, errors = answers_check(visible, answers)
            if action == "save":
                try:
                    survey_draft_save(invitation=invitation, answers=posted, section_index=index)
                except ValidationError:
                    return _closed_page(request, invitation, 410)
                messages.success(
                    request,
                    "Saved. Use the same link to finish before the survey closes.",
                )
                return redirect(f"{request.path}?section={index}")
            if action == "back" or not errors:
                target = _next_index(sections, answers, index, back=action == "back")
                is_last = target is None
                if action == "finish" or (is_last and action != "back"):
                    all_questions = survey_questions(sections)
                    everything, all_errors = answers_check(all_questions, answers)
                    if all_errors:
                        errors = all_errors
                    else:
                        try:
                            survey_response_submit(invitation=invitation, answers=everything)
                        except ValidationError:
                            return _closed_page(request, invitation, 410)
                        return render(
                            request,
                            "engagement/surveys/respond_done.html",
                            {"survey": survey, "tenant": invitation.tenant},
                        )
                else:
                    try:
                        survey_draft_save(
                            invitation=invitation, answers=posted, section_index=target or 0
                        )
                    except ValidationError:
                        return _closed_page(request, invitation, 410)
                    return redirect(f"{request.path}?section={target or 0}")
        shown = [
            {
                "question": q,
                "answer": answers.get(str(q.pk)) or {},
                "error": errors.get(q.pk, ""),
                # Decided now when its condition rests on an earlier page; otherwise the
                # question is shown with its condition spelt out.
                "depends_here": bool(q.show_if_id) and q.show_if.section_id == section.pk,
            }
            for q in section.questions.all()
            if not q.show_if_id
            or q.show_if.section_id == section.pk
            or question_is_shown(q, answers)
        ]
        other_errors = {
            pk: e for pk, e in errors.items() if pk not in {s["question"].pk for s in shown}
        }
        return render(
            request,
            "engagement/surveys/respond.html",
            {
                "survey": survey,
                "tenant": invitation.tenant,
                "invitation": invitation,
                "section": section,
                "index": index,
                "count": len(sections),
                "is_last": _next_index(sections, answers, index, back=False) is None,
                "shown": shown,
                "other_errors": bool(other_errors),
                "likert": LIKERT_POINTS,
                "yes_no": YES_NO_POINTS,
                "has_draft": draft is not None,
            },
            status=400 if errors else 200,
        )


def _next_index(sections, answers, index: int, *, back: bool) -> int | None:
    """The next (or previous) section with at least one question to ask; None past the end."""
    step = -1 if back else 1
    i = index + step
    while 0 <= i < len(sections):
        if any(question_is_shown(q, answers) for q in sections[i].questions.all()):
            return i
        i += step
    return 0 if back else None
