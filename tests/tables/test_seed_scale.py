from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django_scopes import scope

from cswb.models import Tenant
from tables.models import Action, ActionTable, ActionUpdate, Meeting
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
        "12",
        stdout=out,
    )
    assert "done" in out.getvalue()
    tenant = Tenant.objects.get(slug="bench")
    with scope(tenant=tenant):
        assert ActionTable.objects.count() == 4
        assert Action.objects.count() == 40
        assert ActionUpdate.objects.count() == 120
        assert Meeting.objects.count() == 12
        for table in ActionTable.objects.all():
            assert table_expected_grants(table=table) == table_actual_grants(table=table)
