"""Progress digests: each tenant's schedule, each recipient's frequency, and the delivery
ledger that makes sending exactly-once."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    OFF = "off", _("Off")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DigestSchedule(models.Model):
    """When the tenant's digests go out, in its own time zone. Absent means the defaults:
    Monday at 8 a.m."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(
        default=8, validators=[MaxValueValidator(23)], help_text=_("0 to 23, local time.")
    )
    is_enabled = models.BooleanField(
        default=True, help_text=_("Off stops every scheduled digest of this plan.")
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="digest_hour_valid"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="digest_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.get_weekday_display()} at {self.hour:02d}:00"


class DigestPreference(models.Model):
    """One recipient's frequency in one tenant. `recipient` is the recipient's key:
    "user:<id>" for a member, "contact:<hash of the address>" for a digest contact."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    recipient = models.CharField(max_length=80)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "recipient"], name="digest_pref_one"),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values), name="digest_pref_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.frequency}"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    COMMAND = "command", _("By hand")


class DigestRun(models.Model):
    """One tenant's digest round for one week: planned once, resumed as often as needed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=10, help_text=_("ISO week in the tenant's time zone."))
    as_of = models.DateTimeField(help_text=_("Content up to this moment."))
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices)
    started_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "week"], name="digest_run_one_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.slug} {self.week}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    EMPTY = "empty", _("Skipped: nothing to report")
    FAILED = "failed", _("Failed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


DELIVERY_DONE = frozenset(
    {DeliveryStatus.SENT, DeliveryStatus.EMPTY, DeliveryStatus.FAILED, DeliveryStatus.UNSUBSCRIBED}
)


class DigestDelivery(models.Model):
    """The ledger: one row per (tenant, recipient, period), created before anything is sent,
    claimed by one worker at a time, and marked once the mail server has the message."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(DigestRun, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(max_length=80)
    period = models.CharField(
        max_length=10, help_text=_("2026-W48 for a weekly digest, 2026-11 for a monthly one.")
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by the one worker that claimed the row; marking it sent requires the same claim.
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    table_count = models.PositiveSmallIntegerField(default=0)
    item_count = models.PositiveIntegerField(default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "recipient", "period"], name="digest_delivery_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="digest_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "status"], name="digest_delivery_run_status"),
            models.Index(
                fields=["tenant", "recipient", "-window_end"], name="digest_delivery_last"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.period}: {self.status}"

    @property
    def message_id(self) -> str:
        """The same on every attempt, so a mail system can recognise a repeat."""
        return f"<digest-{self.pk}.{self.period}@{self.tenant_id}.cswb-portal>"
