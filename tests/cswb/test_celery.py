from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from cswb.celery import app
from cswb.tasks import clear_expired_sessions


def test_celery_is_configured_for_safe_redelivery() -> None:
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_url.startswith("redis://")
    # Every task must finish well inside the visibility timeout, or Redis redelivers it.
    assert conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    assert "clear-expired-sessions" in conf.beat_schedule


def test_a_real_worker_runs_a_task_from_the_beat_schedule(celery_worker_process) -> None:
    now = timezone.now()
    Session.objects.create(
        session_key="expired" * 4, session_data="", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="current" * 4, session_data="", expire_date=now + timedelta(days=1)
    )

    clear_expired_sessions.delay().get(timeout=60)

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" * 4]
