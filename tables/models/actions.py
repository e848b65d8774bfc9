from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from tables.models.core import ActionTable


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    CANCELLED = "cancelled", _("Cancelled")


ACTION_OPEN_STATUSES = frozenset(
    {ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED}
)


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Action(models.Model):
    """Who does what by when, for a table. Overdue is derived from the due date and the
    status, never stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(ActionTable, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_organization = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    # The person who does it (a current member of the owner organization), or nobody in
    # particular; never simply whoever typed it in (that is `created_by`).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    due_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # A table's actions of one status in due order: a page of its done ones is read
            # from here a page at a time, however many it has finished over the years.
            models.Index(
                fields=["table", "status", "due_date", "id"], name="action_table_status_due"
            ),
            models.Index(fields=["owner_organization", "status"], name="action_org_status"),
            models.Index(fields=["owner", "status"], name="action_owner_status"),
            # Open actions only, by due date: the progress pages count each table's overdue
            # ones from this alone, however long the table's history of finished actions.
            models.Index(
                fields=["table", "due_date"],
                include=["tenant"],  # the tenant scope's filter too: an index-only count
                name="action_open_due",
                condition=models.Q(status__in=sorted(s.value for s in ACTION_OPEN_STATUSES)),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())


class ActionTally(models.Model):
    """How many of a table's actions are in each status, kept by the action services
    (tables.services.actions) in the same transaction as the change, so that the progress
    pages read a row per table instead of counting every action the table ever had. Not a
    cache: it never goes stale, and `action_tallies_rebuild` recounts it from the actions."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.OneToOneField(
        ActionTable, on_delete=models.CASCADE, primary_key=True, related_name="action_tally"
    )
    planned = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    # Open actions due before `overdue_before`, kept by the same services. "Overdue" moves
    # with the calendar, so the count is kept up to a date: an hourly job moves that date to
    # today (tables.roll_overdue), and the pages add the open actions due from it to today
    # (usually none) from the action_open_due index. Before a first roll (NULL) they count
    # them all. Right whether or not the job ran; only faster when it did.
    overdue_before = models.DateField(null=True, blank=True)
    overdue = models.PositiveIntegerField(default=0)

    objects = ScopedManager(tenant="tenant")

    def __str__(self) -> str:
        return f"Action counts of {self.table_id}"


class ActionUpdate(models.Model):
    """One entry of an action's timeline: a note, a status change, or both."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    status_from = models.CharField(max_length=12, choices=ActionStatus.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=ActionStatus.choices, blank=True)
    # A moved due date: kept in the timeline with its reason (the text).
    due_changed = models.BooleanField(default=False)
    due_from = models.DateField(null=True, blank=True)
    due_to = models.DateField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="action_update_at")]

    def __str__(self) -> str:
        return f"Update of {self.action} at {self.at:%Y-%m-%d}"
