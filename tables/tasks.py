from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tables.models import Meeting
from tables.services.meetings import meeting_reminder_send, meetings_to_remind


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
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_meeting_reminder(*, meeting_id: int) -> int:

    with scopes_disabled():
        tenant = Meeting.objects.select_related("tenant").get(pk=meeting_id).tenant
    with scope(tenant=tenant):
        return meeting_reminder_send(meeting_id=meeting_id)
