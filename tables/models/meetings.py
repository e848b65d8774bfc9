from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from cswb.models import Tenant
from tables.models.actions import Action
from tables.models.core import ActionTable


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(ActionTable, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # iCalendar SEQUENCE: raised on every change, so calendars replace their copy.
    sequence = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # How many of the table's organizations were recorded at this meeting, and how many of
    # them were present: kept by `meeting_record` in the same transaction as the attendance
    # rows (`meeting_attendance_recount` counts them again), so that the progress pages add
    # up a year of meetings per table instead of reading every organization's row.
    organizations_recorded = models.PositiveIntegerField(default=0)
    organizations_present = models.PositiveIntegerField(default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["table", "starts_at"], name="meeting_table_start"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
            # Held meetings by table and date, carrying their attendance figures: the
            # progress pages read a table's last meeting and its year of attendance from this
            # index alone (the tenant scope's filter included).
            models.Index(
                fields=["table", "starts_at"],
                include=["tenant", "organizations_recorded", "organizations_present"],
                name="meeting_held_attendance",
                condition=models.Q(status=MeetingStatus.HELD),
            ),
            # Scheduled meetings by table and start: a table's next meeting (the progress
            # pages', the table page's) is the first entry from now, not a walk past the
            # held and cancelled ones checking each row's status.
            models.Index(
                fields=["table", "starts_at"],
                include=["tenant"],
                name="meeting_scheduled_start",
                condition=models.Q(status=MeetingStatus.SCHEDULED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def uid(self) -> str:
        """Stable across edits: calendars match updates and cancellations to it."""
        return f"meeting-{self.pk}@{self.tenant.slug}.cswb-portal"


class AgendaItem(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    presenter = models.CharField(max_length=150, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes = models.TextField(blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField()
    action = models.OneToOneField(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    REGRETS = "regrets", _("Regrets")
    ABSENT = "absent", _("Absent")


class Rsvp(models.TextChoices):
    ATTENDING = "attending", _("Attending")
    REGRETS = "regrets", _("Sending regrets")


class Attendance(models.Model):
    """A person's answer before the meeting (RSVP) and what the coordinator recorded after."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, blank=True)
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class OrganizationAttendance(models.Model):
    """Whether a participating organization was represented at a held meeting, and by whom.
    Tables count their attendance by organization: a partner is at the table or not."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="organization_attendance"
    )
    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organization"], name="org_attendance_one_per_meeting"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="org_attendance_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} at {self.meeting}"


class Guest(models.Model):
    """Someone at a meeting without an account: a name and the organization they came from."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=150)
    organization = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


def _calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's calendar-feed addresses; a calendar app cannot sign in. It
    only ever reads meetings the person may see; resetting it kills every old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
