"""The pages every import shares (/<tenant>/manage/imports/<pk>/…): its progress while a
background pass runs, the preview of every row's fate, and the confirmation. Each app's own
upload page starts the import and links here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from cswb.access import get_import_for
from cswb.imports import import_confirm, import_handler, import_progress
from cswb.models import ImportRow

PAGE_SIZE = 100


def _upload_url(record, tenant) -> str | None:
    name = getattr(import_handler(record.kind), "upload_url_name", "")
    try:
        return reverse(name, kwargs={"tenant_slug": tenant.slug}) if name else None
    except NoReverseMatch:
        return None


@require_GET
def import_detail(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    access = get_import_for(request, pk)
    record = access.record
    handler = import_handler(record.kind)
    next_step = getattr(handler, "next_step_url", None)
    if next_step is not None and (url := next_step(record)):
        return redirect(url)  # the uploader still has a choice to make before the check
    preview_template = getattr(handler, "preview_template", "")
    rows = ImportRow.objects.filter(record=record).order_by("line", "id")
    if request.GET.get("show") != "all":
        rejected = rows.filter(action="reject")
        if record.rejected_count:
            rows = rejected
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cswb/imports/detail.html",
        {
            "tenant": access.tenant,
            "record": record,
            "done": import_progress(record),
            "page": page,
            "rows": list(page.object_list),
            "show_all": request.GET.get("show") == "all",
            "page_query": "show=all" if request.GET.get("show") == "all" else "",
            "upload_url": _upload_url(record, access.tenant),
            "preview_template": preview_template,
            "preview": handler.preview_context(record) if preview_template else {},
        },
    )


@require_GET
def import_progress_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx while a pass runs; once it has finished, the whole
    page reloads to show the preview or the result."""
    access = get_import_for(request, pk)
    record = access.record
    if request.htmx and not record.is_running:
        return HttpResponseClientRefresh()
    return render(
        request,
        "cswb/imports/detail.html#progress",
        {"tenant": access.tenant, "record": record, "done": import_progress(record)},
    )


@require_POST
def import_confirm_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    access = get_import_for(request, pk)
    read_options = getattr(import_handler(access.record.kind), "confirm_options", None)
    options = read_options(access.record, request.POST) if read_options else {}
    try:
        import_confirm(record=access.record, actor=request.user, options=options)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"Importing {access.record.file_name}.")
    return redirect("manage:import", tenant_slug=access.tenant.slug, pk=access.record.pk)
