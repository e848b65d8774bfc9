"""Compare the figures kept for the progress pages with a recount, report the drift and, with
--repair, count them again: each table's actions by status (ActionTally), each meeting's
organizations recorded and present, and whether each measure is on track. The services keep
them in the same transaction as every change, so drift means rows were written around them (a
bulk load, a hand-made SQL fix)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django_scopes import scope

from cswb.models import Tenant
from tables.models import ActionTable
from tables.selectors.progress import figures_drift
from tables.services.actions import action_tallies_rebuild
from tables.services.meetings import meeting_attendance_recount
from tables.services.outcomes import measure_on_track_recount


class Command(BaseCommand):
    help = "Report (and with --repair, recount) progress figures that disagree with the data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Recount what drifted.")
        parser.add_argument("--tenant", help="Only this tenant's tables (its slug).")

    def handle(self, *args: object, repair: bool = False, tenant: str | None = None, **options):
        tenants = Tenant.objects.order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant)
        drifted = 0
        for current in tenants:
            with scope(tenant=current):
                tables, meetings, measures = figures_drift(ActionTable.objects.all())
                if not tables and not meetings and not measures:
                    continue
                drifted += len(tables) + len(meetings) + len(measures)
                self.stdout.write(
                    f"{current.slug}: action counts of {len(tables)} table(s), attendance "
                    f"figures of {len(meetings)} meeting(s), standing of {len(measures)} "
                    "measure(s) differ from a recount"
                )
                if repair:
                    if tables:
                        action_tallies_rebuild(
                            tables=list(ActionTable.objects.filter(pk__in=tables))
                        )
                    if meetings:
                        meeting_attendance_recount(
                            tables=list(
                                ActionTable.objects.filter(meetings__pk__in=meetings).distinct()
                            )
                        )
                    if measures:
                        measure_on_track_recount(
                            tables=list(
                                ActionTable.objects.filter(measures__pk__in=measures).distinct()
                            )
                        )
        if not drifted:
            self.stdout.write(self.style.SUCCESS("No drift: every figure matches a recount."))
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"Recounted {drifted} figure row(s)."))
        else:
            self.stdout.write(
                self.style.WARNING(f"{drifted} figure row(s) drifted; run with --repair.")
            )
