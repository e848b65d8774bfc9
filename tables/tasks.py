from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tables.models import Meeting
from tables.services.actions import action_overdue_roll
from tables.services.meetings import meeting_notice_send, meeting_reminder_send, meetings_to_remind

MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


def _in_scope_of(meeting_id: int):
    with scopes_disabled():
        tenant = Meeting.objects.select_related("tenant").get(pk=meeting_id).tenant
    return scope(tenant=tenant)


@shared_task(name="tables.roll_overdue")
def roll_overdue() -> int:
    """Hourly: keep each table's count of overdue actions up to today (the first run after
    midnight moves them; the others find nothing to do)."""
    with scopes_disabled():
        return action_overdue_roll()


@shared_task(name="tables.send_meeting_reminders")
def send_meeting_reminders() -> int:
    """Hourly: claim the meetings starting within a day and queue one reminder job each."""
    with scopes_disabled():
        claimed = meetings_to_remind(now=timezone.now())
    for meeting_id in claimed:
        send_meeting_reminder.delay(meeting_id=meeting_id)
    return len(claimed)


@shared_task(
    name="tables.send_meeting_reminder",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def send_meeting_reminder(*, meeting_id: int) -> int:
    with _in_scope_of(meeting_id):
        return meeting_reminder_send(meeting_id=meeting_id)


@shared_task(
    name="tables.send_meeting_notice",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def send_meeting_notice(*, meeting_id: int, kind: str, sequence: int | None = None) -> int:
    """A meeting was scheduled, moved or cancelled: tell the table's members."""
    with _in_scope_of(meeting_id):
        return meeting_notice_send(meeting_id=meeting_id, kind=kind, sequence=sequence)
