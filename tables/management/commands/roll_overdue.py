"""Keep every table's overdue count up to today, as the hourly Celery task does
(`tables.roll_overdue`): for a deployment without Celery beat, and for the benchmark's
database, filled on an earlier day."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from tables.services.actions import action_overdue_roll


class Command(BaseCommand):
    help = "Move every table's kept overdue count up to today."

    def handle(self, *args: object, **options: object) -> None:
        with scopes_disabled():
            moved = action_overdue_roll()
        self.stdout.write(f"Overdue counts of {moved} table(s) kept up to today.")
