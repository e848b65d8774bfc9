"""Services for organizations, their staff and digest contacts. An organization's staff are
the members of its auth group, through which they hold its tables' grants."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from cswb.models import Tenant, TenantMembership, User
from cswb.services import activity_record, period_end
from cswb.text import unique_slug
from partners.models import Contact, Organization, OrganizationMembership, OrgRole, Sector


@transaction.atomic
def organization_create(
    *,
    tenant: Tenant,
    name: str,
    sector: str,
    actor: User | None,
    description: str = "",
    website: str = "",
) -> Organization:
    name = " ".join(name.split())
    if sector not in Sector.values:
        raise ValidationError({"sector": f"Unknown sector {sector!r}."})
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"“{name}” is already an organization of this plan."})
    slug = unique_slug(Organization, name, max_length=74, fallback="organization")
    group = Group.objects.create(name=f"org:{tenant.pk}:{slug}")
    organization = Organization(
        tenant=tenant,
        name=name,
        slug=slug,
        sector=sector,
        description=description,
        website=website,
        group=group,
    )
    organization.full_clean()
    organization.save()
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="organization.created",
        summary=f"{name} was added ({Sector(sector).label})",
        target=organization,
    )
    return organization


@transaction.atomic
def organization_staff_add(
    *, organization: Organization, user: User, role: str, actor: User | None, title: str = ""
) -> OrganizationMembership:
    if role not in OrgRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if not TenantMembership.objects.filter(user=user, is_active=True).exists():
        raise ValidationError({"user": "No member of this plan has this address."})
    if (
        OrganizationMembership.objects.current()
        .filter(organization=organization, user=user)
        .exists()
    ):
        raise ValidationError({"user": f"{user.display_name} is already on the staff list."})
    membership = OrganizationMembership.objects.create(
        tenant=organization.tenant, organization=organization, user=user, role=role, title=title
    )
    user.groups.add(organization.group)
    activity_record(
        tenant=organization.tenant,
        actor=actor,
        verb="organization.staff_added",
        summary=f"{user.display_name} joined {organization} as {OrgRole(role).label.lower()}",
        target=membership,
    )
    return membership


@transaction.atomic
def organization_staff_end(*, membership: OrganizationMembership, actor: User) -> None:
    period_end(period=membership, already_ended="This person has already left the organization.")
    membership.user.groups.remove(membership.organization.group)
    activity_record(
        tenant=membership.tenant,
        actor=actor,
        verb="organization.staff_left",
        summary=f"{membership.user.display_name} left {membership.organization}",
        target=membership,
    )


@transaction.atomic
def contact_create(*, organization: Organization, name: str, email: str, actor: User) -> Contact:
    if Contact.objects.filter(organization=organization, email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a contact of {organization}."})
    contact = Contact.objects.create(
        tenant=organization.tenant,
        organization=organization,
        name=name.strip(),
        email=email.strip().lower(),
    )
    activity_record(
        tenant=organization.tenant,
        actor=actor,
        verb="organization.contact_added",
        summary=f"{contact.name} will receive {organization}'s digests",
        target=contact,
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User) -> None:
    activity_record(
        tenant=contact.tenant,
        actor=actor,
        verb="organization.contact_removed",
        summary=f"{contact.name} no longer receives {contact.organization}'s digests",
    )
    contact.delete()
