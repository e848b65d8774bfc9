from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django_scopes import scope

from cswb.models import Tenant, TenantMembership, TenantRole
from tables.models import (
    Action,
    ActionStatus,
    ActionTable,
    ActionTally,
    ActionUpdate,
    Meeting,
    OrganizationAttendance,
)
from tables.selectors.progress import figures_drift
from tables.services.seats import table_actual_grants, table_expected_grants


def test_seed_scale_fills_a_tenant_consistently(db: None) -> None:
    out = StringIO()
    call_command(
        "seed_scale",
        "--tenant",
        "bench",
        "--tables",
        "4",
        "--organizations",
        "30",
        "--people",
        "60",
        "--actions",
        "40",
        "--updates-per-action",
        "3",
        "--meetings",
        "40",
        stdout=out,
    )
    assert "done" in out.getvalue()
    tenant = Tenant.objects.get(slug="bench")
    with scope(tenant=tenant):
        assert ActionTable.objects.count() == 4
        assert Action.objects.count() == 40
        assert ActionUpdate.objects.count() == 120
        assert Meeting.objects.count() == 40
        # Held meetings record each organization at the table, and carry the figures the
        # progress pages read; so do measures; nothing drifts from a recount.
        assert OrganizationAttendance.objects.exists()
        assert figures_drift(ActionTable.objects.all()) == ([], [], [])
        assert Meeting.objects.filter(organizations_recorded__gt=0).exists()
        for table in ActionTable.objects.all():
            assert table_expected_grants(table=table) == table_actual_grants(table=table)
            # Each table has its own mix of statuses, and its tally agrees with its actions.
            statuses = list(Action.objects.filter(table=table).values_list("status", flat=True))
            assert len(set(statuses)) > 1
            tally = ActionTally.objects.get(table=table)
            assert {s: getattr(tally, s) for s in ActionStatus.values} == {
                s: statuses.count(s) for s in ActionStatus.values
            }
        # Some actions are owned by a person at the table, not all due the same day.
        assert Action.objects.filter(owner__isnull=False).exists()
        assert Action.objects.values("due_date").distinct().count() > 10
        roles = set(TenantMembership.objects.values_list("role", flat=True))
        assert {TenantRole.ADMIN, TenantRole.LEADERSHIP, TenantRole.MEMBER} <= roles
        assert TenantMembership.objects.get(user__email="bench-admin@bench.example").role == "admin"
