from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Email is the login; what they may see comes from their memberships."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def validate_tenant_slug(value: str) -> None:
    if value.lower() in settings.RESERVED_TENANT_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for the portal itself; choose another address."),
            code="reserved",
            params={"slug": value},
        )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(tz)s” is not a known time zone."), params={"tz": value})


class MfaPolicy(models.TextChoices):
    NONE = "none", _("Optional for everyone")
    ADMINS = "admins", _("Required for administrators")
    EVERYONE = "everyone", _("Required for everyone")


class Tenant(models.Model):
    """One CSWB plan host: a region or a municipality. Nothing crosses between tenants."""

    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[validate_tenant_slug],
        help_text=_("The first part of every address of this plan, e.g. /halton/."),
    )
    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, default="America/Toronto", validators=[validate_time_zone]
    )
    mfa_policy = models.CharField(
        _("two-factor authentication"),
        max_length=10,
        choices=MfaPolicy.choices,
        default=MfaPolicy.NONE,
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(slug=""), name="tenant_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class TenantRole(models.TextChoices):
    """Tenant-wide roles. Table and organization roles live on their own memberships."""

    ADMIN = "admin", _("Administrator")
    LEADERSHIP = "leadership", _("Leadership")
    MEMBER = "member", _("Member")


class TenantMembership(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenant_memberships"
    )
    role = models.CharField(max_length=20, choices=TenantRole.choices, default=TenantRole.MEMBER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(role__in=TenantRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == TenantRole.ADMIN

    @property
    def can_read_everything(self) -> bool:
        return self.role in (TenantRole.ADMIN, TenantRole.LEADERSHIP)


class PeriodQuerySet(models.QuerySet):
    def current(self) -> PeriodQuerySet:
        """Those not ended: the person or organization is there today."""
        return self.filter(left_on__isnull=True)


def PeriodManager() -> models.Manager:
    """The tenant-scoped manager of a membership period, with `.current()`."""
    return ScopedManager(
        tenant="tenant", _manager_class=models.Manager.from_queryset(PeriodQuerySet)
    )


class MembershipPeriod(models.Model):
    """Someone's time in something (a person in an organization, an organization at a table, a
    person in a seat): ending it sets `left_on` and keeps the history."""

    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)

    objects = PeriodManager()

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class ActivityQuerySet(models.QuerySet["ActivityEvent"]):
    """The activity log is append-only: no bulk update or delete through the ORM."""

    def update(self, **kwargs: object) -> int:
        raise TypeError("ActivityEvent is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("ActivityEvent is append-only.")


class ActivityEvent(models.Model):
    """One thing that happened in a tenant: the audit trail, the timelines and the digests'
    source at once. Written by services, in the same transaction as the change."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # People with history are deactivated, never deleted: the audit trail keeps its actors.
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(max_length=64)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    # The table the event belongs to, for its timeline and the digests (tables are never
    # deleted, only sunset).
    table = models.ForeignKey(
        "tables.ActionTable", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=500)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedManager(tenant="tenant", _manager_class=ActivityQuerySet.as_manager().__class__)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-at"], name="activity_tenant_at"),
            models.Index(fields=["target_type", "target_id"], name="activity_target"),
            models.Index(fields=["table", "-at"], name="activity_table_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}: {self.summary}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Append-only is the model's contract, not business logic: refuse any rewrite.
        if not self._state.adding:
            raise TypeError("ActivityEvent is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("ActivityEvent is append-only.")
