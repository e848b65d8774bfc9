"""`python manage.py send_digests [--tenant SLUG] [--now] [--queue]`: the hourly job, by hand."""

from __future__ import annotations

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cswb.models import Tenant
from engagement.models import RunTrigger
from engagement.services.digests import batches, digest_batch_send
from engagement.tasks import digest_work, dispatch


class Command(BaseCommand):
    help = (
        "Send the progress digests that are due (or, with --now, this week's digests now). "
        "Safe to run again: nobody gets the same period's digest twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="Only this plan.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Do not wait for the plan's scheduled weekday and hour.",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Hand the batches to the Celery workers instead of sending from here.",
        )

    def handle(self, *args: object, **options: object) -> None:
        with scopes_disabled():
            tenants = Tenant.objects.filter(is_active=True).order_by("slug")
            if options["tenant"]:
                tenants = tenants.filter(slug=options["tenant"])
                if not tenants.exists():
                    raise CommandError(f"No active plan with the slug {options['tenant']!r}.")
            tenants = list(tenants)
        now = timezone.now()
        work = digest_work(
            now=now, tenants=tenants, force=bool(options["now"]), trigger=RunTrigger.COMMAND
        )
        if not work:
            self.stdout.write("No digests to send: none due, or all already sent this period.")
            return
        if options["queue"]:
            self.stdout.write(f"Queued {dispatch(work)} batches for the workers.")
            return
        for tenant, ids in work:
            self._send(tenant, ids)

    def _send(self, tenant: Tenant, ids: list[int]) -> None:
        totals: Counter[str] = Counter()
        pending = ids
        while pending:
            retry: list[int] = []
            retry_at = None
            for chunk in batches(pending):
                with scope(tenant=tenant):
                    result = digest_batch_send(tenant=tenant, delivery_ids=chunk)
                totals.update({k: v for k, v in result.as_dict().items() if k != "retry"})
                retry += result.retry_ids
                if result.retry_at:
                    retry_at = max(retry_at or result.retry_at, result.retry_at)
            pending = retry
            if pending:
                wait = max(0.0, (retry_at - timezone.now()).total_seconds())
                self.stdout.write(
                    f"{tenant.slug}: the mail server did not take {len(pending)} digests; "
                    f"trying again in {wait:.0f} s."
                )
                time.sleep(wait)
        self.stdout.write(
            self.style.SUCCESS(
                f"{tenant.slug}: {totals['sent']} sent, {totals['empty']} with nothing to "
                f"report, {totals['failed']} failed, {totals['gone']} no longer recipients."
            )
        )
