"""Tenant administration of tables under /<tenant>/manage/: onboarding and focus areas."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cswb.access import TenantNeed, get_tenant_for
from cswb.ui import confirm_then, error_text
from tables.access import get_focus_area_for
from tables.forms.tables import FocusAreaEditForm, FocusAreaForm, MoveForm, OnboardForm
from tables.models import FocusArea
from tables.services.tables import (
    focus_area_create,
    focus_area_move,
    focus_area_restore,
    focus_area_retire,
    focus_area_update,
    table_onboard,
)


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
    areas = list(
        FocusArea.objects.annotate(table_count=Count("tables")).order_by("position", "name")
    )
    return render(
        request,
        "tables/manage/focus_areas.html",
        {
            "tenant": tenant,
            "form": form,
            "areas": [a for a in areas if a.retired_on is None],
            "retired": [a for a in areas if a.retired_on is not None],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def focus_area_edit(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    area = get_focus_area_for(request, pk).area
    form = FocusAreaEditForm(
        request.POST if request.method == "POST" else None,
        initial={"name": area.name, "description": area.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            focus_area_update(area=area, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, f"“{area.name}” was saved.")
            return redirect("manage:focus-areas", tenant_slug=tenant_slug)
    return render(
        request,
        "tables/manage/focus_area_edit.html",
        {"tenant": area.tenant, "area": area, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def focus_area_move_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    area = get_focus_area_for(request, pk).area
    form = MoveForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "400.html",
            {"reason": "Move a focus area up or down.", "back_url": _areas_url(tenant_slug)},
            status=400,
        )
    try:
        focus_area_move(area=area, actor=request.user, direction=form.cleaned_data["direction"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"“{area.name}” moved {form.cleaned_data['direction']}.")
    return redirect(_areas_url(tenant_slug) + f"#area-{area.pk}")


@require_http_methods(["GET", "POST"])
def focus_area_retire_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    area = get_focus_area_for(request, pk).area
    return confirm_then(
        request,
        perform=lambda: focus_area_retire(area=area, actor=request.user),
        done=f"“{area.name}” was retired; tables filed under it keep it.",
        back=_areas_url(tenant_slug),
        question=f"Retire the focus area “{area.name}”?",
        consequence=(
            "It will no longer be offered for tables. Tables already filed under it keep it, "
            "and you can offer it again later."
        ),
        button="Retire the focus area",
    )


@require_POST
def focus_area_restore_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    area = get_focus_area_for(request, pk).area
    try:
        focus_area_restore(area=area, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"“{area.name}” is offered again.")
    return redirect(_areas_url(tenant_slug))


def _areas_url(tenant_slug: str) -> str:
    return reverse("manage:focus-areas", kwargs={"tenant_slug": tenant_slug})
