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
    # Emails when a meeting of one's tables is scheduled, moved or cancelled, and the reminder
    # the day before. Separate from the digest frequency: a digest "off" does not silence them.
    meeting_notices = models.BooleanField(default=True)
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


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organizations")
    INDICATORS = "indicators", _("Indicators")


class ImportState(models.TextChoices):
    """received → checking → checked (every row passes) or rejected (some row does not) →
    applying → applied; failed when the file could not be read at all; expired when a checked
    file was not confirmed within IMPORT_CONFIRM_DAYS (its file and staged rows are let go).
    Written down once, in `cswb.imports`."""

    RECEIVED = "received", _("Received")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Ready to import")
    REJECTED = "rejected", _("Rows rejected")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Could not be read")
    EXPIRED = "expired", _("Not confirmed in time")


class ImportRecord(models.Model):
    """One uploaded file and what became of it: who, when, which file (name and checksum), the
    counts, and the progress of the background run. Every import of every kind is recorded."""

    # No tenant: an import of the shared catalogue by site staff (management command).
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    # The format adapter that reads the file (e.g. "open_sdg", "tidy", "odprn_json").
    file_format = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text=_("SHA-256 of the file as uploaded."))
    size = models.PositiveBigIntegerField(default=0)
    # Where the uploaded bytes are kept until the import is applied (relative to MEDIA_ROOT).
    stored_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=ImportState.choices, default="received")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "kind", "-created_at"], name="import_tenant_kind")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ImportState.values), name="import_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 0 if self.state in ("received", "checking") else 100
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def is_running(self) -> bool:
        return self.state in (ImportState.RECEIVED, ImportState.CHECKING, ImportState.APPLYING)


class ImportRowAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    UNCHANGED = "unchanged", _("Unchanged")
    REJECT = "reject", _("Reject")


class ImportRow(models.Model):
    """One row of the preview: its line in the file, what it would do, and why (for a
    rejection). Every rejected row is kept; created and updated rows up to a listing limit."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=ImportRowAction.choices)
    summary = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["record", "line", "id"]
        indexes = [models.Index(fields=["record", "action", "line"], name="importrow_record")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.action}"
