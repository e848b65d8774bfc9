"""The CSWB dashboard, /<tenant>/indicators/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cswb.access import get_tenant_for
from indicators.forms.dashboard import DashboardFilterForm
from indicators.selectors.catalogue import domains_listed
from indicators.selectors.dashboard import dashboard_read
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
    form = DashboardFilterForm(request.GET or None, domains=domains_listed(), tables=tables)
    filters = form.cleaned_data if form.is_valid() else {}
    table = next((t for t in tables if t.slug == filters.get("table")), None)
    data = dashboard_read(
        tenant=tenant,
        domain=filters.get("domain", ""),
        status=filters.get("status", ""),
        table_id=table.pk if table else None,
    )
    context = {
        "tenant": tenant,
        "form": form,
        "groups": data.groups,
        "count": data.count,
        "has_indicators": data.has_indicators,
        "ours": data.ours,
        "comparison": data.comparison,
        "filtered": any(filters.values()),
    }
    template = (
        "indicators/dashboard/dashboard.html#results"
        if request.htmx
        else "indicators/dashboard/dashboard.html"
    )
    return render(request, template, context)
