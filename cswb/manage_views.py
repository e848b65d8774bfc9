"""Tenant administration under /<tenant>/manage/: members and security."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cswb.access import TenantNeed, get_tenant_for
from cswb.forms import MfaPolicyForm, RoleForm
from cswb.models import TenantMembership, TenantRole
from cswb.selectors import members_list, security_events
from cswb.services import membership_change_role, membership_deactivate, tenant_set_mfa_policy
from cswb.ui import error_text

PAGE_SIZE = 50


def _get_membership_for(request: HttpRequest, pk: int) -> TenantMembership:
    get_tenant_for(request, need=TenantNeed.MANAGE)
    membership = TenantMembership.objects.select_related("user", "tenant").filter(pk=pk).first()
    if membership is None or not membership.is_active:
        raise Http404("No such member.")
    return membership


@require_http_methods(["GET"])
def members(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    page = Paginator(members_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cswb/manage/members.html",
        {
            "tenant": tenant,
            "page": page,
            "members": list(page.object_list),
            "roles": TenantRole.choices,
        },
    )


@require_POST
def member_role(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    membership = _get_membership_for(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
    else:
        try:
            membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                f"{membership.user.display_name} is now "
                f"{TenantRole(membership.role).label.lower()}.",
            )
    return redirect("manage:members", tenant_slug=tenant_slug)


@require_http_methods(["GET", "POST"])
def member_deactivate(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    membership = _get_membership_for(request, pk)
    if request.method == "POST":
        try:
            membership_deactivate(membership=membership, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, f"{membership.user.display_name} no longer has access to this plan."
            )
        return redirect("manage:members", tenant_slug=tenant_slug)
    return render(
        request,
        "cswb/manage/member_deactivate.html",
        {"tenant": membership.tenant, "membership": membership},
    )


@require_http_methods(["GET", "POST"])
def security(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = MfaPolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"mfa_policy": tenant.mfa_policy},
    )
    if request.method == "POST" and form.is_valid():
        tenant_set_mfa_policy(
            tenant=tenant, policy=form.cleaned_data["mfa_policy"], actor=request.user
        )
        messages.success(request, "The two-factor authentication policy was saved.")
        return redirect("manage:security", tenant_slug=tenant.slug)
    page = Paginator(security_events(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cswb/manage/security.html",
        {"tenant": tenant, "form": form, "page": page, "events": list(page.object_list)},
        status=400 if form.errors else 200,
    )
