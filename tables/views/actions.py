"""Actions of a table, and "my work" across tables."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.access import get_tenant_for
from cswb.ui import CountedPaginator, date_texts, error_text, html_row, url_maker
from partners.models import Organization, OrganizationMembership
from tables.access import (
    TableNeed,
    get_action_for,
    get_decision_for,
    get_table_for,
)
from tables.forms.actions import (
    ActionEditForm,
    ActionFilterForm,
    ActionForm,
    ActionUpdateForm,
    DecisionActionForm,
)
from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    Priority,
    TableOrganization,
)
from tables.selectors.actions import (
    ActionLine,
    action_line_values,
    action_lines,
    action_owner_options,
    action_owner_people,
    my_open_actions,
    overdue_first,
    table_action_count,
)
from tables.services.actions import (
    ACTION_TRANSITIONS,
    action_create,
    action_edit,
    action_update,
    decision_to_action,
)

PAGE_SIZE = 30

# One row of an action list (a table's actions, my work), made with html_row (every value
# escaped) rather than by an included template per row: the tags per cell (the address, the
# dates, the labels) were most of these pages' time. Dates and labels are made once per page.
_ACTION_ROW = """<tr{overdue_class}>
  <th scope="row"><a href="{url}">{title}</a>{table}</th>
  <td><span class="badge badge--{status}">{status_label}</span>{overdue_badge}</td>
  <td>{due}</td>
  <td>{owner}</td>
  <td>{priority}</td>
</tr>
"""


def action_rows(actions: list[ActionLine], *, tenant_slug: str, show_table: bool = False) -> list:
    """The rows of an action list, in order, as HTML."""
    url = url_maker("tables:action", "table_slug", "pk", tenant_slug=tenant_slug)
    day = date_texts("M j, Y")
    overdue_badge = html_row(
        ' <span class="badge badge--overdue">{label}</span>', label=gettext("Overdue")
    )
    overdue_class = mark_safe(' class="row--overdue"')
    # Each label translated once per page, not once per row.
    statuses = {value: str(label) for value, label in ActionStatus.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    rows = []
    muted = '<span class="muted">{name}</span>'
    for action in actions:
        org, owner = action.organization_name, action.owner_name
        if org is not None and owner is not None:
            owner_html = html_row("{org}<br>" + muted, org=org, name=owner)
        elif org is not None or owner is not None:
            owner_html = html_row(muted, name=owner) if owner is not None else org
        else:
            owner_html = "—"
        rows.append(
            html_row(
                _ACTION_ROW,
                overdue_class=overdue_class if action.is_overdue else "",
                url=url(table_slug=action.table_slug, pk=action.pk),
                title=action.title,
                table=html_row("<br>" + muted, name=action.table_name) if show_table else "",
                status=action.status,
                status_label=statuses.get(action.status, action.status),
                overdue_badge=overdue_badge if action.is_overdue else "",
                due=html_row(
                    '<time datetime="{iso}">{day}</time>',
                    iso=action.due_date.isoformat(),  # a date's "Y-m-d"
                    day=day(action.due_date),
                )
                if action.due_date
                else "—",
                owner=owner_html,
                priority=priorities.get(action.priority, action.priority),
            )
        )
    return rows


def _owner_choices(
    request, table, access, current: Action | None = None, *, options: bool = False
) -> dict[str, list]:
    """Who an action may be owned by, as the form's `organizations` and `people`: any
    organization at the table for its coordinators, one's own that sit there for everyone
    else (and the action's present one, when editing); people as `action_owner_people`.
    With `options`, for a form that is only shown, ids and names read in one statement
    (`action_owner_options`) instead of model instances."""
    if options:
        return action_owner_options(
            table=table, user=request.user, any_organization=access.can_change
        )
    at_table = Q(
        pk__in=TableOrganization.objects.current().filter(table=table).values("organization_id")
    )
    if not access.can_change:
        at_table &= Q(
            pk__in=OrganizationMembership.objects.current()
            .filter(user=request.user)
            .values("organization_id")
        )
    if current is not None and current.owner_organization_id:
        at_table |= Q(pk=current.owner_organization_id)
    organizations = list(Organization.objects.filter(at_table).order_by("name"))
    people = action_owner_people(table=table, organizations=organizations)
    if current is not None and current.owner is not None:
        offered = {u.pk for _group, users in people for u in users}
        if current.owner_id not in offered:  # has since left: shown until changed
            people.append(("Owner now", [current.owner]))
    return {"organizations": organizations, "people": people}


def _errors_to_form(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error_text(error))
        return
    for key, errors in error.message_dict.items():
        for message in errors:
            form.add_error(key if key in form.fields else None, message)


@require_http_methods(["GET", "POST"])
def action_list(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    need = TableNeed.LOG if request.method == "POST" else TableNeed.VIEW
    access = get_table_for(request, table_slug, need=need)
    table = access.table
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        **_owner_choices(request, table, access, options=request.method != "POST"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = action_create(
                table=table,
                title=data["title"],
                description=data["description"],
                owner_organization=data["owner_organization"],
                owner=data["owner"],
                due_date=data["due_date"],
                priority=data["priority"],
                actor=request.user,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"Action “{action.title}” added.")
            return redirect(
                "tables:action", tenant_slug=tenant_slug, table_slug=table.slug, pk=action.pk
            )
    filters = ActionFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    actions = Action.objects.filter(table=table)
    if status == "":
        actions = actions.filter(status__in=ACTION_OPEN_STATUSES)
    elif status == "overdue":
        actions = actions.filter(status__in=ACTION_OPEN_STATUSES, due_date__lt=timezone.localdate())
    elif status != "all":
        actions = actions.filter(status=status)
    if status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        # A finished action is never overdue: the same order as overdue_first, which the
        # (table, status, due_date) index gives a page at a time, however long the history.
        actions = actions.order_by("due_date", "id")
    else:
        actions = overdue_first(actions)
    count = table_action_count(table=table, status=status)
    page = CountedPaginator(actions, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    actions = action_lines(action_line_values(page.object_list))
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
            "actions": actions,
            "rows": action_rows(actions, tenant_slug=tenant_slug),
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


@require_http_methods(["GET", "POST"])
def action_edit_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_action_for(request, table_slug, pk, update=True)
    action = found.action
    initial = {
        "title": action.title,
        "description": action.description,
        "owner_organization": str(action.owner_organization_id or ""),
        "owner": str(action.owner_id or ""),
        "due_date": action.due_date,
        "priority": action.priority,
    }
    form = ActionEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        **_owner_choices(request, found.table, found.access, current=action),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_edit(action=action, actor=request.user, **_without_guard(form.cleaned_data))
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "The action was saved.")
            return redirect(
                "tables:action", tenant_slug=tenant_slug, table_slug=found.table.slug, pk=action.pk
            )
    return render(
        request,
        "tables/actions/edit.html",
        {"tenant": found.table.tenant, "table": found.table, "action": action, "form": form},
        status=400 if form.errors else 200,
    )


def _without_guard(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if k != "not_personal"}


@require_http_methods(["GET", "POST"])
def action_from_decision(
    request: HttpRequest, tenant_slug: str, table_slug: str, pk: int, decision_pk: int
):
    """A decision becomes an action in one step that asks who owns it and by when."""
    found = get_decision_for(request, table_slug, pk, decision_pk, need=TableNeed.CHANGE)
    meeting_url = reverse("tables:meeting", args=[tenant_slug, found.table.slug, pk])
    if found.decision.action_id is not None:
        messages.info(request, "This decision is already an action.")
        return redirect(
            "tables:action",
            tenant_slug=tenant_slug,
            table_slug=found.table.slug,
            pk=found.decision.action_id,
        )
    form = DecisionActionForm(
        request.POST if request.method == "POST" else None,
        **_owner_choices(request, found.table, found.access),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = decision_to_action(
                decision=found.decision, actor=request.user, **_without_guard(form.cleaned_data)
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "The decision is now an action.")
            return redirect(
                "tables:action", tenant_slug=tenant_slug, table_slug=found.table.slug, pk=action.pk
            )
    return render(
        request,
        "tables/actions/from_decision.html",
        {
            "tenant": found.table.tenant,
            "table": found.table,
            "meeting": found.meeting,
            "decision": found.decision,
            "form": form,
            "meeting_url": meeting_url,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def my_work(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """My and my organizations' open actions, across the tables I may see, overdue first."""
    tenant = get_tenant_for(request)
    actions = my_open_actions(user=request.user, membership=request.membership)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    actions = action_lines(action_line_values(page.object_list))
    return render(
        request,
        "tables/actions/my_work.html",
        {
            "tenant": tenant,
            "page": page,
            "actions": actions,
            "rows": action_rows(actions, tenant_slug=tenant_slug, show_table=True),
        },
    )
