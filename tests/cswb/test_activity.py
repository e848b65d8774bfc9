from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django_scopes import scope

from cswb.models import ActivityEvent, TenantMembership, TenantRole
from cswb.services import (
    membership_change_role,
    membership_create,
    membership_deactivate,
)

from ..conftest import World
from ..factories import UserFactory


def _events(tenant, verb: str) -> list[ActivityEvent]:
    with scope(tenant=tenant):
        return list(ActivityEvent.objects.filter(verb=verb).select_related("actor"))


def test_membership_services_write_the_activity_log(world: World) -> None:
    with scope(tenant=world.halton):
        newcomer = UserFactory(full_name="Nadia Newcomer")
        membership = membership_create(
            tenant=world.halton, user=newcomer, role=TenantRole.MEMBER, actor=world.admin
        )
        membership_change_role(membership=membership, role=TenantRole.LEADERSHIP, actor=world.admin)

        created = _events(world.halton, "membership.created")[0]
        assert created.actor == world.admin
        assert created.target_id == str(membership.pk)
        assert created.summary == "Nadia Newcomer joined as member"
        changed = _events(world.halton, "membership.role_changed")[0]
        assert changed.changes == {"role": ["member", "leadership"]}


def test_the_event_and_the_change_commit_or_fail_together(world: World) -> None:
    with scope(tenant=world.halton):
        newcomer = UserFactory()
        with pytest.raises(RuntimeError), transaction.atomic():
            membership_create(tenant=world.halton, user=newcomer, role=TenantRole.MEMBER)
            raise RuntimeError("the request failed after the service ran")
        with scope(tenant=world.halton):
            assert not TenantMembership.objects.filter(user=newcomer).exists()
            assert not ActivityEvent.objects.filter(target_repr__contains=newcomer.email).exists()


def test_an_unknown_role_changes_nothing(world: World) -> None:
    with scope(tenant=world.halton):
        with pytest.raises(ValidationError):
            membership_create(tenant=world.halton, user=UserFactory(), role="owner")
        with scope(tenant=world.halton):
            assert TenantMembership.objects.count() == 5


def test_joining_twice_is_refused(world: World) -> None:
    with scope(tenant=world.halton), pytest.raises(ValidationError, match="already a member"):
        membership_create(tenant=world.halton, user=world.member, role=TenantRole.MEMBER)


def test_a_plan_keeps_at_least_one_admin(world: World) -> None:
    with scope(tenant=world.halton):
        with scope(tenant=world.halton):
            admin = TenantMembership.objects.get(user=world.admin)
        with pytest.raises(ValidationError, match="at least one administrator"):
            membership_change_role(membership=admin, role=TenantRole.MEMBER)
        with pytest.raises(ValidationError, match="at least one administrator"):
            membership_deactivate(membership=admin)
        admin.refresh_from_db()
        assert admin.role == TenantRole.ADMIN and admin.is_active


def test_a_second_admin_can_be_demoted(world: World) -> None:
    with scope(tenant=world.halton):
        with scope(tenant=world.halton):
            leader = TenantMembership.objects.get(user=world.leader)
        membership_change_role(membership=leader, role=TenantRole.ADMIN)
        membership_change_role(membership=leader, role=TenantRole.MEMBER)
        leader.refresh_from_db()
        assert leader.role == TenantRole.MEMBER


def test_a_reactivated_membership_is_not_doubled(world: World) -> None:
    with scope(tenant=world.halton):
        with scope(tenant=world.halton):
            membership = TenantMembership.objects.get(user=world.member)
        membership_deactivate(membership=membership)
        again = membership_create(
            tenant=world.halton, user=world.member, role=TenantRole.LEADERSHIP
        )
        assert again.pk == membership.pk
        assert again.is_active and again.role == TenantRole.LEADERSHIP


class TestAppendOnly:
    def test_saving_an_existing_event_is_refused(self, world: World) -> None:
        event = _events(world.halton, "membership.created")[0]
        event.summary = "rewritten"
        with pytest.raises(TypeError):
            event.save()
        with pytest.raises(TypeError):
            event.delete()

    def test_bulk_update_and_delete_are_refused(self, world: World) -> None:
        with scope(tenant=world.halton), pytest.raises(TypeError):
            ActivityEvent.objects.all().update(summary="rewritten")
        with scope(tenant=world.halton), pytest.raises(TypeError):
            ActivityEvent.objects.all().delete()

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE cswb_activityevent SET summary = 'rewritten'",
            "DELETE FROM cswb_activityevent",
        ],
    )
    def test_the_database_refuses_raw_rewrites(self, world: World, sql: str) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
