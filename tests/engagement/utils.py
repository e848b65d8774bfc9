"""Shared steps of the digest tests."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django_scopes import scope

from engagement.services.digests import BatchResult, batches, digest_batch_send
from engagement.tasks import digest_work
from tables.models import ParticipationRole, Zone
from tables.services.meetings import meeting_record
from tables.services.seats import table_organization_add
from tables.services.tables import table_create

from ..builders import action_build, contact_build, measure_build, meeting_build
from ..conftest import World


def send_round(world: World, *, now: datetime | None = None, tenant=None) -> BatchResult:
    """What the hourly job does for a tenant that is due, run here in the test process."""
    tenant = tenant or world.halton
    now = now or timezone.now()
    total = BatchResult()
    for each, ids in digest_work(now=now, tenants=[tenant], force=True):
        for chunk in batches(ids):
            with scope(tenant=each):
                result = digest_batch_send(tenant=each, delivery_ids=chunk, now=now)
            for name in ("sent", "empty", "failed", "gone", "skipped"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
            total.retry_ids += result.retry_ids
    return total


def happenings(world: World, table, label: str) -> None:
    """At one table: an action created, another completed, an observation recorded, a meeting
    held, all now; each title carries the label so a digest shows whose it is."""
    admin = world.admin
    action_build(table, actor=admin, title=f"{label} new action")
    action_build(
        table, actor=admin, title=f"{label} finished action", statuses=["in_progress", "done"]
    )
    measure_build(  # the digest's sentence: "Up 50% since baseline (10 → 15 people)"
        table,
        actor=admin,
        name=f"{label} measure",
        unit="people",
        direction="up",
        baseline_value=10,
        target_value=20,
        observations=[(date(2025, 12, 31), 15)],
    )
    meeting = meeting_build(table, actor=admin, title=f"{label} meeting", hours=-24)
    with scope(tenant=table.tenant):
        meeting_record(meeting=meeting, actor=admin, attendance={}, minutes={})


def contact(world: World, organization, email: str, name: str = "Intake desk"):
    return contact_build(organization, actor=world.admin, name=name, email=email)


def busy_table(world: World, name: str, organization):
    """A plan-wide table where the organization takes part and something happened."""
    with scope(tenant=world.halton):
        table = table_create(
            tenant=world.halton, name=name, zone=Zone.PREVENTION, actor=world.admin
        )
        table_organization_add(
            table=table,
            organization=organization,
            role=ParticipationRole.MEMBER,
            actor=world.admin,
        )
    happenings(world, table, name)
    return table
