from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cswb.models import MembershipPeriod, Tenant


class FocusArea(models.Model):
    """A theme of the plan (youth mental health, food insecurity, …). Each tenant has its own."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="focus_areas")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A retired focus area is no longer offered for tables; tables filed under it keep it.
    retired_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="focus_area_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Zone(models.TextChoices):
    """The four zones of Ontario's CSWB planning framework."""

    SOCIAL_DEVELOPMENT = "social_development", _("Social development")
    PREVENTION = "prevention", _("Prevention")
    RISK_INTERVENTION = "risk_intervention", _("Risk intervention")
    INCIDENT_RESPONSE = "incident_response", _("Incident response")


class TableStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    SUNSET = "sunset", _("Sunset")


class Visibility(models.TextChoices):
    TENANT = "tenant", _("Everyone in the plan")
    MEMBERS = "members", _("Table members only")


class ActionTable(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="tables")
    zone = models.CharField(max_length=30, choices=Zone.choices, default=Zone.PREVENTION)
    status = models.CharField(
        max_length=10, choices=TableStatus.choices, default=TableStatus.FORMING
    )
    purpose = models.TextField(blank=True)
    terms_of_reference = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.TENANT
    )
    start_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["name"]
        permissions = [("log_progress", "Log actions, updates and observations")]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="table_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=TableStatus.values), name="table_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="table_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_members_only(self) -> bool:
        return self.visibility == Visibility.MEMBERS


# django-guardian grants on tables, with a real foreign key (not the generic tables), so that
# they are fast to join and vanish with their table.
class ActionTableUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ActionTable, on_delete=models.CASCADE)


class ActionTableGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ActionTable, on_delete=models.CASCADE)


class ParticipationRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")
    ADVISORY = "advisory", _("Advisory")


class TableOrganization(MembershipPeriod):
    """An organization's participation in a table. Leaving ends it; history is kept."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(ActionTable, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(
        max_length=10, choices=ParticipationRole.choices, default=ParticipationRole.MEMBER
    )

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "organization"],
                condition=models.Q(left_on__isnull=True),
                name="table_org_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} at {self.table}"


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")
    LIVED_EXPERIENCE_ADVISOR = "lived_experience_advisor", _("Lived-experience advisor")


# Seat roles that run the table: they edit it, its seats and meetings.
RUNNING_ROLES = frozenset({SeatRole.CHAIR, SeatRole.COORDINATOR})


class TableSeat(MembershipPeriod):
    """A person's seat at a table. Ending it keeps the history."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(ActionTable, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="table_seats"
    )
    role = models.CharField(max_length=30, choices=SeatRole.choices, default=SeatRole.MEMBER)
    organization = models.ForeignKey(
        "partners.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "user"],
                condition=models.Q(left_on__isnull=True),
                name="table_seat_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.table} ({self.role})"
