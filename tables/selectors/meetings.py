"""Reads of meetings across tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils import timezone

from cswb.conditional import etag_of
from cswb.models import TenantMembership, User
from partners.models import Organization, OrganizationMembership
from tables.models import (
    ActionTable,
    Attendance,
    AttendanceStatus,
    Guest,
    Meeting,
    MeetingStatus,
    OrganizationAttendance,
    TableOrganization,
    TableSeat,
)
from tables.selectors.tables import TableLine


class MeetingLine(NamedTuple):
    """A meeting as the tenant home lists it: when, and its table's name and address."""

    pk: int
    starts_at: datetime
    table_slug: str
    table_name: str


def my_upcoming_meetings(*, tables: list[TableLine], limit: int = 5) -> list[MeetingLine]:
    """The next scheduled meetings of these tables (the person's own, `my_table_lines`: in
    person or through an organization). With the tables' ids as a list, one index scan of
    their meetings; the names come from the tables already read."""
    by_id = {table.pk: table for table in tables}
    if not by_id:
        return []
    return [
        MeetingLine(pk, starts_at, by_id[table_id].slug, by_id[table_id].name)
        for pk, starts_at, table_id in Meeting.objects.filter(
            table_id__in=list(by_id),
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "starts_at", "table_id")[:limit]
    ]


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


@dataclass(frozen=True)
class OrganizationRate:
    organization: Organization
    present: int
    recorded: int  # held meetings at which its attendance was recorded

    @property
    def percent(self) -> int | None:
        return round(100 * self.present / self.recorded) if self.recorded else None


def organization_attendance_rates(*, table: ActionTable) -> list[OrganizationRate]:
    """The attendance rate of each organization now at the table, over the held meetings whose
    attendance was recorded: two queries, however many organizations and meetings."""
    participations = list(
        TableOrganization.objects.current().filter(table=table).select_related("organization")
    )
    counts = {
        row["organization_id"]: row
        for row in OrganizationAttendance.objects.filter(
            meeting__table=table,
            meeting__status=MeetingStatus.HELD,
            organization_id__in=[p.organization_id for p in participations],
        )
        .values("organization_id")
        .annotate(
            recorded=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
        )
    }
    return [
        OrganizationRate(
            organization=p.organization,
            present=counts.get(p.organization_id, {}).get("present", 0),
            recorded=counts.get(p.organization_id, {}).get("recorded", 0),
        )
        for p in participations
    ]


@dataclass(frozen=True)
class AttendanceSheet:
    people: list  # Attendance, with user and organization
    organizations: list  # OrganizationAttendance, with organization and representative
    guests: list

    @property
    def represented(self) -> int:
        return sum(o.status == AttendanceStatus.PRESENT for o in self.organizations)


def meeting_attendance(*, meeting: Meeting) -> AttendanceSheet:
    """Who answered and attended (by person), which organizations were represented and by
    whom, and the guests: three queries."""
    return AttendanceSheet(
        people=list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("user", "organization")
            .order_by("user__full_name", "user__email")
        ),
        organizations=list(
            OrganizationAttendance.objects.filter(meeting=meeting).select_related(
                "organization", "representative"
            )
        ),
        guests=list(Guest.objects.filter(meeting=meeting)),
    )


def representatives_by_organization(*, table: ActionTable) -> dict[int, list[User]]:
    """For the recording form: each participating organization's id → the people who may
    represent it (its current staff and the seat holders who sit for it), by name."""
    allowed = organization_representatives(table=table)
    ids = set().union(*allowed.values()) if allowed else set()
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    return {
        org_id: sorted(
            (people[i] for i in user_ids if i in people),
            key=lambda u: (u.display_name.lower(), u.email),
        )
        for org_id, user_ids in allowed.items()
    }


def organization_representatives(*, table: ActionTable) -> dict[int, set[int]]:
    """Each participating organization's id → the ids of the people who may represent it: its
    current staff and the seat holders who sit for it. Two queries, however many there are."""
    allowed: dict[int, set[int]] = {
        p.organization_id: set() for p in TableOrganization.objects.current().filter(table=table)
    }
    for organization_id, user_id in (
        OrganizationMembership.objects.current()
        .filter(organization_id__in=list(allowed), user__is_active=True)
        .values_list("organization_id", "user_id")
    ):
        allowed[organization_id].add(user_id)
    for organization_id, user_id in (
        TableSeat.objects.current()
        .filter(table=table, organization_id__in=list(allowed))
        .values_list("organization_id", "user_id")
    ):
        allowed[organization_id].add(user_id)
    return allowed


def meeting_notice_recipients(*, meeting: Meeting) -> list[User]:
    """Who is told when a meeting is scheduled, moved or cancelled, and reminded of it: the
    table's seat holders and the staff of the organizations at it, who are active members of
    the plan and have not turned meeting notices off. Three queries."""
    seated = TableSeat.objects.current().filter(table=meeting.table).values("user_id")
    at_table = TableOrganization.objects.current().filter(table=meeting.table)
    staff = (
        OrganizationMembership.objects.current()
        .filter(organization_id__in=at_table.values("organization_id"))
        .values("user_id")
    )
    return [
        membership.user
        for membership in TenantMembership.objects.filter(
            Q(user_id__in=seated) | Q(user_id__in=staff),
            is_active=True,
            meeting_notices=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__email")
    ]
