"""Reads of meetings across tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from cswb.conditional import etag_of
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


# Calendar feeds carry the last year and everything ahead: calendar apps keep what they
# already have, and a feed does not grow with a table's history.
FEED_HISTORY_DAYS = 365


def feed_meetings(*, table_ids: Iterable[int]) -> list[Meeting]:
    """The meetings a calendar feed of these tables carries: from a year ago on."""
    since = timezone.now() - timedelta(days=FEED_HISTORY_DAYS)
    return list(
        Meeting.objects.filter(table_id__in=list(table_ids), starts_at__gte=since)
        .select_related("table", "tenant")
        .order_by("starts_at", "id")
    )


def feed_validators(meetings: list[Meeting], *, name: str) -> tuple[str, datetime | None]:
    """The feed's ETag and Last-Modified, from what decides its content: which meetings, each
    one's revision and table name, the calendar's name and the day (the window moves)."""
    etag = etag_of(
        [
            name,
            timezone.localdate(),
            *((m.pk, m.sequence, m.updated_at.isoformat(), m.table.name) for m in meetings),
        ]
    )
    return etag, max((m.updated_at for m in meetings), default=None)
