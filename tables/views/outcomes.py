"""A table's outcome measures: charts with their data tables, trend sentences, CSV, and
observations recorded by the organizations that report them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cswb.conditional import csv_answer
from cswb.csvsafe import csv_write
from cswb.selectors import activity_last_at
from cswb.ui import confirm_then, error_text
from tables.access import (
    TableNeed,
    get_measure_for,
    get_observation_for,
    get_table_for,
    may_correct_observation,
)
from tables.forms.outcomes import MeasureEditForm, MeasureForm, ObservationForm
from tables.models import Measure, Observation
from tables.selectors.outcomes import line_chart, measure_trend, number_text, trend_sentence
from tables.services.outcomes import (
    measure_create,
    measure_edit,
    measure_restore,
    measure_retire,
    observation_delete,
    observation_edit,
    observation_record,
)


def _errors_to_form(form, error: ValidationError) -> None:
    """A service's refusal shown at the fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error_text(error))
        return
    for key, errors in error.message_dict.items():
        for message in errors:
            form.add_error(key if key in form.fields else None, message)


def _measure_url(table_slug: str, measure: Measure) -> str:
    return reverse("tables:measure", args=[measure.tenant.slug, table_slug, measure.pk])


def _measure_view(measure: Measure, observations: list[Observation], n: int) -> dict:
    return {
        "measure": measure,
        "observations": observations,
        "chart": line_chart(measure, observations, chart_id=f"chart-{n}"),
        "trend": trend_sentence(measure, observations),
    }


@require_http_methods(["GET", "POST"])
def outcome_list(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    need = TableNeed.CHANGE if request.method == "POST" else TableNeed.SUMMARY
    access = get_table_for(request, table_slug, need=need)
    table = access.table
    form = MeasureForm(request.POST if request.method == "POST" else None, table=table)
    if request.method == "POST" and form.is_valid():
        try:
            measure_create(table=table, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, "The measure was added.")
            return redirect("tables:outcomes", tenant_slug=tenant_slug, table_slug=table.slug)
    measures = list(
        Measure.objects.filter(table=table)
        .select_related("reporting_organization")
        .order_by("retired_at", "kind", "name")
    )
    by_measure: dict[int, list[Observation]] = {m.pk: [] for m in measures}
    for observation in Observation.objects.filter(measure__table=table).order_by("period_end"):
        by_measure[observation.measure_id].append(observation)
    # Leadership's "measures on track" figures link here, filtered the same way.
    show = request.GET.get("standing", "")
    if show in ("on_track", "not_on_track"):
        wanted = show == "on_track"
        # Retired measures are history: in neither list, as in the counts.
        measures = [
            m
            for m in measures
            if not m.is_retired
            and measure_trend(m, by_measure[m.pk]).standing.is_on_track is wanted
        ]
    return render(
        request,
        "tables/outcomes/list.html",
        {
            "tenant": table.tenant,
            "table": table,
            "access": access,
            "form": form,
            "measures": [_measure_view(m, by_measure[m.pk], n) for n, m in enumerate(measures)],
            "standing": show if show in ("on_track", "not_on_track") else "",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def measure_detail(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_measure_for(request, table_slug, pk, need=TableNeed.SUMMARY)
    may_record = found.can_record and not found.measure.is_retired
    form = ObservationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied("Only the reporting organization or the coordinators can.")
        if form.is_valid():
            try:
                observation_record(
                    measure=found.measure,
                    actor=request.user,
                    value=form.cleaned_data["value"],
                    period_end=form.cleaned_data["period_end"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "The value was recorded.")
                return redirect(
                    "tables:measure",
                    tenant_slug=tenant_slug,
                    table_slug=found.table.slug,
                    pk=found.measure.pk,
                )
    observations = list(
        Observation.objects.filter(measure=found.measure).select_related("recorded_by")
    )
    for observation in observations:
        observation.may_correct = may_correct_observation(found.access, observation, request.user)
    return render(
        request,
        "tables/outcomes/measure.html",
        {
            "tenant": found.table.tenant,
            "table": found.table,
            "access": found.access,
            "form": form,
            "may_record": may_record,
            **_measure_view(found.measure, observations, 0),
            "csv_url": reverse(
                "tables:measure-csv", args=[tenant_slug, found.table.slug, found.measure.pk]
            ),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def measure_csv(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_measure_for(request, table_slug, pk, need=TableNeed.SUMMARY)
    rows = [("measure", "unit", "period_end", "value", "baseline", "target", "target_date")]
    rows += [
        (
            found.measure.name,
            found.measure.unit,
            o.period_end.isoformat(),
            o.value,
            found.measure.baseline_value,
            found.measure.target_value,
            found.measure.target_date.isoformat(),
        )
        for o in Observation.objects.filter(measure=found.measure)
    ]
    return csv_answer(
        request,
        csv_write(rows),
        filename=f"{found.table.slug}-measure-{pk}.csv",
        last_modified=activity_last_at(),
    )


@require_http_methods(["GET", "POST"])
def measure_edit_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_measure_for(request, table_slug, pk, need=TableNeed.CHANGE)
    measure = found.measure
    form = MeasureEditForm(
        request.POST if request.method == "POST" else None, instance=measure, table=found.table
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure_edit(measure=measure, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "The measure was saved.")
            return redirect(_measure_url(found.table.slug, measure))
    return render(
        request,
        "tables/outcomes/measure_edit.html",
        {"tenant": found.table.tenant, "table": found.table, "measure": measure, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def measure_retire_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_measure_for(request, table_slug, pk, need=TableNeed.CHANGE)
    return confirm_then(
        request,
        perform=lambda: measure_retire(measure=found.measure, actor=request.user),
        done=f"“{found.measure.name}” is retired. Its values stay here as history.",
        back=_measure_url(found.table.slug, found.measure),
        question=f"Retire the measure “{found.measure.name}”?",
        consequence=(
            "It takes no new values and leaves the on-track counts; its values and chart stay "
            "on its page as history."
        ),
        button="Retire the measure",
    )


@require_http_methods(["GET", "POST"])
def measure_restore_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_measure_for(request, table_slug, pk, need=TableNeed.CHANGE)
    return confirm_then(
        request,
        perform=lambda: measure_restore(measure=found.measure, actor=request.user),
        done=f"“{found.measure.name}” is back in use.",
        back=_measure_url(found.table.slug, found.measure),
        question=f"Bring the measure “{found.measure.name}” back into use?",
        consequence=(
            "It takes new values again and counts in the on-track figures, with the standing "
            "of its latest value."
        ),
        button="Bring it back into use",
        destructive=False,
    )


@require_http_methods(["GET", "POST"])
def observation_edit_view(
    request: HttpRequest, tenant_slug: str, table_slug: str, measure_pk: int, pk: int
):
    found = get_observation_for(request, table_slug, measure_pk, pk)
    observation = found.observation
    initial = {"value": observation.value, "period_end": observation.period_end}
    initial["note"] = observation.note
    form = ObservationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            observation_edit(
                observation=observation,
                actor=request.user,
                value=form.cleaned_data["value"],
                period_end=form.cleaned_data["period_end"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "The value was corrected.")
            return redirect(_measure_url(found.table.slug, found.measure))
    return render(
        request,
        "tables/outcomes/observation_edit.html",
        {
            "tenant": found.table.tenant,
            "table": found.table,
            "measure": found.measure,
            "observation": observation,
            "form": form,
            "delete_url": reverse(
                "tables:observation-delete",
                args=[tenant_slug, found.table.slug, found.measure.pk, observation.pk],
            ),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def observation_delete_view(
    request: HttpRequest, tenant_slug: str, table_slug: str, measure_pk: int, pk: int
):
    found = get_observation_for(request, table_slug, measure_pk, pk)
    observation, measure = found.observation, found.measure
    return confirm_then(
        request,
        perform=lambda: observation_delete(observation=observation, actor=request.user),
        done="The value was removed.",
        back=_measure_url(found.table.slug, measure),
        question=(
            f"Remove the value {number_text(observation.value)} {measure.unit} for the period "
            f"ending {observation.period_end:%b %-d, %Y}?"
        ),
        consequence="The chart and the trend are worked out again without it; the activity "
        "log keeps what it was.",
        button="Remove the value",
    )
