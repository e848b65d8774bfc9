from celery import shared_task
from django.core.management import call_command


@shared_task(name="cswb.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: drop expired sessions so the session table does not grow without end."""
    call_command("clearsessions")
