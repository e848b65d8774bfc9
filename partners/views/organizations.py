"""Organization pages under /<tenant>/partners/."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cswb.access import TenantNeed, get_tenant_for
from cswb.conditional import csv_answer
from cswb.csvsafe import csv_write
from cswb.sections import sections_for
from cswb.selectors import activity_last_at, member_by_email
from cswb.ui import confirm_then, error_text
from partners.access import (
    OrganizationNeed,
    get_contact_for,
    get_organization_for,
    get_staff_for,
)
from partners.forms.organizations import (
    ContactForm,
    OrganizationEditForm,
    OrganizationFilterForm,
    StaffForm,
)
from partners.models import Organization
from partners.selectors.organizations import organization_page, organizations_list
from partners.services.organizations import (
    ORGANIZATION_FIELDS,
    contact_create,
    contact_delete,
    organization_staff_add,
    organization_staff_end,
    organization_update,
)

PAGE_SIZE = 30


@require_GET
def organization_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    form = OrganizationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organizations = organizations_list(
        search=filters.get("q", ""), sector=filters.get("sector", "")
    )
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/organizations/list.html",
        {
            "tenant": tenant,
            "form": form,
            "page": page,
            "organizations": list(page.object_list),
            "page_query": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@require_GET
def organization_export(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    rows = [("name", "sector", "website", "description", "active", "tables")]
    rows += [
        (
            o.name,
            o.get_sector_display(),
            o.website,
            o.description,
            "yes" if o.is_active else "no",
            o.table_count,
        )
        for o in organizations_list()
    ]
    return csv_answer(
        request,
        csv_write(rows),
        filename=f"{tenant.slug}-organizations.csv",
        last_modified=activity_last_at(),
    )


@require_GET
def organization_detail(request: HttpRequest, tenant_slug: str, org_slug: str) -> HttpResponse:
    found = get_organization_for(request, org_slug)
    organization, can_manage = found.organization, found.can_manage
    return render(
        request,
        "partners/organizations/detail.html",
        {
            "tenant": organization.tenant,
            "organization": organization,
            "can_manage": can_manage,
            "staff_form": StaffForm(auto_id="staff-%s"),  # two forms on one page: distinct ids
            "contact_form": ContactForm(auto_id="contact-%s"),
            **organization_page(organization=organization),
            # The tables it sits at, as far as the viewer may see them: from the tables app.
            **sections_for(
                "organization",
                organization=organization,
                user=request.user,
                membership=request.membership,
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, tenant_slug: str, org_slug: str) -> HttpResponse:
    found = get_organization_for(request, org_slug, need=OrganizationNeed.MANAGE)
    organization = found.organization
    form = OrganizationEditForm(
        request.POST if request.method == "POST" else None,
        initial={key: getattr(organization, key) for key in ORGANIZATION_FIELDS},
    )
    if not request.membership.is_admin:
        # An organization's own administrators keep its record true; only the plan's
        # administrators mark it inactive.
        del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        try:
            changed = organization_update(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        else:
            if changed:
                messages.success(request, f"{organization.name} was saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect(_back_url(organization))
    return render(
        request,
        "partners/organizations/edit.html",
        {"tenant": organization.tenant, "organization": organization, "form": form},
        status=400 if form.errors else 200,
    )


def _back_url(organization: Organization) -> str:
    return reverse("partners:organization", args=[organization.tenant.slug, organization.slug])


def _back(organization: Organization) -> HttpResponse:
    return redirect(
        "partners:organization", tenant_slug=organization.tenant.slug, org_slug=organization.slug
    )


@require_POST
def staff_add(request: HttpRequest, tenant_slug: str, org_slug: str) -> HttpResponse:
    organization = get_organization_for(
        request, org_slug, need=OrganizationNeed.MANAGE
    ).organization
    form = StaffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a valid email address and role.")
        return _back(organization)
    # Only this plan's members are looked up: an address of another plan's account gets the
    # same answer as an unknown one, and nobody is named.
    member = member_by_email(form.cleaned_data["email"])
    user = member.user if member else None
    try:
        if user is None:
            raise ValidationError("No member of this plan has this address; invite them first.")
        organization_staff_add(
            organization=organization,
            user=user,
            role=form.cleaned_data["role"],
            title=form.cleaned_data["title"],
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"{user.display_name} is on {organization}'s staff list.")
    return _back(organization)


@require_http_methods(["GET", "POST"])
def staff_end(request: HttpRequest, tenant_slug: str, org_slug: str, pk: int) -> HttpResponse:
    found = get_staff_for(request, org_slug, pk)
    organization, membership = found.organization, found.membership
    name = membership.user.display_name
    return confirm_then(
        request,
        perform=lambda: organization_staff_end(membership=membership, actor=request.user),
        done=f"{name} left {organization}.",
        back=_back_url(organization),
        question=f"Remove {name} from {organization}'s staff?",
        consequence="They lose the access the organization's tables give its staff.",
    )


@require_POST
def contact_add(request: HttpRequest, tenant_slug: str, org_slug: str) -> HttpResponse:
    organization = get_organization_for(
        request, org_slug, need=OrganizationNeed.MANAGE
    ).organization
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a name and a valid email address.")
        return _back(organization)
    try:
        contact_create(
            organization=organization,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"{form.cleaned_data['name']} will receive the digests.")
    return _back(organization)


@require_http_methods(["GET", "POST"])
def contact_delete_view(
    request: HttpRequest, tenant_slug: str, org_slug: str, pk: int
) -> HttpResponse:
    found = get_contact_for(request, org_slug, pk)
    organization, contact = found.organization, found.contact
    return confirm_then(
        request,
        perform=lambda: contact_delete(contact=contact, actor=request.user),
        done=f"{contact.name} no longer receives the digests.",
        back=_back_url(organization),
        question=f"Stop sending digests to {contact.name}?",
        consequence=f"{contact.email} is removed from {organization}'s digest contacts.",
    )
