"""The indicator page and the CSV of what it shows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from cswb.csvsafe import csv_write
from indicators.access import IndicatorAccess, IndicatorNeed, get_indicator_for
from indicators.forms.chain import StoryNoteForm
from indicators.forms.dashboard import BreakdownForm
from indicators.models import Series
from indicators.selectors.catalogue import geographies_marked
from indicators.selectors.chain import actions_to_choose, notes_for, tables_working_on
from indicators.selectors.detail import (
    SeriesView,
    place_codes,
    series_view,
    sources_shown,
    status_view,
)
from indicators.selectors.observations import series_for_indicator


def _selected(request: HttpRequest, found: IndicatorAccess) -> tuple[BreakdownForm, Series | None]:
    """The breakdown form and the series it selects: the one named in the address, else the
    indicator's default (a breakdown it does not have is an error on the form)."""
    series = series_for_indicator(indicator=found.indicator)
    default = next((s for s in series if s.is_default), series[0] if series else None)
    form = BreakdownForm(
        request.GET if "breakdown" in request.GET else None,
        series=series,
        initial={"breakdown": default.key if default else ""},
    )
    chosen = default
    if form.is_bound and form.is_valid():
        chosen = next((s for s in series if s.key == form.cleaned_data["breakdown"]), default)
    return form, chosen


def indicator_context(
    request: HttpRequest, found: IndicatorAccess, *, note_form: StoryNoteForm | None = None
) -> dict[str, object]:
    """Everything the indicator page shows; the story-note form is passed back when refused."""
    tenant = request.tenant
    indicator = found.indicator
    marked = geographies_marked(tenant=tenant)
    form, series = _selected(request, found)
    view: SeriesView | None = (
        series_view(indicator=indicator, series=series, marked=marked) if series else None
    )
    query = urlencode({"breakdown": series.key}) if series and not series.is_default else ""
    csv_url = reverse("indicators:indicator-csv", args=[tenant.slug, indicator.slug])
    if note_form is None and found.can_note:
        note_form = StoryNoteForm(
            actions=actions_to_choose(
                indicator=indicator, user=request.user, membership=request.membership
            )
        )
    notes = notes_for(indicator=indicator, user=request.user, membership=request.membership)
    return {
        "tenant": tenant,
        "indicator": indicator,
        "breakdown_form": form,
        "view": view,
        "status": status_view(
            indicator=indicator, tenant=tenant, places=view.geographies if view else marked.all
        ),
        "tables": tables_working_on(
            indicator=indicator, user=request.user, membership=request.membership
        ),
        "notes": notes,
        "editable_notes": {n.pk for n in notes if found.may_edit(n, request.user)},
        "note_form": note_form if found.can_note else None,
        "can_link": found.can_link,
        "can_override": found.can_override,
        "csv_url": f"{csv_url}?{query}" if query else csv_url,
        "sources": sources_shown(indicator),
        "places": place_codes(view.geographies) if view else [],
    }


@require_GET
def indicator_detail_view(request: HttpRequest, tenant_slug: str, indicator: str) -> HttpResponse:
    found = get_indicator_for(request, indicator, need=IndicatorNeed.VIEW)
    context = indicator_context(request, found)
    return render(request, "indicators/indicators/detail.html", context)


@require_GET
def indicator_csv(request: HttpRequest, tenant_slug: str, indicator: str) -> HttpResponse:
    """Exactly what the page shows for the same address: one row per table cell."""
    found = get_indicator_for(request, indicator, need=IndicatorNeed.VIEW)
    _, series = _selected(request, found)
    ind = found.indicator
    rows: list[tuple[object, ...]] = [
        ("indicator", "name", "breakdown", "geography", "period", "value", "unit", "status", "note")
    ]
    if series is not None:
        view = series_view(
            indicator=ind, series=series, marked=geographies_marked(tenant=request.tenant)
        )
        rows += [
            (
                ind.code,
                ind.name_en,
                view.selection,
                cell.geography,
                cell.period,
                cell.csv_value,
                ind.unit_label,
                cell.status,
                cell.footnote,
            )
            for row in view.table.rows
            for cell in row.cells
        ]
    response = HttpResponse(csv_write(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicator-{ind.slug}.csv"'
    return response
