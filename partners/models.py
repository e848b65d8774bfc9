from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import MembershipPeriod, Tenant, TenantRole


class Sector(models.TextChoices):
    """The sectors Ontario's CSWB framework expects around the table. Shared reference data:
    the same for every tenant, changed only in code."""

    HEALTH = "health", _("Health and mental health")
    EDUCATION = "education", _("Education")
    SOCIAL_SERVICES = "social_services", _("Community and social services")
    CHILDREN_YOUTH = "children_youth", _("Children and youth services")
    POLICE = "police", _("Police and community safety")
    MUNICIPAL = "municipal", _("Municipal government")
    HOUSING = "housing", _("Housing")
    JUSTICE = "justice", _("Justice and corrections")
    INDIGENOUS = "indigenous", _("Indigenous organizations")
    EMERGENCY = "emergency", _("Emergency services")
    OTHER = "other", _("Other")


class Organization(models.Model):
    """A partner agency, service or department. Its staff share its tables' grants through
    its own auth group."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="organization"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="organization_name_unique"),
            models.UniqueConstraint(fields=["tenant", "slug"], name="organization_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(sector__in=Sector.values), name="organization_sector_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrgRole(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organization administrator")
    STAFF = "staff", _("Staff")


class OrganizationMembership(MembershipPeriod):
    """A person's affiliation with an organization. Ending it keeps the history."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    role = models.CharField(max_length=20, choices=OrgRole.choices, default=OrgRole.STAFF)
    title = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=models.Q(left_on__isnull=True),
                name="org_membership_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organization}"


class Contact(models.Model):
    """A named address an organization designates to receive progress digests, with or
    without an account."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField()
    receives_digest = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("email"), name="contact_email_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(models.Model):
    """An administrator's invitation of an email address into a plan, with a tenant role.

    The link's secret is never stored: only its SHA-256 digest, so a leaked database holds no
    working link. Expiry is derived from `expires_at`, never stored as a status.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=TenantRole.choices, default=TenantRole.MEMBER)
    # Optional: join an organization, and take a seat at a table, on acceptance.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    org_role = models.CharField(max_length=20, choices=OrgRole.choices, blank=True)
    table = models.ForeignKey(
        "tables.ActionTable", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    seat_role = models.CharField(max_length=30, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and plan: a second one would be a second link.
            models.UniqueConstraint(
                "tenant",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=TenantRole.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.tenant}"

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked: it can still be resent or revoked."""
        return self.accepted_at is None and self.revoked_at is None
