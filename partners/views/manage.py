"""Tenant administration of organizations under /<tenant>/manage/organizations/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cswb.access import TenantNeed, get_import_for, get_tenant_for
from cswb.models import ImportKind, ImportRecord, ImportState
from partners.forms.importing import OrganizationUploadForm, columns_form
from partners.forms.organizations import OrganizationForm
from partners.services.importing import (
    FIELDS,
    mapping_guess,
    organization_import_columns_set,
    organization_import_start,
)
from partners.services.organizations import organization_create

IMPORTS_PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = OrganizationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(
                tenant=tenant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, f"{organization} was added.")
            return redirect(
                "partners:organization", tenant_slug=tenant.slug, org_slug=organization.slug
            )
    return render(
        request,
        "partners/manage/organization_new.html",
        {"tenant": tenant, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def organization_import(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Upload a CSV file of organizations; its columns are chosen next
    (`organization_import_columns`), then the shared import pages (cswb.import_views) show the
    check's progress, the preview and the confirmation. Lists the plan's organization imports,
    so that one left running can be found again."""
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    posted = request.method == "POST"
    form = OrganizationUploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = organization_import_start(
                tenant=tenant, upload=upload, file_name=upload.name, actor=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(
                "manage:organization-import-columns", tenant_slug=tenant.slug, pk=record.pk
            )
    records = ImportRecord.objects.filter(
        tenant=tenant, kind=ImportKind.ORGANIZATIONS
    ).select_related("created_by")
    page = Paginator(records, IMPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/manage/import.html",
        {"tenant": tenant, "form": form, "page": page, "records": list(page.object_list)},
        status=400 if posted else 200,
    )


@require_http_methods(["GET", "POST"])
def organization_import_columns(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Choose which columns hold the name, sector, website and contact email (guessed from the
    header), and the sector of rows without one; the file is then checked in the background."""
    access = get_import_for(request, pk)
    record = access.record
    if record.kind != ImportKind.ORGANIZATIONS:
        raise Http404("No such import of organizations.")
    if record.state != ImportState.RECEIVED or "mapping" in record.options:
        return redirect("manage:import", tenant_slug=access.tenant.slug, pk=record.pk)
    header = record.options.get("header") or []
    form = columns_form(
        header,
        data=request.POST if request.method == "POST" else None,
        initial=mapping_guess(header),
    )
    if request.method == "POST" and form.is_valid():
        organization_import_columns_set(
            record=record,
            mapping={key: form.cleaned_data[key] for key in FIELDS},
            default_sector=form.cleaned_data["default_sector"],
        )
        return redirect("manage:import", tenant_slug=access.tenant.slug, pk=record.pk)
    return render(
        request,
        "partners/manage/import_columns.html",
        {"tenant": access.tenant, "record": record, "form": form},
        status=400 if form.errors else 200,
    )
