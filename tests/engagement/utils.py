"""Shared steps of the digest tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from engagement.services.digests import BatchResult, batches, digest_batch_send
from engagement.tasks import digest_work
from partners.services.organizations import contact_create
from tables.models import ParticipationRole, Zone
from tables.services.actions import action_create, action_update
from tables.services.meetings import meeting_record, meeting_schedule
from tables.services.outcomes import measure_create, observation_record
from tables.services.seats import table_organization_add
from tables.services.tables import table_create

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
    with scope(tenant=world.halton):
        action_create(
            table=table, title=f"{label} new action", actor=world.admin, owner_organization=None
        )
        done = action_create(table=table, title=f"{label} finished action", actor=world.admin)
        action_update(action=done, actor=world.admin, status="in_progress", text="")
        action_update(action=done, actor=world.admin, status="done", text="")
        measure = measure_create(
            table=table,
            actor=world.admin,
            name=f"{label} measure",
            kind="how_much",
            unit="people",
            direction="up",
            baseline_value=Decimal(10),
            baseline_date=date(2024, 1, 1),
            target_value=Decimal(20),
            target_date=date(2027, 12, 31),
        )
        observation_record(
            measure=measure, actor=world.admin, value=Decimal(15), period_end=date(2025, 12, 31)
        )
        start = timezone.now() - timedelta(days=1)
        meeting = meeting_schedule(
            table=table,
            actor=world.admin,
            title=f"{label} meeting",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        meeting_record(meeting=meeting, actor=world.admin, attendance={}, minutes={})


def contact(world: World, organization, email: str, name: str = "Intake desk"):
    with scope(tenant=world.halton):
        return contact_create(organization=organization, name=name, email=email, actor=world.admin)


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
