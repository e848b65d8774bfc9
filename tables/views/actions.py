"""Actions of a table, and "my work" across tables."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.access import get_tenant_for
from cswb.ui import error_text
from partners.models import Organization
from tables.access import TableNeed, get_action_for, get_table_for, user_organization_ids
from tables.forms.actions import ActionFilterForm, ActionForm, ActionUpdateForm
from tables.models import ACTION_OPEN_STATUSES, Action, ActionUpdate, TableOrganization
from tables.selectors.actions import my_open_actions, overdue_first
from tables.services.actions import ACTION_TRANSITIONS, action_create, action_update

PAGE_SIZE = 30


def _owner_choices(request, table, access) -> tuple[list[Organization], bool]:
    """Organizations an action may be owned by: any at the table for its coordinators; one's
    own that sit there for everyone else."""
    at_table = Organization.objects.filter(
        pk__in=TableOrganization.objects.current().filter(table=table).values("organization_id")
    ).order_by("name")
    if access.can_change:
        return list(at_table), True
    return list(at_table.filter(pk__in=user_organization_ids(request.user))), True


@require_http_methods(["GET", "POST"])
def action_list(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    need = TableNeed.LOG if request.method == "POST" else TableNeed.VIEW
    access = get_table_for(request, table_slug, need=need)
    table = access.table
    organizations, allow_none = _owner_choices(request, table, access)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        organizations=organizations,
        allow_none=allow_none,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner_org = form.organizations.get(data["owner_organization"])
        try:
            action = action_create(
                table=table,
                title=data["title"],
                description=data["description"],
                owner_organization=owner_org,
                owner=request.user,
                due_date=data["due_date"],
                priority=data["priority"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, f"Action “{action.title}” added.")
            return redirect(
                "tables:action", tenant_slug=tenant_slug, table_slug=table.slug, pk=action.pk
            )
    filters = ActionFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    actions = Action.objects.filter(table=table).select_related(
        "table", "owner", "owner_organization"
    )
    if status == "":
        actions = actions.filter(status__in=ACTION_OPEN_STATUSES)
    elif status == "overdue":
        actions = actions.filter(status__in=ACTION_OPEN_STATUSES, due_date__lt=timezone.localdate())
    elif status != "all":
        actions = actions.filter(status=status)
    page = Paginator(overdue_first(actions), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tables/actions/list.html",
        {
            "tenant": table.tenant,
            "table": table,
            "access": access,
            "form": form,
            "filters": filters,
            "page": page,
            "actions": list(page.object_list),
            "page_query": f"status={status}" if status else "",
        },
        status=400 if form.errors else 200,
    )


def _detail_context(request, action, table, access, can_update, form=None):
    updates = list(ActionUpdate.objects.filter(action=action).select_related("author")[:50])
    allowed = ACTION_TRANSITIONS.get(action.status, frozenset())
    return {
        "tenant": table.tenant,
        "table": table,
        "action": action,
        "access": access,
        "can_update": can_update,
        "updates": updates,
        "form": form or ActionUpdateForm(current=action.status, allowed=allowed),
    }


@require_GET
def action_detail(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_action_for(request, table_slug, pk)
    return render(
        request,
        "tables/actions/detail.html",
        _detail_context(request, found.action, found.table, found.access, found.can_update),
    )


@require_POST
def action_update_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_action_for(request, table_slug, pk, update=True)
    allowed = ACTION_TRANSITIONS.get(found.action.status, frozenset())
    form = ActionUpdateForm(request.POST, current=found.action.status, allowed=allowed)
    status = 200
    if form.is_valid():
        new_status = form.cleaned_data["status"] or None
        try:
            action_update(
                action=found.action,
                actor=request.user,
                text=form.cleaned_data["text"],
                status=None if new_status == found.action.status else new_status,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
            status = 400
        else:
            messages.success(request, "Update saved.")
            if not request.htmx:
                return redirect(
                    "tables:action",
                    tenant_slug=tenant_slug,
                    table_slug=found.table.slug,
                    pk=found.action.pk,
                )
            found.action.refresh_from_db()
            form = None
    else:
        status = 400
    context = _detail_context(
        request, found.action, found.table, found.access, found.can_update, form
    )
    template = "tables/actions/detail.html#work" if request.htmx else "tables/actions/detail.html"
    return render(request, template, context, status=status)


@require_GET
def my_work(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """My and my organizations' open actions, across the tables I may see, overdue first."""
    tenant = get_tenant_for(request)
    actions = my_open_actions(user=request.user, membership=request.membership)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tables/actions/my_work.html",
        {"tenant": tenant, "page": page, "actions": list(page.object_list)},
    )
