"""The administrators' survey pages, under /<tenant>/manage/surveys/: build (sections and
questions, while a draft), open, close and publish, send and remind, and the raw export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.access import TenantNeed, get_tenant_for
from cswb.csvsafe import csv_write
from cswb.ui import confirm_then, error_text
from engagement.access import SurveyNeed, get_survey_for
from engagement.forms.surveys import (
    InviteForm,
    QuestionForm,
    SectionForm,
    SurveyForm,
    question_initial,
)
from engagement.models import Question, Survey, SurveySection, SurveyStatus
from engagement.selectors.surveys import (
    invitation_counts,
    mailing_failures,
    mailing_progress,
    survey_invitations,
    survey_invitees,
    survey_mailings,
    survey_questions,
    survey_raw_rows,
    survey_sections,
    surveys_for_admin,
)
from engagement.services.surveys import (
    TRANSITIONS,
    survey_create,
    survey_delete,
    survey_invite,
    survey_question_add,
    survey_question_delete,
    survey_question_move,
    survey_question_update,
    survey_remind,
    survey_section_add,
    survey_section_delete,
    survey_section_move,
    survey_section_update,
    survey_status_set,
    survey_takes_answers,
    survey_update,
)

STATUS_WORDS = {
    SurveyStatus.OPEN: ("Open", "Invited people can answer from their link while it is open."),
    SurveyStatus.CLOSED: ("Close", "The survey stops taking answers; links stop working."),
    SurveyStatus.PUBLISHED: (
        "Publish the results",
        "Every member of the plan can read the aggregate results (never the free text).",
    ),
}


def _step_words(survey: Survey, target: str) -> tuple[str, str]:
    """The button and what it does, for moving this survey to `target`."""
    if survey.status == SurveyStatus.PUBLISHED and target == SurveyStatus.CLOSED:
        return ("Withdraw the results", "Members no longer see the results; answers are kept.")
    if survey.status == SurveyStatus.CLOSED and target == SurveyStatus.OPEN:
        return ("Reopen", "Invited people who have not answered can answer again.")
    return STATUS_WORDS[SurveyStatus(target)]


def _survey_url(survey) -> str:
    return reverse("manage:survey", kwargs={"tenant_slug": survey.tenant.slug, "pk": survey.pk})


@require_http_methods(["GET", "POST"])
def manage_surveys(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Survey created: add its questions.")
            return redirect(_survey_url(survey))
    return render(
        request,
        "engagement/surveys/manage_list.html",
        {"tenant": tenant, "surveys": surveys_for_admin(), "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_survey(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    form = SurveyForm(request.POST if request.method == "POST" else None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            # The form has already copied the new values onto its instance: give the service
            # the survey as stored, so it sees what changed.
            stored = Survey.objects.get(pk=survey.pk)
            survey_update(survey=stored, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Survey saved.")
            return redirect(_survey_url(survey))
        survey.refresh_from_db()
    sections = survey_sections(survey)
    page = Paginator(survey_invitations(survey), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/surveys/manage.html",
        {
            "tenant": request.tenant,
            "survey": survey,
            "form": form,
            "sections": sections,
            "question_count": len(survey_questions(sections)),
            "next_statuses": [(s, _step_words(survey, s)[0]) for s in TRANSITIONS[survey.status]],
            "counts": invitation_counts(survey),
            "mailings": survey_mailings(survey)[:10],
            "page": page,
            "invitations": list(page.object_list),
            "takes_answers": survey_takes_answers(survey),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_survey_delete(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    back = reverse("manage:surveys", kwargs={"tenant_slug": tenant_slug})
    if not survey.is_draft:
        messages.error(request, "Only a draft can be deleted; close the survey instead.")
        return redirect(_survey_url(survey))
    return confirm_then(
        request,
        perform=lambda: survey_delete(survey=survey, actor=request.user),
        done=f"Survey deleted: {survey.title}.",
        back=back,
        question=f"Delete the survey “{survey.title}”?",
        consequence="Its sections and questions are deleted too. This cannot be undone.",
        button="Delete the survey",
    )


@require_http_methods(["GET", "POST"])
def manage_survey_status(request: HttpRequest, tenant_slug: str, pk: int, to: str) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    target = to
    if target not in TRANSITIONS[survey.status]:
        messages.error(request, "That step is not open to this survey now.")
        return redirect(_survey_url(survey))
    button, consequence = _step_words(survey, target)
    return confirm_then(
        request,
        perform=lambda: survey_status_set(survey=survey, actor=request.user, status=target),
        done=f"{survey.title}: {SurveyStatus(target).label.lower()}.",
        back=_survey_url(survey),
        question=f"{button}: “{survey.title}”?",
        consequence=consequence,
        button=button,
    )


# -- sections --------------------------------------------------------------------------------


def _section(survey, section_pk: int) -> SurveySection:
    section = SurveySection.objects.filter(pk=section_pk, survey=survey).first()
    if section is None:
        raise Http404("No such section.")
    return section


def _refuse_unless_draft(request: HttpRequest, survey) -> HttpResponse | None:
    if survey.is_draft:
        return None
    messages.error(request, "Questions can be changed only while the survey is a draft.")
    return redirect(_survey_url(survey))


@require_http_methods(["GET", "POST"])
def manage_section_new(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    if refusal := _refuse_unless_draft(request, survey):
        return refusal
    form = SectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        survey_section_add(survey=survey, actor=request.user, **form.cleaned_data)
        messages.success(request, "Section added.")
        return redirect(_survey_url(survey))
    return render(
        request,
        "engagement/surveys/section_form.html",
        {"tenant": request.tenant, "survey": survey, "form": form, "section": None},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_section_edit(
    request: HttpRequest, tenant_slug: str, pk: int, section_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    section = _section(survey, section_pk)
    if refusal := _refuse_unless_draft(request, survey):
        return refusal
    form = SectionForm(request.POST if request.method == "POST" else None, instance=section)
    if request.method == "POST" and form.is_valid():
        section.refresh_from_db()
        survey_section_update(section=section, actor=request.user, **form.cleaned_data)
        messages.success(request, "Section saved.")
        return redirect(_survey_url(survey))
    return render(
        request,
        "engagement/surveys/section_form.html",
        {"tenant": request.tenant, "survey": survey, "form": form, "section": section},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_section_delete(
    request: HttpRequest, tenant_slug: str, pk: int, section_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    section = _section(survey, section_pk)
    return confirm_then(
        request,
        perform=lambda: survey_section_delete(section=section, actor=request.user),
        done=f"Section deleted: {section.title}.",
        back=_survey_url(survey),
        question=f"Delete the section “{section.title}”?",
        consequence="Its questions are deleted with it.",
        button="Delete the section",
    )


@require_POST
def manage_section_move(
    request: HttpRequest, tenant_slug: str, pk: int, section_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    section = _section(survey, section_pk)
    try:
        survey_section_move(
            section=section, actor=request.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(_survey_url(survey))


# -- questions -------------------------------------------------------------------------------


def _question(survey, question_pk: int) -> Question:
    question = (
        Question.objects.filter(pk=question_pk, survey=survey)
        .select_related("section", "survey", "show_if")
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


def _earlier(survey, before: Question | None, section: SurveySection) -> list[Question]:
    """The questions a new or edited one may depend on: those before it."""
    ordered = [q for s in survey_sections(survey) for q in s.questions.all()]
    if before is not None:
        ids = [q.pk for q in ordered]
        return ordered[: ids.index(before.pk)]
    positions = {s.pk: s.position for s in survey.sections.all()}
    return [
        q
        for q in ordered
        if (positions[q.section_id], q.section_id) <= (section.position, section.pk)
    ]


def _question_page(request, survey, form, section, question) -> HttpResponse:
    return render(
        request,
        "engagement/surveys/question_form.html",
        {
            "tenant": request.tenant,
            "survey": survey,
            "form": form,
            "section": section,
            "question": question,
        },
        status=400 if form.is_bound else 200,
    )


def _question_values(form: QuestionForm) -> dict:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in (
            "text", "text_fr", "help_text", "help_text_fr", "is_required", "allows_other",
            "options", "show_if", "show_if_value",
        )
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
def manage_question_new(
    request: HttpRequest, tenant_slug: str, pk: int, section_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    section = _section(survey, section_pk)
    if refusal := _refuse_unless_draft(request, survey):
        return refusal
    form = QuestionForm(
        request.POST if request.method == "POST" else None, earlier=_earlier(survey, None, section)
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_question_add(
                section=section, actor=request.user, kind=form.cleaned_data["kind"],
                **_question_values(form),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, "Question added.")
            return redirect(_survey_url(survey))
    return _question_page(request, survey, form, section, None)


@require_http_methods(["GET", "POST"])
def manage_question_edit(
    request: HttpRequest, tenant_slug: str, pk: int, question_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    question = _question(survey, question_pk)
    if refusal := _refuse_unless_draft(request, survey):
        return refusal
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        initial=question_initial(question),
        earlier=_earlier(survey, question, question.section),
        editing=question,
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_question_update(question=question, actor=request.user, **_question_values(form))
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, "Question saved.")
            return redirect(_survey_url(survey))
    return _question_page(request, survey, form, question.section, question)


@require_http_methods(["GET", "POST"])
def manage_question_delete(
    request: HttpRequest, tenant_slug: str, pk: int, question_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    question = _question(survey, question_pk)
    return confirm_then(
        request,
        perform=lambda: survey_question_delete(question=question, actor=request.user),
        done="Question deleted.",
        back=_survey_url(survey),
        question=f"Delete the question “{question.text}”?",
        consequence="Questions that depended on its answer are then always asked.",
        button="Delete the question",
    )


@require_POST
def manage_question_move(
    request: HttpRequest, tenant_slug: str, pk: int, question_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    question = _question(survey, question_pk)
    try:
        survey_question_move(
            question=question, actor=request.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(_survey_url(survey))


# -- sending ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def manage_survey_invite(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invitees = survey_invitees(
            members=form.cleaned_data["members"], contacts=form.cleaned_data["contacts"]
        )
        try:
            mailing = survey_invite(survey=survey, actor=request.user, invitees=invitees)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            if mailing is None:
                messages.info(request, "Everyone you chose was already invited.")
                return redirect(_survey_url(survey))
            messages.success(request, "Invitations are on their way.")
            return redirect(
                "manage:survey-mailing",
                tenant_slug=tenant_slug,
                pk=survey.pk,
                mailing_pk=mailing.pk,
            )
    return render(
        request,
        "engagement/surveys/invite.html",
        {"tenant": request.tenant, "survey": survey, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_survey_remind(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    counts = invitation_counts(survey)
    return confirm_then(
        request,
        perform=lambda: survey_remind(survey=survey, actor=request.user),
        done="Reminders are on their way.",
        back=_survey_url(survey),
        question=f"Remind the {counts.waiting} people who have not answered?",
        consequence=(
            "Each gets a new link, which replaces the earlier one and keeps any answers they saved."
        ),
        button="Send reminders",
    )


@require_GET
def manage_survey_mailing(
    request: HttpRequest, tenant_slug: str, pk: int, mailing_pk: int
) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    progress = mailing_progress(mailing_pk, survey)
    if progress is None:
        raise Http404("No such mailing.")
    context = {
        "tenant": request.tenant,
        "survey": survey,
        "progress": progress,
        "failures": mailing_failures(progress.mailing) if progress.failed else [],
    }
    if request.htmx:
        return render(request, "engagement/surveys/mailing.html#progress", context)
    return render(request, "engagement/surveys/mailing.html", context)


@require_GET
def manage_survey_raw(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    survey = get_survey_for(request, pk, need=SurveyNeed.MANAGE).survey
    header, rows = survey_raw_rows(survey)
    response = HttpResponse(csv_write([header, *rows]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-responses.csv"'
    return response
