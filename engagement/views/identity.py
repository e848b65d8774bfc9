"""Voluntary self-identification: a member's own page, a digest contact's page through their
personal link, the administrators' choice of questions; and a table's representation goals.

Nobody but the owner is ever shown an answer: these views read answers only for the person
asking (the member signed in, or the holder of the contact's link)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scope

from cswb.access import TenantNeed, get_tenant_for
from cswb.models import Tenant
from cswb.ui import confirm_then, error_text
from engagement.access import get_goal_for
from engagement.forms.identity import GoalForm, QuestionSettingsForm, SelfIdentificationForm
from engagement.models import IdentityQuestion, RepresentationGoal
from engagement.selectors.identity import (
    contact_for_identity_token,
    own_identification,
    question_settings,
    table_goals_panel,
)
from engagement.services.identity import (
    identity_links_send,
    identity_questions_configure,
    representation_goal_add,
    representation_goal_remove,
    self_identification_save,
    self_identification_withdraw,
)
from partners.models import Contact
from tables.access import TableNeed, get_table_for


def _form_page(
    request: HttpRequest,
    *,
    tenant: Tenant,
    owner: dict,
    template: str,
    context: dict,
    saved_url: str,
) -> HttpResponse:
    asked, _ = question_settings()
    identification, answers = own_identification(**owner)
    if request.method == "POST":
        form = SelfIdentificationForm(request.POST, asked=asked)
        if form.is_valid():
            try:
                self_identification_save(
                    tenant=tenant,
                    asked=asked,
                    answers=form.answers(),
                    in_own_words=form.cleaned_data["in_own_words"],
                    consent=form.cleaned_data["consent"],
                    **owner,
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, "Saved. Only you can see your answers.")
                return redirect(saved_url)
    else:
        initial = {q: answers.get(q, "") for q in asked}
        if identification is not None:
            initial |= {"in_own_words": identification.in_own_words, "consent": True}
        form = SelfIdentificationForm(asked=asked, initial=initial)
    return render(
        request,
        template,
        {
            "tenant": tenant,
            "form": form,
            "identification": identification,
            "answers": [(IdentityQuestion(q).label, answers[q]) for q in asked if answers.get(q)],
            **context,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def self_identification(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    return _form_page(
        request,
        tenant=tenant,
        owner={"user": request.user},
        template="engagement/identity/mine.html",
        context={"withdraw_url": reverse("self-identification-withdraw", args=[tenant_slug])},
        saved_url=reverse("self-identification", args=[tenant_slug]),
    )


def _withdraw(owner: dict) -> None:
    identification, _ = own_identification(**owner)
    if identification is None:
        raise ValidationError("There is nothing to withdraw: you have not answered.")
    self_identification_withdraw(identification=identification)


WITHDRAW_QUESTION = "Withdraw your self-identification?"
WITHDRAW_CONSEQUENCE = (
    "Your answers and your consent are deleted now, for good; the plan's counts no longer "
    "include you. You can answer again later if you wish."
)


@require_http_methods(["GET", "POST"])
def self_identification_withdraw_view(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    get_tenant_for(request)
    if own_identification(user=request.user)[0] is None:
        raise Http404("You have no self-identification to withdraw.")
    return confirm_then(
        request,
        perform=lambda: _withdraw({"user": request.user}),
        done="Your self-identification is deleted.",
        back=reverse("self-identification", args=[tenant_slug]),
        question=WITHDRAW_QUESTION,
        consequence=WITHDRAW_CONSEQUENCE,
        button="Withdraw and delete",
    )


# -- digest contacts, through their personal link (no account) ---------------------------------


def _contact_or_invalid(request: HttpRequest, token: str):
    found = contact_for_identity_token(token)
    if found is None:
        return None, render(request, "engagement/identity/link_invalid.html", status=404)
    return found, None


@require_http_methods(["GET", "POST"])
def identity_contact(request: HttpRequest, token: str) -> HttpResponse:
    found, refusal = _contact_or_invalid(request, token)
    if refusal is not None:
        return refusal
    tenant, contact_id = found
    with scope(tenant=tenant):
        contact = Contact.objects.select_related("organization").get(pk=contact_id)
        return _form_page(
            request,
            tenant=tenant,
            owner={"contact": contact},
            template="engagement/identity/contact.html",
            context={
                "contact": contact,
                "withdraw_url": reverse("identity-contact-withdraw", args=[token]),
            },
            saved_url=reverse("identity-contact", args=[token]),
        )


@require_http_methods(["GET", "POST"])
def identity_contact_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    found, refusal = _contact_or_invalid(request, token)
    if refusal is not None:
        return refusal
    tenant, contact_id = found
    with scope(tenant=tenant):
        contact = Contact.objects.get(pk=contact_id)
        return confirm_then(
            request,
            perform=lambda: _withdraw({"contact": contact}),
            done="Your self-identification is deleted.",
            back=reverse("identity-contact", args=[token]),
            question=WITHDRAW_QUESTION,
            consequence=WITHDRAW_CONSEQUENCE,
            button="Withdraw and delete",
        )


# -- administration ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def manage_identity(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    asked, reported = question_settings()
    if request.method == "POST":
        form = QuestionSettingsForm(request.POST)
        if form.is_valid():
            try:
                identity_questions_configure(
                    tenant=tenant,
                    actor=request.user,
                    asked=set(form.cleaned_data["asked"]),
                    reported=set(form.cleaned_data["reported"]),
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, "The questions are saved.")
                return redirect("manage:self-identification", tenant_slug=tenant_slug)
    else:
        form = QuestionSettingsForm(initial={"asked": asked, "reported": reported})
    return render(
        request,
        "engagement/identity/manage.html",
        {"tenant": tenant, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def manage_identity_links(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    sent = identity_links_send(tenant=tenant, actor=request.user)
    if sent:
        messages.success(
            request, f"Links are on their way to {sent} digest contact{'s' if sent > 1 else ''}."
        )
    else:
        messages.info(request, "Every digest contact already has their link.")
    return redirect("manage:self-identification", tenant_slug=tenant_slug)


# -- representation goals ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def table_goals(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    access = get_table_for(request, table_slug, need=TableNeed.CHANGE)
    table = access.table
    _, reported = question_settings()
    form = GoalForm(request.POST if request.method == "POST" else None, reported=reported)
    if request.method == "POST" and form.is_valid():
        try:
            representation_goal_add(table=table, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in getattr(error, "error_dict", {None: [error]}).items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "The goal is set.")
            return redirect("table-goals", tenant_slug=tenant_slug, table_slug=table.slug)
    return render(
        request,
        "engagement/identity/goals.html",
        {
            "tenant": table.tenant,
            "table": table,
            "form": form,
            "panel": table_goals_panel(table=table),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    found = get_goal_for(request, pk)
    goal: RepresentationGoal = found.goal
    return confirm_then(
        request,
        perform=lambda: representation_goal_remove(goal=goal, actor=request.user),
        done="The goal is removed.",
        back=reverse("table-goals", args=[tenant_slug, found.table.slug]),
        question=f"Remove the goal “{goal.get_kind_display()}” of {found.table.name}?",
        consequence="The table's page stops showing it. Nothing else changes.",
    )
