"""Celery jobs of the digests. They call services; the rules live there."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cswb.models import Tenant
from engagement.services.digests import batches, digest_batch_send, digest_work


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
