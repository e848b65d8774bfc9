"""A table's outcome measures: charts with their data tables, trend sentences, CSV, and
observations recorded by the organizations that report them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cswb.csvsafe import csv_write
from cswb.ui import error_text
from tables.access import TableNeed, get_measure_for, get_table_for
from tables.forms.outcomes import MeasureForm, ObservationForm
from tables.models import Measure, Observation
from tables.selectors.outcomes import line_chart, measure_trend, trend_sentence
from tables.services.outcomes import measure_create, observation_record


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
    measures = list(Measure.objects.filter(table=table).select_related("reporting_organization"))
    by_measure: dict[int, list[Observation]] = {m.pk: [] for m in measures}
    for observation in Observation.objects.filter(measure__table=table).order_by("period_end"):
        by_measure[observation.measure_id].append(observation)
    # Leadership's "measures on track" figures link here, filtered the same way.
    show = request.GET.get("standing", "")
    if show in ("on_track", "not_on_track"):
        wanted = show == "on_track"
        measures = [
            m for m in measures if measure_trend(m, by_measure[m.pk]).standing.is_on_track is wanted
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
    may_record = found.can_record
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
                for key, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(key if key in form.fields else None, message)
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
    response = HttpResponse(csv_write(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.table.slug}-measure-{pk}.csv"'
    return response
