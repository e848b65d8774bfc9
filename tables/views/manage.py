"""Tenant administration of tables under /<tenant>/manage/: onboarding and focus areas."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cswb.access import TenantNeed, get_tenant_for
from tables.forms.tables import FocusAreaForm, OnboardForm
from tables.models import FocusArea
from tables.services.tables import focus_area_create, table_onboard


@require_http_methods(["GET", "POST"])
def table_new(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = OnboardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            table, outcome = table_onboard(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for key, errors in getattr(error, "message_dict", {None: error.messages}).items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        else:
            email = form.cleaned_data["coordinator_email"]
            messages.success(
                request,
                f"{table.name} was started. "
                + (
                    f"Its coordinator, {email}, has a seat."
                    if outcome == "seated"
                    else f"An invitation was sent to {email}; they take the coordinator's seat "
                    "on accepting."
                ),
            )
            return redirect("tables:detail", tenant_slug=tenant.slug, table_slug=table.slug)
    return render(
        request,
        "tables/manage/onboard.html",
        {"tenant": tenant, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def focus_areas(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = FocusAreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            area = focus_area_create(
                tenant=tenant, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{area.name}” was added.")
            return redirect("manage:focus-areas", tenant_slug=tenant.slug)
    areas = list(FocusArea.objects.order_by("position", "name"))
    return render(
        request,
        "tables/manage/focus_areas.html",
        {"tenant": tenant, "form": form, "areas": areas},
        status=400 if form.errors else 200,
    )
