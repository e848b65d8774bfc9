"""Compare every table's object grants with its seats and participations; report the drift and,
with --repair, fix it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_scopes import scope

from cswb.models import Tenant
from tables.models import ActionTable
from tables.services.seats import table_actual_grants, table_expected_grants, table_permissions_sync


class Command(BaseCommand):
    help = "Report (and with --repair, fix) drift between table memberships and their grants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Fix the drift found.")
        parser.add_argument("--tenant", help="Only this tenant's tables (its slug).")

    def handle(self, *args: object, repair: bool = False, tenant: str | None = None, **options):
        tenants = Tenant.objects.all()
        if tenant:
            tenants = tenants.filter(slug=tenant)
        drifted = 0
        for current in tenants:
            with scope(tenant=current):
                for table in ActionTable.objects.order_by("name"):
                    expected = table_expected_grants(table=table)
                    actual = table_actual_grants(table=table)
                    missing = (expected[0] - actual[0]) | (expected[1] - actual[1])
                    extra = (actual[0] - expected[0]) | (actual[1] - expected[1])
                    if not missing and not extra:
                        continue
                    drifted += 1
                    self.stdout.write(
                        f"{current.slug}/{table.slug}: {len(missing)} missing, "
                        f"{len(extra)} extra grant(s)"
                    )
                    if repair:
                        with transaction.atomic():
                            table_permissions_sync(table=table)
        if not drifted:
            self.stdout.write(self.style.SUCCESS("No drift: every grant matches a membership."))
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"Repaired {drifted} table(s)."))
        else:
            self.stdout.write(self.style.WARNING(f"{drifted} table(s) drifted; run with --repair."))
