"""Importing indicator files in the browser (administrators): upload, then the shared import
pages (cswb.import_views) show the progress, the preview and the confirmation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cswb.access import TenantNeed, get_tenant_for
from cswb.imports import import_record_create
from cswb.models import ImportKind, ImportRecord
from indicators.forms.imports import IndicatorUploadForm
from indicators.selectors.imports import catalogue_imports_listed
from indicators.services.imports import format_guess

PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
def indicator_imports(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = IndicatorUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            fmt = form.cleaned_data["file_format"] or format_guess(upload.name)
            companions = {
                role: form.cleaned_data[role]
                for role in ("meta_en", "meta_fr")
                if form.cleaned_data[role] and fmt == "open_sdg"
            }
            try:
                record = import_record_create(
                    tenant=tenant, kind=ImportKind.INDICATORS, upload=upload,
                    file_name=upload.name, created_by=request.user, file_format=fmt,
                    companions=companions,
                )  # fmt: skip
            except ValidationError as e:
                form.add_error("file", e)
            else:
                return redirect("manage:import", tenant_slug=tenant.slug, pk=record.pk)
        status = 400
    records = ImportRecord.objects.filter(tenant=tenant, kind=ImportKind.INDICATORS).select_related(
        "created_by"
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/imports/list.html",
        {
            "tenant": tenant,
            "form": form,
            "page": page,
            "records": list(page.object_list),
            "catalogue": catalogue_imports_listed(),
        },
        status=status,
    )
