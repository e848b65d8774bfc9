from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cswb.access import TenantNeed, get_tenant_for
from partners.models import Contact, Invitation, Organization, OrganizationMembership, OrgRole


def get_invitation_for(request: HttpRequest, pk: int) -> Invitation:
    """An invitation of the current tenant, for someone who may manage invitations (403
    otherwise); 404 for one that is not the tenant's."""
    get_tenant_for(request, need=TenantNeed.MANAGE)
    invitation = Invitation.objects.select_related("tenant").filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


class OrganizationNeed(StrEnum):
    VIEW = "view"
    MANAGE = "manage"  # its staff list and digest contacts


@dataclass(frozen=True)
class OrganizationAccess:
    organization: Organization
    can_manage: bool  # its staff list and digest contacts


def get_organization_for(
    request: HttpRequest, slug: str, *, need: OrganizationNeed = OrganizationNeed.VIEW
) -> OrganizationAccess:
    """The organization and whether the person may manage it (a tenant admin, or one of its
    organization administrators). 404 for another tenant's, 403 for managing without right."""
    get_tenant_for(request)
    organization = Organization.objects.select_related("group").filter(slug=slug).first()
    if organization is None:
        raise Http404("No such organization.")
    can_manage = (
        request.membership.is_admin
        or OrganizationMembership.objects.current()
        .filter(organization=organization, user=request.user, role=OrgRole.ORG_ADMIN)
        .exists()
    )
    if need is OrganizationNeed.MANAGE and not can_manage:
        raise PermissionDenied("Only this organization's administrators can do this.")
    return OrganizationAccess(organization=organization, can_manage=can_manage)


@dataclass(frozen=True)
class StaffAccess:
    membership: OrganizationMembership
    organization: Organization


def get_staff_for(request: HttpRequest, org_slug: str, pk: int) -> StaffAccess:
    """A current member of the staff of an organization the person manages."""
    organization = get_organization_for(
        request, org_slug, need=OrganizationNeed.MANAGE
    ).organization
    membership = (
        OrganizationMembership.objects.current()
        .select_related("user")
        .filter(organization=organization, pk=pk)
        .first()
    )
    if membership is None:
        raise Http404("No such staff member.")
    return StaffAccess(membership=membership, organization=organization)


@dataclass(frozen=True)
class ContactAccess:
    contact: Contact
    organization: Organization


def get_contact_for(request: HttpRequest, org_slug: str, pk: int) -> ContactAccess:
    """A digest contact of an organization the person manages."""
    organization = get_organization_for(
        request, org_slug, need=OrganizationNeed.MANAGE
    ).organization
    contact = Contact.objects.filter(organization=organization, pk=pk).first()
    if contact is None:
        raise Http404("No such contact.")
    return ContactAccess(contact=contact, organization=organization)
