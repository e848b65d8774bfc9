"""Celery jobs of the digests and of the self-identification links' emails, and the planning
the digests share with `send_digests`. They are entry points: they enter each tenant's scope
and call services; the rules live there."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cswb.models import Tenant
from engagement.models import RunTrigger
from engagement.services.digests import (
    batches,
    deliveries_to_send,
    digest_batch_send,
    digest_due,
    digest_run_plan,
)
from engagement.services.identity import identity_link_email_send
from engagement.services.surveys import survey_delivery_send


def dispatch(work) -> int:
    """Queue one task per batch of recipients; returns how many tasks were queued."""
    queued = 0
    for tenant, ids in work:
        for chunk in batches(ids):
            send_digest_batch.delay(tenant_id=tenant.pk, delivery_ids=chunk)
            queued += 1
    return queued


@shared_task(name="engagement.digests_tick")
def digests_tick() -> int:
    """Hourly: start the runs that are due and resume any left unfinished."""
    now = timezone.now()
    with scopes_disabled():
        tenants = list(Tenant.objects.filter(is_active=True).order_by("pk"))
    return dispatch(digest_work(now=now, tenants=tenants, force=False))


@shared_task(bind=True, name="engagement.send_digest_batch")
def send_digest_batch(self, *, tenant_id: int, delivery_ids: list[int]) -> dict[str, object]:
    """One batch over one SMTP connection. Safe to run twice, or twice at once: each row is
    claimed before its message goes out. Rows the mail server turned away come back here
    after a growing delay until their last attempt."""
    with scopes_disabled():
        tenant = Tenant.objects.get(pk=tenant_id)
    with scope(tenant=tenant):
        result = digest_batch_send(tenant=tenant, delivery_ids=delivery_ids)
    if result.retry_ids and not self.request.is_eager:
        countdown = max(0.0, (result.retry_at - timezone.now()).total_seconds())
        raise self.retry(
            kwargs={"tenant_id": tenant_id, "delivery_ids": result.retry_ids},
            countdown=countdown,
            max_retries=settings.DIGEST_MAX_ATTEMPTS,
        )
    return result.as_dict()


def digest_work(
    *, now: datetime, tenants: Sequence[Tenant], force: bool, trigger: str = RunTrigger.SCHEDULE
) -> list[tuple[Tenant, list[int]]]:
    """The one entry point of the hourly tick and of `send_digests`: plan the run of every
    tenant that is due (or every given tenant, when forced) and return, per tenant, the
    deliveries to send now. Rows of older runs left behind by a lost worker or waiting for
    a retry are included, once their run has had time to finish on its own."""
    settled = now - timedelta(seconds=settings.DIGEST_RESUME_AFTER_SECONDS)
    work = []
    for tenant in tenants:
        with scope(tenant=tenant):
            if force or digest_due(tenant=tenant, now=now):
                run, _ = digest_run_plan(tenant=tenant, now=now, trigger=trigger)
                ids = sorted(
                    set(deliveries_to_send(tenant=tenant, now=now, run=run))
                    | set(deliveries_to_send(tenant=tenant, now=now, settled_before=settled))
                )
            else:
                ids = deliveries_to_send(tenant=tenant, now=now, settled_before=settled)
        if ids:
            work.append((tenant, ids))
    return work


@shared_task(
    name="engagement.identity_link_send_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def identity_link_send_email(*, tenant_id: int, contact_id: int, token: str) -> bool:
    tenant = Tenant.objects.get(pk=tenant_id)
    with scope(tenant=tenant):
        return identity_link_email_send(contact_id=contact_id, token=token)


@shared_task(name="engagement.survey_mailing_send")
def survey_mailing_send(*, tenant_id: int, delivery_ids: list[int]) -> dict[str, int]:
    """One batch of a survey's invitations or reminders; safe to run twice."""
    with scopes_disabled():
        tenant = Tenant.objects.get(pk=tenant_id)
    with scope(tenant=tenant):
        return survey_delivery_send(delivery_ids=delivery_ids)
