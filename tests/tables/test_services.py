from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_scopes import scope
from guardian.shortcuts import get_perms

from partners.models import OrgRole
from partners.services.organizations import organization_staff_add, organization_staff_end
from tables.models import (
    ActionTableUserObjectPermission,
    SeatRole,
    TableOrganization,
    TableSeat,
    TableStatus,
)
from tables.services.seats import table_organization_end, table_seat_add, table_seat_end
from tables.services.tables import table_change_status, table_create

from ..conftest import World


def perms(user, table) -> set[str]:
    return set(get_perms(user, table))


def test_a_coordinator_seat_grants_running_the_table(world: World) -> None:
    assert perms(world.coordinator, world.table) == {
        "view_actiontable",
        "change_actiontable",
        "log_progress",
    }
    assert perms(world.member, world.table) == set()


def test_organization_staff_hold_the_grants_through_their_group(world: World) -> None:
    assert perms(world.partner, world.table) == {"view_actiontable", "log_progress"}
    assert perms(world.partner, world.food) == set()


def test_ending_a_seat_revokes_the_grants_and_keeps_the_history(world: World) -> None:
    with scope(tenant=world.halton):
        seat = TableSeat.objects.get(table=world.table, user=world.coordinator)
        table_seat_end(seat=seat, actor=world.admin)
        assert perms(world.coordinator, world.table) == set()
        assert perms(world.coordinator, world.ipv) != set()  # the other table is untouched
        seat.refresh_from_db()
        assert seat.left_on is not None  # ended, not deleted
        with pytest.raises(ValidationError):
            table_seat_end(seat=seat, actor=world.admin)


def test_an_organization_leaving_takes_its_staffs_grants(world: World) -> None:
    with scope(tenant=world.halton):
        participation = TableOrganization.objects.get(
            table=world.table, organization=world.youth_org
        )
        table_organization_end(participation=participation, actor=world.admin)
        assert perms(world.partner, world.table) == set()
        assert TableOrganization.objects.filter(pk=participation.pk).exists()


def test_staff_leaving_an_organization_lose_its_tables(world: World) -> None:
    with scope(tenant=world.halton):
        membership = world.partner.organization_memberships.get(organization=world.youth_org)
        organization_staff_end(membership=membership, actor=world.admin)
    world.partner.refresh_from_db()
    assert perms(world.partner, world.table) == set()


def test_new_staff_get_the_organizations_tables(world: World) -> None:
    with scope(tenant=world.halton):
        organization_staff_add(
            organization=world.youth_org, user=world.member, role=OrgRole.STAFF, actor=world.admin
        )
        assert perms(world.member, world.ipv) == {"view_actiontable", "log_progress"}


def test_a_seat_needs_a_member_of_the_plan(world: World) -> None:
    with scope(tenant=world.halton), pytest.raises(ValidationError, match="No member of this plan"):
        table_seat_add(
            table=world.table, user=world.outsider, role=SeatRole.MEMBER, actor=world.admin
        )


def test_one_active_seat_per_person(world: World) -> None:
    with scope(tenant=world.halton), pytest.raises(ValidationError, match="already has a seat"):
        table_seat_add(
            table=world.table, user=world.coordinator, role=SeatRole.MEMBER, actor=world.admin
        )


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["active", "paused", "active", "sunset"], True),
        (["paused"], False),  # forming cannot pause
        (["active", "forming"], False),
        (["sunset", "active"], False),  # sunset is final
    ],
)
def test_status_transitions(world: World, path: list[str], allowed: bool) -> None:
    with scope(tenant=world.halton):
        table = world.food
        if allowed:
            for status in path:
                table_change_status(table=table, status=status, actor=world.admin, reason="Why.")
            assert table.status == path[-1]
        else:
            with pytest.raises(ValidationError):
                for status in path:
                    table_change_status(
                        table=table, status=status, actor=world.admin, reason="Why."
                    )
            table.refresh_from_db()
            assert table.status == (path[-2] if len(path) > 1 else TableStatus.FORMING)


def test_the_drift_command_reports_and_repairs(world: World, capsys) -> None:
    with scope(tenant=world.halton):
        ActionTableUserObjectPermission.objects.filter(content_object=world.table).delete()
    assert perms(world.coordinator, world.table) == set()
    call_command("sync_table_permissions")
    assert "halton/youth-mental-health: 3 missing, 0 extra" in capsys.readouterr().out
    assert perms(world.coordinator, world.table) == set()  # reporting changes nothing
    call_command("sync_table_permissions", "--repair")
    assert "Repaired 1 table(s)." in capsys.readouterr().out
    assert "change_actiontable" in perms(world.coordinator, world.table)
    call_command("sync_table_permissions")
    assert "No drift" in capsys.readouterr().out


def test_table_names_are_unique_in_a_plan_only(world: World) -> None:
    with scope(tenant=world.halton), pytest.raises(ValidationError):
        table_create(
            tenant=world.halton, name="youth MENTAL health", zone="prevention", actor=world.admin
        )
    assert world.lakeshore_table.name == world.table.name  # another plan may use it


def test_table_changes_are_on_the_tables_timeline(world: World) -> None:
    from cswb.models import ActivityEvent

    with scope(tenant=world.halton):
        verbs = list(ActivityEvent.objects.filter(table=world.table).values_list("verb", flat=True))
    assert set(verbs) == {"table.created", "table.seat_added", "table.organization_joined"}
