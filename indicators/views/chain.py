"""The chain: choosing the tables that work on an indicator, and the story notes on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cswb.ui import confirm_then, error_text
from indicators.access import IndicatorNeed, get_indicator_for, get_note_for
from indicators.forms.chain import IndicatorTablesForm, StoryNoteForm
from indicators.selectors.chain import actions_to_choose
from indicators.services.chain import (
    indicator_tables_set,
    story_note_create,
    story_note_delete,
    story_note_update,
)
from indicators.views.indicators import indicator_context
from tables.models import ActionTable


def _indicator_url(tenant_slug: str, slug: str, anchor: str = "") -> str:
    url = reverse("indicators:indicator", args=[tenant_slug, slug])
    return f"{url}#{anchor}" if anchor else url


@require_http_methods(["GET", "POST"])
def indicator_tables(request: HttpRequest, tenant_slug: str, indicator: str) -> HttpResponse:
    found = get_indicator_for(request, indicator, need=IndicatorNeed.LINK)
    mine = list(ActionTable.objects.filter(pk__in=found.changeable_table_ids).order_by("name"))
    form = IndicatorTablesForm(
        request.POST if request.method == "POST" else None,
        tables=mine,
        initial={"tables": [t for t in mine if t.pk in found.linked_table_ids]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            added, removed = indicator_tables_set(
                tenant=request.tenant,
                indicator=found.indicator,
                chosen=form.cleaned_data["tables"],
                within=found.changeable_table_ids,
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                "The tables working on this indicator were saved."
                if added or removed
                else "Nothing changed.",
            )
            return redirect(_indicator_url(tenant_slug, found.indicator.slug, "tables-heading"))
    return render(
        request,
        "indicators/chain/tables.html",
        {"tenant": request.tenant, "indicator": found.indicator, "form": form, "tables": mine},
        status=400 if form.errors else 200,
    )


@require_POST
def note_add(request: HttpRequest, tenant_slug: str, indicator: str) -> HttpResponse:
    found = get_indicator_for(request, indicator, need=IndicatorNeed.NOTE)
    actions = actions_to_choose(
        indicator=found.indicator, user=request.user, membership=request.membership
    )
    form = StoryNoteForm(request.POST, actions=actions)
    if form.is_valid():
        try:
            note = story_note_create(
                tenant=request.tenant,
                indicator=found.indicator,
                author=request.user,
                written_on=form.cleaned_data["written_on"],
                text=form.cleaned_data["text"],
                actions=form.cleaned_data["actions"],
                allowed_actions=[a.pk for a in actions],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The note was added.")
            return redirect(_indicator_url(tenant_slug, found.indicator.slug, f"story-{note.pk}"))
    context = indicator_context(request, found, note_form=form)
    return render(request, "indicators/indicators/detail.html", context, status=400)


def _add_errors(form: StoryNoteForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, errors in error.message_dict.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    else:
        form.add_error(None, error_text(error))


@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, tenant_slug: str, indicator: str, pk: int) -> HttpResponse:
    found = get_note_for(request, indicator, pk)
    note = found.note
    actions = actions_to_choose(
        indicator=found.indicator.indicator, user=request.user, membership=request.membership
    )
    # Actions already named stay listed, so editing the text does not drop them.
    named = list(note.actions.select_related("table"))
    choices = actions + [a for a in named if a not in actions]
    form = StoryNoteForm(
        request.POST if request.method == "POST" else None, instance=note, actions=choices
    )
    if request.method == "POST" and form.is_valid():
        note.refresh_from_db()  # the form changed the instance; the service compares
        try:
            story_note_update(
                note=note,
                actor=request.user,
                written_on=form.cleaned_data["written_on"],
                text=form.cleaned_data["text"],
                actions=form.cleaned_data["actions"],
                allowed_actions=[a.pk for a in actions],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The note was saved.")
            return redirect(_indicator_url(tenant_slug, indicator, f"story-{note.pk}"))
    return render(
        request,
        "indicators/chain/note_edit.html",
        {
            "tenant": request.tenant,
            "indicator": found.indicator.indicator,
            "note": note,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def note_delete(request: HttpRequest, tenant_slug: str, indicator: str, pk: int) -> HttpResponse:
    found = get_note_for(request, indicator, pk)
    note = found.note
    return confirm_then(
        request,
        perform=lambda: story_note_delete(note=note, actor=request.user),
        done="The note was deleted.",
        back=_indicator_url(tenant_slug, indicator, "story-heading"),
        question=f"Delete the note of {note.written_on:%B} {note.written_on.day}, "
        f"{note.written_on.year}?",
        consequence="The note is removed from the story behind the curve for everyone.",
        button="Delete the note",
    )
