from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.access import get_tenant_for
from cswb.sections import panels_for
from cswb.ui import CountedPaginator, date_texts, error_text, html_row, url_maker
from partners.models import Sector
from tables.access import TableNeed, get_table_for
from tables.forms.tables import (
    StatusForm,
    StatusReasonForm,
    TableFilterForm,
    TableForm,
)
from tables.models import (
    Action,
    FocusArea,
    ParticipationRole,
    SeatRole,
    TableOrganization,
    TableSeat,
    TableStatus,
    Visibility,
    Zone,
)
from tables.selectors.table_read import table_read
from tables.selectors.tables import (
    focus_area_names,
    table_cards,
    table_page,
    tables_list,
    tenant_representation,
)
from tables.selectors.workspace import TIMELINE_EVENTS_READ, table_workspace
from tables.services.tables import (
    STATUS_TRANSITIONS,
    table_change_status,
    table_status_check,
    table_update,
)

PAGE_SIZE = 25


# One card of the table list, made with html_row (every value escaped) rather than by
# template tags per card: the same markup as the template's loop gave.
_CARD = """    <li class="card">
      <h2 class="card__title"><a href="{url}">{name}</a></h2>
      <p class="meta">
        <span class="badge badge--{status}">{status_label}</span>
        <span>{zone_label}</span>
        {members_only}
        {mine}
      </p>
      {focus}
      <p class="muted">{counts}</p>
    </li>
"""


def _cards(tables: list, *, focus_areas: list[FocusArea], tenant_slug: str) -> list:
    """Each card of the list (rows of `table_cards`) as HTML, made once per page rather than
    by template tags per card: one reverse() for all the addresses, each count's words
    translated here."""
    url = url_maker("tables:detail", "table_slug", tenant_slug=tenant_slug)
    areas = focus_area_names(tables, focus_areas)
    # Each label translated once per page, not once per card.
    statuses = {value: str(label) for value, label in TableStatus.choices}
    zones = {value: str(label) for value, label in Zone.choices}
    members_only = html_row(
        '<span class="badge badge--private">{label}</span>', label=gettext("Members only")
    )
    mine = html_row('<span class="badge badge--mine">{label}</span>', label=gettext("My table"))
    cards = []
    for table in tables:
        focus_text = " · ".join(areas[table.pk])
        counts = [
            ngettext(
                "%(counter)s organization",
                "%(counter)s organizations",
                table.organization_count,
            )
            % {"counter": table.organization_count},
            ngettext("%(counter)s seat", "%(counter)s seats", table.seat_count)
            % {"counter": table.seat_count},
        ]
        cards.append(
            html_row(
                _CARD,
                url=url(table_slug=table.slug),
                name=table.name,
                status=table.status,
                status_label=statuses.get(table.status, table.status),
                zone_label=zones.get(table.zone, table.zone),
                members_only=members_only if table.visibility == Visibility.MEMBERS else "",
                mine=mine if table.is_mine else "",
                focus=html_row('<p class="muted">{text}</p>', text=focus_text)
                if focus_text
                else "",
                counts=", ".join(counts),
            )
        )
    return cards


@require_GET
def table_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    focus_areas = list(FocusArea.objects.all())
    form = TableFilterForm(request.GET or None, focus_areas=focus_areas)
    filters = form.cleaned_data if form.is_valid() else {}
    tables = tables_list(
        user=request.user,
        membership=request.membership,
        focus_area=filters.get("focus_area", ""),
        zone=filters.get("zone", ""),
        status=filters.get("status", ""),
        mine=filters.get("mine", False),
        search=filters.get("q", ""),
    )
    page = CountedPaginator(
        table_cards(tables, user=request.user), PAGE_SIZE, count=tables.count()
    ).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v not in ("", False, None)})
    tables = list(page.object_list)
    context = {
        "tenant": tenant,
        "form": form,
        "page": page,
        "tables": tables,
        "cards": _cards(tables, focus_areas=focus_areas, tenant_slug=tenant_slug),
        "page_query": query,
        "filtered": bool(query),
    }
    template = "tables/tables/list.html#results" if request.htmx else "tables/tables/list.html"
    return render(request, template, context)


# The table page's open actions and members, made with html_row (every value escaped) rather
# than by template tags per item: those tags were a large part of the page's time. The markup
# is the one the template had (templates/tables/tables/detail.html includes the items).
_OPEN_ACTION = """      <li><a href="{url}">{title}</a>
        {overdue}
        <br><span class="muted">{owner}
        · {due}</span></li>
"""
_PARTICIPATION = """    <li>
      <strong><a href="{url}">{name}</a></strong>
      <span class="badge">{role}</span>
      <span class="muted">{sector}</span>
      {seats}
    </li>
"""


def _open_action_items(
    actions: list[Action], *, tenant_slug: str, table_slug: str
) -> list[SafeString]:
    url = url_maker("tables:action", "table_slug", "pk", tenant_slug=tenant_slug)
    day, iso = date_texts("M j, Y"), date_texts("Y-m-d")
    overdue = html_row(
        '<span class="badge badge--overdue">{label}</span>', label=gettext("Overdue")
    )
    items = []
    for action in actions:
        org, owner = action.owner_organization, action.owner
        if org:
            owner_text = f"{org.name} ({owner.display_name})" if owner else org.name
        else:
            owner_text = owner.display_name if owner else gettext("No owner yet")
        due = (
            html_row(
                '<time datetime="{iso}">{text}</time>',
                iso=iso(action.due_date),
                text=gettext("due %(due)s") % {"due": day(action.due_date)},
            )
            if action.due_date
            else gettext("no due date")
        )
        items.append(
            html_row(
                _OPEN_ACTION,
                url=url(table_slug=table_slug, pk=action.pk),
                title=action.title,
                overdue=overdue if action.is_overdue else "",
                owner=owner_text,
                due=due,
            )
        )
    return items


def _member_items(
    participations: list[tuple[TableOrganization, list[TableSeat]]],
    independent_seats: list[TableSeat],
    *,
    with_people: bool,
    tenant_slug: str,
) -> list[SafeString]:
    """The organizations taking part (with their people, for those who may see the table's
    people) and the people sitting for themselves or for an organization not at the table."""
    url = url_maker("partners:organization", "org_slug", tenant_slug=tenant_slug)
    roles, seat_roles = dict(ParticipationRole.choices), dict(SeatRole.choices)
    sectors = dict(Sector.choices)
    items = []
    for participation, seats in participations:
        org = participation.organization
        people = ""
        if with_people and seats:
            people = html_row(
                "<ul>{items}</ul>",
                items=SafeString(
                    "".join(
                        html_row(
                            "<li>{name} — {role}</li>",
                            name=seat.user.display_name,
                            role=seat_roles.get(seat.role, seat.role),
                        )
                        for seat in seats
                    )
                ),
            )
        items.append(
            html_row(
                _PARTICIPATION,
                url=url(org_slug=org.slug),
                name=org.name,
                role=roles.get(participation.role, participation.role),
                sector=sectors.get(org.sector, org.sector),
                seats=people,
            )
        )
    if with_people:
        for seat in independent_seats:
            items.append(
                html_row(
                    "    <li>{name} — {role}{organization}</li>\n",
                    name=seat.user.display_name,
                    role=seat_roles.get(seat.role, seat.role),
                    organization=html_row(
                        ' <span class="muted">({name})</span>', name=seat.organization.name
                    )
                    if seat.organization
                    else "",
                )
            )
    return items


@require_GET
def table_detail(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    access = get_table_for(request, table_slug, need=TableNeed.SUMMARY)
    table = access.table
    # The table's own rows in one read (one statement on PostgreSQL), for both parts below.
    read = table_read(table, workspace=True, events=TIMELINE_EVENTS_READ if access.can_view else 0)
    page = table_page(table=table, with_timeline=False, read=read)
    context = {
        "tenant": table.tenant,
        "table": table,
        "access": access,
        **page,
        # Open and overdue actions, the next meeting, the measures, the grouped timeline.
        **table_workspace(table=table, with_timeline=access.can_view, read=read),
        # Blocks drawn by higher apps: the table's population indicators, its goals.
        "panels": panels_for(
            "table-page",
            table=table,
            access=access,
            user=request.user,
            membership=request.membership,
            seats=page["seats"],
            participations=[participation for participation, _ in page["participations"]],
        ),
    }
    context["open_action_items"] = _open_action_items(
        context["open_actions"], tenant_slug=tenant_slug, table_slug=table.slug
    )
    context["member_items"] = _member_items(
        page["participations"],
        page["independent_seats"],
        with_people=access.can_view,
        tenant_slug=tenant_slug,
    )
    if access.can_change:
        context["status_choices"] = [
            (value, label)
            for value, label in StatusForm.base_fields["status"].choices
            if value in STATUS_TRANSITIONS[table.status]
        ]
    return render(request, "tables/tables/detail.html", context)


@require_http_methods(["GET", "POST"])
def table_edit(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    table = get_table_for(request, table_slug, need=TableNeed.CHANGE).table
    form = TableForm(request.POST if request.method == "POST" else None, instance=table)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        focus_areas = data.pop("focus_areas")
        table.refresh_from_db()  # the form mutated the instance; the service compares
        try:
            table_update(table=table, actor=request.user, focus_areas=focus_areas, **data)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, "The table's details were saved.")
            return redirect("tables:detail", tenant_slug=tenant_slug, table_slug=table.slug)
    return render(
        request,
        "tables/tables/edit.html",
        {"tenant": table.tenant, "table": table, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def table_status(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    """The status chosen on the table page is confirmed, with a reason, on a page of its own
    (`step=confirm`) before it changes."""
    table = get_table_for(request, table_slug, need=TableNeed.CHANGE).table
    back = redirect("tables:detail", tenant_slug=tenant_slug, table_slug=table.slug)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed statuses.")
        return back
    status = form.cleaned_data["status"]
    try:
        table_status_check(table=table, status=status)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return back
    reason_form = StatusReasonForm(request.POST if request.POST.get("step") == "confirm" else None)
    if reason_form.is_valid():
        try:
            table_change_status(
                table=table,
                status=status,
                actor=request.user,
                reason=reason_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            reason_form.add_error(None, error_text(error))
        else:
            messages.success(request, f"{table.name} is now {table.get_status_display().lower()}.")
            return back
    return render(
        request,
        "tables/tables/status_confirm.html",
        {
            "tenant": table.tenant,
            "table": table,
            "status": status,
            "status_label": TableStatus(status).label,
            "form": reason_form,
        },
        status=400 if reason_form.errors else 200,
    )


@require_GET
def representation(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    if not request.membership.can_read_everything:
        raise PermissionDenied("Only the plan's administrators and leadership see this page.")
    overall, rows = tenant_representation()
    return render(
        request,
        "tables/tables/representation.html",
        {
            "tenant": tenant,
            "overall": overall,
            "rows": rows,
            "panels": panels_for(
                "representation", user=request.user, membership=request.membership
            ),
        },
    )
