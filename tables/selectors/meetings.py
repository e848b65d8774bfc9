"""Reads of meetings across tables."""

from __future__ import annotations

from django.utils import timezone

from cswb.models import User
from tables.access import tables_granted
from tables.models import (
    ActionTable,
    Meeting,
    MeetingStatus,
)


def my_upcoming_meetings(*, user: User, limit: int = 5) -> list:
    """The next scheduled meetings of the tables the person sits at (in person or through an
    organization)."""

    return list(
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
            table__in=ActionTable.objects.filter(tables_granted(user)),
        )
        .select_related("table")
        .order_by("starts_at")[:limit]
    )
