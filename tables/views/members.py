"""A table's members page: organizations taking part, seats and invitations, managed in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.selectors import member_by_email
from cswb.ui import confirm_then, error_text
from partners.models import OrgRole
from tables.access import TableNeed, get_participation_for, get_seat_for, get_table_for
from tables.forms.tables import (
    AddOrganizationForm,
    AddSeatForm,
    InviteToTableForm,
)
from tables.selectors.tables import (
    organizations_at_table,
    organizations_for_choice,
    table_page,
)
from tables.services.seats import (
    table_invitation_create,
    table_organization_add,
    table_organization_end,
    table_seat_add,
    table_seat_end,
)


def _members_context(request, table, **forms) -> dict[str, object]:
    available = organizations_for_choice(exclude_table=table)
    data = table_page(table=table, with_timeline=False)
    at_table = sorted(
        (p.organization for p, _seats in data["participations"]), key=lambda o: o.name
    )
    return {
        "tenant": table.tenant,
        "table": table,
        **data,
        "org_form": forms.get("org_form")
        or AddOrganizationForm(organizations=available, prefix="org"),
        "seat_form": forms.get("seat_form") or AddSeatForm(organizations=at_table, prefix="seat"),
        "invite_form": forms.get("invite_form")
        or InviteToTableForm(
            organizations=at_table,
            may_make_org_admins=request.membership.is_admin,
            prefix="invite",
        ),
    }


def _members_response(request, table, status: int = 200, **forms) -> HttpResponse:
    context = _members_context(request, table, **forms)
    template = (
        "tables/members/members.html#members" if request.htmx else "tables/members/members.html"
    )
    return render(request, template, context, status=status)


@require_GET
def table_members(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    table = get_table_for(request, table_slug, need=TableNeed.CHANGE).table
    return _members_response(request, table)


@require_POST
def organization_add(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    table = get_table_for(request, table_slug, need=TableNeed.CHANGE).table
    form = AddOrganizationForm(
        request.POST, organizations=organizations_for_choice(exclude_table=table), prefix="org"
    )
    if form.is_valid():
        try:
            table_organization_add(
                table=table,
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, f"{form.cleaned_data['organization']} now sits at the table.")
            if not request.htmx:
                return redirect("tables:members", tenant_slug=tenant_slug, table_slug=table.slug)
            return _members_response(request, table)
    return _members_response(request, table, status=400, org_form=form)


@require_POST
def seat_add(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    table = get_table_for(request, table_slug, need=TableNeed.CHANGE).table
    organizations = organizations_at_table(table=table)
    form = AddSeatForm(request.POST, organizations=organizations, prefix="seat")
    if form.is_valid():
        member = member_by_email(form.cleaned_data["email"])
        user = member.user if member else None
        organization = next(
            (o for o in organizations if str(o.pk) == form.cleaned_data["organization"]), None
        )
        if user is None:
            form.add_error("email", "No member of this plan has this address. Invite them below.")
        else:
            try:
                table_seat_add(
                    table=table,
                    user=user,
                    role=form.cleaned_data["role"],
                    organization=organization,
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, f"{user.display_name} has a seat at the table.")
                if not request.htmx:
                    return redirect(
                        "tables:members", tenant_slug=tenant_slug, table_slug=table.slug
                    )
                return _members_response(request, table)
    return _members_response(request, table, status=400, seat_form=form)


@require_POST
def table_invite(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    access = get_table_for(request, table_slug, need=TableNeed.CHANGE)
    table = access.table
    organizations = organizations_at_table(table=table)
    form = InviteToTableForm(
        request.POST,
        organizations=organizations,
        may_make_org_admins=access.is_admin,
        prefix="invite",
    )
    if form.is_valid():
        organization = next(
            (o for o in organizations if str(o.pk) == form.cleaned_data["organization"]), None
        )
        try:
            table_invitation_create(
                table=table,
                email=form.cleaned_data["email"],
                invited_by=request.user,
                organization=organization,
                org_role=form.cleaned_data["org_role"] or OrgRole.STAFF,
                seat_role=form.cleaned_data["seat_role"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            if not request.htmx:
                return redirect("tables:members", tenant_slug=tenant_slug, table_slug=table.slug)
            return _members_response(request, table)
    return _members_response(request, table, status=400, invite_form=form)


def _members_url(table) -> str:
    return reverse("tables:members", args=[table.tenant.slug, table.slug])


@require_http_methods(["GET", "POST"])
def organization_end(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_participation_for(request, table_slug, pk)
    table, participation = found.table, found.participation
    name = participation.organization.name
    return confirm_then(
        request,
        perform=lambda: table_organization_end(participation=participation, actor=request.user),
        done=f"{name} no longer sits at the table.",
        back=_members_url(table),
        question=f"Remove {name} from {table.name}?",
        consequence="Its staff lose the table's access, unless they hold a seat of their own.",
        respond=(lambda: _members_response(request, table)) if request.htmx else None,
    )


@require_http_methods(["GET", "POST"])
def seat_end(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_seat_for(request, table_slug, pk)
    table, seat = found.table, found.seat
    name = seat.user.display_name
    return confirm_then(
        request,
        perform=lambda: table_seat_end(seat=seat, actor=request.user),
        done=f"{name} no longer sits at the table.",
        back=_members_url(table),
        question=f"Remove {name} from {table.name}?",
        consequence="Their seat ends today; the table keeps its history.",
        respond=(lambda: _members_response(request, table)) if request.htmx else None,
    )
