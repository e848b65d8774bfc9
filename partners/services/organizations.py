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


ORGANIZATION_FIELDS = ("name", "sector", "description", "website", "is_active")


@transaction.atomic
def organization_update(*, organization: Organization, actor: User, **fields: object) -> bool:
    """Correct an organization's name, sector, description or website, or mark it inactive
    (it stays at its tables and keeps its history; it is no longer offered for new ones).
    Its address stays the same. Returns whether anything changed."""
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"]).split())
        if (
            Organization.objects.filter(name__iexact=fields["name"])
            .exclude(pk=organization.pk)
            .exists()
        ):
            raise ValidationError(
                {"name": f"“{fields['name']}” is already an organization of this plan."}
            )
    if "sector" in fields and fields["sector"] not in Sector.values:
        raise ValidationError({"sector": f"Unknown sector {fields['sector']!r}."})
    changes = {
        key: [getattr(organization, key), value]
        for key, value in fields.items()
        if getattr(organization, key) != value
    }
    if not changes:
        return False
    old_name = organization.name
    for key, (_old, value) in changes.items():
        setattr(organization, key, value)
    organization.full_clean(exclude=["group", "tenant"])
    organization.save(update_fields=list(changes))
    said = []
    if "name" in changes:
        said.append(f"renamed {organization.name}")
    if "is_active" in changes:
        said.append("marked active" if organization.is_active else "marked inactive")
    rest = [k for k in changes if k not in ("name", "is_active")]
    if rest:
        said.append(f"{', '.join(rest)} corrected")
    activity_record(
        tenant=organization.tenant,
        actor=actor,
        verb="organization.changed",
        summary=f"{old_name}: {'; '.join(said)}",
        target=organization,
        changes=changes,
    )
    return True


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
def contact_create(
    *,
    organization: Organization,
    name: str,
    email: str,
    actor: User,
    receives_digest: bool = True,
) -> Contact:
    if Contact.objects.filter(organization=organization, email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a contact of {organization}."})
    contact = Contact.objects.create(
        tenant=organization.tenant,
        organization=organization,
        name=name.strip(),
        email=email.strip().lower(),
        receives_digest=receives_digest,
    )
    activity_record(
        tenant=organization.tenant,
        actor=actor,
        verb="organization.contact_added",
        summary=(
            f"{contact.name} will receive {organization}'s digests"
            if receives_digest
            else f"{contact.name} was added as a contact of {organization} (no digests)"
        ),
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
