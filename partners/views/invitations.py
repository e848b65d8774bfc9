from __future__ import annotations

from urllib.parse import urlencode

from allauth.core.ratelimit import consume_or_429
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scope

from cswb.access import TenantNeed, get_tenant_for
from cswb.models import TenantRole, User
from cswb.ui import error_text
from partners.access import get_invitation_for
from partners.forms.invitations import AcceptAsNewUserForm, InvitationFilterForm, InvitationForm
from partners.models import InvitationStatus
from partners.selectors.invitations import invitation_from_token, invitations_list
from partners.services.invitations import (
    invitation_accept,
    invitation_accept_as_new_user,
    invitation_create,
    invitation_matches_user,
    invitation_resend,
    invitation_revoke,
)

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = invitation_create(
                tenant=tenant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("partners:invitations", tenant_slug=tenant.slug)

    filters = InvitationFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else None
    page = Paginator(invitations_list(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/invitations/list.html",
        {
            "tenant": tenant,
            "form": form,
            "filters": filters,
            "page": page,
            "invitations": list(page.object_list),
            "status": status or "",
            "page_query": urlencode({"status": status}) if status else "",
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def invitation_resend_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    invitation = get_invitation_for(request, pk)
    try:
        invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"A new link was sent to {invitation.email}.")
    return redirect("partners:invitations", tenant_slug=tenant_slug)


@require_http_methods(["GET", "POST"])
def invitation_revoke_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    invitation = get_invitation_for(request, pk)
    if request.method == "POST":
        try:
            invitation_revoke(invitation=invitation, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, f"The invitation of {invitation.email} was revoked.")
        return redirect("partners:invitations", tenant_slug=tenant_slug)
    return render(
        request,
        "partners/invitations/revoke.html",
        {"tenant": invitation.tenant, "invitation": invitation},
    )


# The link in the invitation email. The invitee is not a member of the tenant yet, so this
# lives under /accounts/ and resolves the tenant from the invitation itself.

GONE = {
    InvitationStatus.ACCEPTED: (
        "This invitation has already been used",
        "Each invitation link works once. If you accepted it, sign in to reach the plan.",
    ),
    InvitationStatus.EXPIRED: (
        "This invitation has expired",
        "Invitation links work for a limited time. Ask the plan's administrator to send "
        "you a new one.",
    ),
    InvitationStatus.REVOKED: (
        "This invitation was withdrawn",
        "The plan's administrator withdrew this invitation. If you think this is a "
        "mistake, ask them for a new one.",
    ),
}


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    limited = consume_or_429(request, action="accept_invitation", limit_get=True)
    if limited:
        return limited
    invitation = invitation_from_token(token=token)
    if invitation is None:
        return render(
            request,
            "partners/accept/unusable.html",
            {
                "title": "This invitation link is not valid",
                "reason": "The link may be incomplete or mistyped, or replaced by a newer "
                "invitation. Open the most recent invitation email and use its link, or ask "
                "the plan's administrator for a new one.",
            },
            status=404,
        )
    status = invitation.status
    if status != InvitationStatus.PENDING:
        title, reason = GONE[status]
        return render(
            request,
            "partners/accept/unusable.html",
            {"title": title, "reason": reason, "invitation": invitation},
            status=410,
        )

    context = {
        "invitation": invitation,
        "invited_tenant": invitation.tenant,
        "role": TenantRole(invitation.role).label,
    }
    # This address is outside any plan, so no middleware entered a scope: the invitation
    # names its plan, and the rest of the request runs in it.
    with scope(tenant=invitation.tenant):
        if request.user.is_authenticated:
            return _accept_signed_in(request, invitation, context)
        if User.objects.filter(email__iexact=invitation.email).exists():
            login_url = f"{reverse('account_login')}?next={request.path}"
            return render(
                request, "partners/accept/sign_in.html", {**context, "login_url": login_url}
            )
        return _accept_as_new_user(request, invitation, context)


def _accept_signed_in(request, invitation, context) -> HttpResponse:
    if not invitation_matches_user(invitation=invitation, user=request.user):
        return render(request, "partners/accept/wrong_user.html", context, status=403)
    if request.method == "POST":
        try:
            invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("invitation-accept", token=request.resolver_match.kwargs["token"])
        messages.success(request, f"Welcome to {invitation.tenant.name}.")
        return redirect("tenant-home", tenant_slug=invitation.tenant.slug)
    return render(request, "partners/accept/confirm.html", context)


def _accept_as_new_user(request, invitation, context) -> HttpResponse:
    form = AcceptAsNewUserForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept_as_new_user(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(request, f"Welcome to {invitation.tenant.name}.")
            return redirect("tenant-home", tenant_slug=invitation.tenant.slug)
    return render(
        request,
        "partners/accept/new_user.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )
