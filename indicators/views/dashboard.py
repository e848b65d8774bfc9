"""The CSWB dashboard, /<tenant>/indicators/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from cswb.access import get_tenant_for
from indicators.forms.dashboard import DashboardFilterForm
from indicators.selectors.dashboard import catalogue_read, dashboard_read
from tables.access import TableNeed, tables_allowed
from tables.models import ActionTable


@require_GET
def dashboard(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    tables = list(
        ActionTable.objects.filter(
            tables_allowed(user=request.user, membership=request.membership, need=TableNeed.SUMMARY)
        ).order_by("name")
    )
    catalogue = catalogue_read(tenant=tenant)
    domains = list({i.domain_id: i.domain for i in catalogue.indicators}.values())  # in use
    form = DashboardFilterForm(
        request.GET or None, domains=domains, tables=tables, planned=bool(catalogue.marked.all)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    table = next((t for t in tables if t.slug == filters.get("table")), None)
    data = dashboard_read(
        tenant=tenant,
        catalogue=catalogue,
        domain=filters.get("domain", ""),
        status=filters.get("status", ""),
        table_id=table.pk if table else None,
        other_places=filters.get("places") == "other",
        page=request.GET.get("page"),
    )
    # The filters as the address keeps them: for the pages' links and the "other places" one.
    kept = {k: v for k, v in filters.items() if v and k != "places"}
    context = {
        "tenant": tenant,
        "form": form,
        "data": data,
        "groups": data.groups,
        "count": data.count,
        "page": data.page,
        "has_indicators": data.has_indicators,
        "ours": data.ours,
        "comparison": data.comparison,
        "filtered": any(v for k, v in filters.items() if k != "places"),
        "query": urlencode({**kept, **({"places": "other"} if data.other_places else {})}),
        "other_query": urlencode({**kept, "places": "other"}),
        "ours_query": urlencode(kept),
    }
    template = (
        "indicators/dashboard/dashboard.html#results"
        if request.htmx
        else "indicators/dashboard/dashboard.html"
    )
    return render(request, template, context)
