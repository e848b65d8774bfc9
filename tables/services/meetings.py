"""Services for meetings: schedule, change, cancel, record, decide, remind. Every change raises
the meeting's iCalendar sequence so subscribed calendars take the new version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from cswb.celery import task_enqueue_on_commit
from cswb.emails import email_build
from cswb.models import User
from cswb.services import activity_record
from tables.calendar import meeting_invitation_ics
from tables.models import (
    ActionTable,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CalendarToken,
    Decision,
    Guest,
    Meeting,
    MeetingStatus,
    OrganizationAttendance,
    Rsvp,
    TableSeat,
)
from tables.selectors.meetings import meeting_notice_recipients, organization_representatives
from tables.selectors.progress import meeting_figures_now


class NoticeKind(StrEnum):
    SCHEDULED = "scheduled"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    REMINDER = "reminder"


# "Nov 24, 2026 at 10:00 a.m.", as the pages write times (Django's date format).
WHEN = r"M j, Y \a\t g:i a"
MEETING_FIELDS = ("title", "starts_at", "ends_at", "place", "video_url")


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The meeting must end after it starts."})


@transaction.atomic
def meeting_schedule(
    *,
    table: ActionTable,
    actor: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    video_url: str = "",
) -> Meeting:
    _check_times(starts_at, ends_at)
    meeting = Meeting.objects.create(
        tenant=table.tenant,
        table=table,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_url=video_url,
        created_by=actor,
    )
    local = timezone.localtime(starts_at, table.tenant.tzinfo)
    activity_record(
        tenant=table.tenant,
        actor=actor,
        verb="meeting.scheduled",
        target=meeting,
        table=table,
        summary=f"{table.name} meets on {date_format(local, WHEN)}",
    )
    _notice_enqueue(meeting, NoticeKind.SCHEDULED)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: User, **fields: object) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be changed.")
    for key, value in fields.items():
        setattr(meeting, key, value)
    _check_times(meeting.starts_at, meeting.ends_at)
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.reminded_at = None  # a moved meeting is reminded again
    meeting.save(update_fields=[*fields, "sequence", "updated_at", "reminded_at"])
    activity_record(
        tenant=meeting.tenant,
        actor=actor,
        verb="meeting.changed",
        target=meeting,
        table=meeting.table,
        summary=f"{meeting.title} was changed",
    )
    _notice_enqueue(meeting, NoticeKind.CHANGED)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User) -> Meeting:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be cancelled.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    activity_record(
        tenant=meeting.tenant,
        actor=actor,
        verb="meeting.cancelled",
        target=meeting,
        table=meeting.table,
        summary=f"{meeting.title} was cancelled",
    )
    _notice_enqueue(meeting, NoticeKind.CANCELLED)
    return meeting


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    actor: User,
    title: str,
    presenter: str = "",
    duration_minutes: int | None = None,
) -> AgendaItem:
    position = meeting.agenda_items.count()
    item = AgendaItem.objects.create(
        tenant=meeting.tenant,
        meeting=meeting,
        position=position,
        title=title.strip(),
        presenter=presenter,
        duration_minutes=duration_minutes,
    )
    activity_record(
        tenant=meeting.tenant,
        actor=actor,
        verb="meeting.agenda_item_added",
        target=item,
        table=meeting.table,
        summary=f"Agenda of {meeting.title}: {item.title[:200]}",
    )
    return item


def meeting_recordable_check(meeting: Meeting, *, now: datetime | None = None) -> None:
    """Refuse to record a meeting that was cancelled or has not started yet."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("A cancelled meeting cannot be recorded.")
    if meeting.starts_at > (now or timezone.now()):
        raise ValidationError("A meeting can be recorded once it has started.")


@transaction.atomic
def meeting_record(
    *,
    meeting: Meeting,
    actor: User,
    attendance: dict[int, str],
    minutes: dict[int, str],
    organizations: dict[int, tuple[str, int | None]] | None = None,
    guests: Sequence[tuple[str, str]] = (),
) -> Meeting:
    """Record a meeting as held: who was present, sent regrets or was absent (by seat), which
    participating organizations were represented and by whom (organization id → (status,
    representative's user id or None)), and the minutes of each agenda item."""
    meeting_recordable_check(meeting)
    seats = {s.user_id: s for s in TableSeat.objects.current().filter(table=meeting.table)}
    for user_id, status in attendance.items():
        if status not in AttendanceStatus.values:
            raise ValidationError(f"Unknown attendance {status!r}.")
        if user_id not in seats:
            raise ValidationError("Attendance can be recorded for the table's members only.")
        Attendance.objects.update_or_create(
            meeting=meeting,
            user_id=user_id,
            defaults={
                "tenant": meeting.tenant,
                "status": status,
                "organization_id": seats[user_id].organization_id,
            },
        )
    organizations = organizations or {}
    if organizations:
        allowed = organization_representatives(table=meeting.table)
        for organization_id, (status, representative_id) in organizations.items():
            if status not in AttendanceStatus.values:
                raise ValidationError(f"Unknown attendance {status!r}.")
            if organization_id not in allowed:
                raise ValidationError(
                    "Attendance can be recorded for the table's organizations only."
                )
            if representative_id is not None and (
                status != AttendanceStatus.PRESENT
                or representative_id not in allowed[organization_id]
            ):
                raise ValidationError(
                    "A representative is one of the organization's people, and only when "
                    "the organization was present."
                )
            OrganizationAttendance.objects.update_or_create(
                meeting=meeting,
                organization_id=organization_id,
                defaults={
                    "tenant": meeting.tenant,
                    "status": status,
                    "representative_id": representative_id,
                },
            )
        # The meeting's figures, counted from its rows (a second recording may leave an
        # organization recorded earlier as it was), in this same transaction.
        figures = OrganizationAttendance.objects.filter(meeting=meeting).aggregate(
            recorded=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
        )
        meeting.organizations_recorded = figures["recorded"]
        meeting.organizations_present = figures["present"]
    for name, organization in guests:
        guest_add(meeting=meeting, actor=actor, name=name, organization=organization)
    for item in meeting.agenda_items.all():
        if item.pk in minutes:
            item.minutes = minutes[item.pk]
            item.save(update_fields=["minutes"])
    meeting.status = MeetingStatus.HELD
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(
        update_fields=[
            "status",
            "sequence",
            "updated_at",
            "organizations_recorded",
            "organizations_present",
        ]
    )
    present = sum(status == AttendanceStatus.PRESENT for status in attendance.values())
    summary = f"{meeting.title} was held ({present} present"
    if organizations:
        represented = sum(s == AttendanceStatus.PRESENT for s, _ in organizations.values())
        summary += f"; {represented} of {len(organizations)} organizations represented"
    activity_record(
        tenant=meeting.tenant,
        actor=actor,
        verb="meeting.held",
        target=meeting,
        table=meeting.table,
        summary=summary + ")",
    )
    return meeting


@transaction.atomic
def meeting_attendance_recount(*, tables: Sequence[ActionTable]) -> int:
    """Count again the organizations recorded and present at every meeting of these tables,
    from the attendance rows, and correct the meetings whose figures differ: to repair them by
    hand (`manage.py rebuild_tallies`) or after a bulk load that wrote attendance without
    `meeting_record`. Two queries and the corrections; returns the number corrected."""
    wrong = []
    for meeting, counted in meeting_figures_now(list(tables)):
        if (meeting.organizations_recorded, meeting.organizations_present) != counted:
            meeting.organizations_recorded, meeting.organizations_present = counted
            wrong.append(meeting)
    Meeting.objects.bulk_update(
        wrong, ["organizations_recorded", "organizations_present"], batch_size=1000
    )
    return len(wrong)


@transaction.atomic
def guest_add(*, meeting: Meeting, actor: User, name: str, organization: str = "") -> Guest:
    """A person at the meeting without an account: their name and where they came from."""
    meeting_recordable_check(meeting)
    name, organization = " ".join(name.split()), " ".join(organization.split())
    if not name:
        raise ValidationError({"name": "Give the guest's name."})
    guest = Guest.objects.create(
        tenant=meeting.tenant, meeting=meeting, name=name, organization=organization
    )
    activity_record(
        tenant=meeting.tenant,
        actor=actor,
        verb="meeting.guest_added",
        target=guest,
        table=meeting.table,
        summary=f"{name}{f' ({organization})' if organization else ''} attended "
        f"{meeting.title} as a guest",
    )
    return guest


@transaction.atomic
def guest_remove(*, guest: Guest, actor: User) -> None:
    meeting = guest.meeting
    activity_record(
        tenant=guest.tenant,
        actor=actor,
        verb="meeting.guest_removed",
        table=meeting.table,
        summary=f"{guest.name} was removed from the guests of {meeting.title}",
    )
    guest.delete()


@transaction.atomic
def decision_add(
    *, meeting: Meeting, actor: User, text: str, agenda_item: AgendaItem | None = None
) -> Decision:
    decision = Decision.objects.create(
        tenant=meeting.tenant, meeting=meeting, text=text.strip(), agenda_item=agenda_item
    )
    activity_record(
        tenant=meeting.tenant,
        actor=actor,
        verb="meeting.decision",
        target=decision,
        table=meeting.table,
        summary=f"Decided at {meeting.title}: {decision.text[:200]}",
    )
    return decision


@transaction.atomic
def meeting_rsvp(*, meeting: Meeting, user: User, rsvp: str) -> Attendance:
    if rsvp not in Rsvp.values:
        raise ValidationError(f"Unknown answer {rsvp!r}.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError("Answers are taken for scheduled meetings only.")
    seat = TableSeat.objects.current().filter(table=meeting.table, user=user).first()
    if seat is None:
        raise ValidationError("Only the table's members answer its invitations.")
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting,
        user=user,
        defaults={"tenant": meeting.tenant, "rsvp": rsvp, "organization_id": seat.organization_id},
    )
    activity_record(
        tenant=meeting.tenant,
        actor=user,
        verb="meeting.rsvp",
        target=attendance,
        table=meeting.table,
        summary=f"{user.display_name} answered “{Rsvp(rsvp).label}” for {meeting.title}",
        changes={"rsvp": rsvp},
    )
    return attendance


def calendar_token_for(*, user: User) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user: User) -> CalendarToken:
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)


def meetings_to_remind(*, now: datetime) -> list[int]:
    """Claim the meetings that start in the next day and were not reminded yet. The claim is
    one UPDATE … WHERE reminded_at IS NULL per meeting, so two workers never both win."""
    window = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=24),
    ).values_list("pk", flat=True)
    claimed = []
    for pk in list(window):
        if Meeting.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            claimed.append(pk)
    return claimed


def meeting_reminder_send(*, meeting_id: int) -> int:
    """The reminder the day before: a notice like the others, through the same path."""
    return meeting_notice_send(meeting_id=meeting_id, kind=NoticeKind.REMINDER)


def meeting_notice_send(*, meeting_id: int, kind: str, sequence: int | None = None) -> int:
    """Email a meeting notice (scheduled, changed, cancelled, or the reminder) to the table's
    members who take them, each with the meeting as an iCalendar invitation or cancellation;
    returns how many were sent. A notice about a version of the meeting that has since changed
    again is not sent (`sequence`): the newer notice is on its way."""
    meeting = Meeting.objects.select_related("table", "tenant").get(pk=meeting_id)
    if sequence is not None and meeting.sequence != sequence:
        return 0
    if kind == NoticeKind.CANCELLED and meeting.status != MeetingStatus.CANCELLED:
        return 0
    if kind != NoticeKind.CANCELLED and meeting.status != MeetingStatus.SCHEDULED:
        return 0
    method = "CANCEL" if kind == NoticeKind.CANCELLED else "REQUEST"
    url = settings.PORTAL_BASE_URL + reverse(
        "tables:meeting", args=[meeting.tenant.slug, meeting.table.slug, meeting.pk]
    )
    context = {
        "meeting": meeting,
        "table": meeting.table,
        "kind": kind,
        "url": url,
        "starts": timezone.localtime(meeting.starts_at, meeting.tenant.tzinfo),
        "ends": timezone.localtime(meeting.ends_at, meeting.tenant.tzinfo),
    }
    messages = []
    for person in meeting_notice_recipients(meeting=meeting):
        message = email_build(
            template="meeting-notice", to=[person.email], context={**context, "person": person}
        )
        invitation = MIMEText(
            meeting_invitation_ics(meeting, method=method, attendee=person.email).decode(),
            "calendar",
            "utf-8",
        )
        invitation.set_param("method", method)
        invitation.add_header("Content-Disposition", "attachment", filename="meeting.ics")
        message.attach(invitation)
        messages.append(message)
    with get_connection() as connection:
        for message in messages:
            message.connection = connection
            message.send()
    return len(messages)


def _notice_enqueue(meeting: Meeting, kind: str) -> None:
    if meeting.ends_at <= timezone.now():
        return  # a past meeting entered for the record: nobody needs a notice of it
    task_enqueue_on_commit(
        "tables.send_meeting_notice", meeting_id=meeting.pk, kind=kind, sequence=meeting.sequence
    )
