"""A table's own rows, read in one PostgreSQL statement for its pages, are the rows the ORM
reads (tables.selectors.table_read): instance by instance, with their related rows, and as
the table page shows them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cswb.models import ActivityEvent
from engagement.selectors.identity import panel_rows_orm
from engagement.services.identity import (
    identity_questions_configure,
    representation_goal_add,
    self_identification_save,
)
from tables.models import ActionTally, FocusArea, Meeting, TableOrganization
from tables.selectors import table_read as reading
from tables.selectors.table_read import table_read, table_read_orm
from tables.services.actions import action_update
from tables.services.seats import table_seat_add, table_seat_end

from ..builders import action_build, measure_build, meeting_build
from ..conftest import World


def _dump(instance: models.Model | None, *relations: str) -> object:
    """Every column of the instance, its type and value, and its cached related rows."""
    if instance is None:
        return None
    columns = [  # repr: 38.50 is not 38.5 on the page, and an aware time keeps its zone
        (f.attname, repr(value))
        for f in instance._meta.concrete_fields
        for value in [getattr(instance, f.attname)]
    ]
    related = [
        (name, _dump(instance._meta.get_field(name).get_cached_value(instance)))
        for name in relations
    ]
    return (type(instance).__name__, instance._state.adding, columns, related)


def _dumped(read: reading.TableRead) -> dict[str, object]:
    return {
        "participations": [_dump(p, "organization") for p in read.participations],
        "seats": [_dump(s, "user", "organization") for s in read.seats],
        "focus_areas": [_dump(f) for f in read.focus_areas],
        "counts": (read.open_count, read.overdue_count),
        "open_actions": [_dump(a, "owner", "owner_organization") for a in read.open_actions],
        "next_meeting": _dump(read.next_meeting),
        "measures": [_dump(m) for m in read.measures],
        "values": {pk: [_dump(o) for o in values] for pk, values in read.values.items()},
        "events": [_dump(e, "actor") for e in read.events],
    }


def _busy_table(world: World) -> None:
    """World's youth table with something of every kind the page reads, ties included."""
    today = timezone.localdate()
    for days, title in [(-9, "Late one"), (-2, "Late two"), (5, "Soon"), (30, "Later")]:
        action_build(
            world.table,
            actor=world.admin,
            title=title,
            due_date=today + timedelta(days=days),
            owner_organization=world.youth_org if days < 0 else None,
            owner=world.partner if days == -9 else None,
        )
    action_build(world.table, actor=world.admin, title="No date", statuses=["in_progress"])
    action_build(world.table, actor=world.admin, title="Same day", due_date=today)
    action_build(world.table, actor=world.admin, title="Same day too", due_date=today)
    blocked = action_build(world.table, actor=world.admin, title="Stuck", statuses=["blocked"])
    done = action_build(world.table, actor=world.admin, title="Finished", statuses=["done"])
    for extra in range(4):  # more open actions than the page shows
        action_build(world.table, actor=world.admin, title=f"Extra {extra}")
    meeting_build(world.table, actor=world.admin, hours=-30)  # passed, never recorded
    tie = timezone.now() + timedelta(days=3)
    first = meeting_build(world.table, actor=world.admin, title="Tie A", hours=72)
    second = meeting_build(world.table, actor=world.admin, title="Tie B", hours=72)
    measure_build(
        world.table,
        actor=world.admin,
        name="Wait in days",
        observations=[(date(2025, 3, 31), "41.25"), (date(2025, 6, 30), "38.50")],
        note="From the intake log <b>as kept</b>",
    )
    measure_build(world.table, actor=world.admin, name="Another", kind="better_off")
    retired = measure_build(
        world.table, actor=world.admin, name="Retired", observations=[(date(2025, 1, 31), 9)]
    )
    with scope(tenant=world.halton):
        Meeting.objects.filter(pk__in=[first.pk, second.pk]).update(
            starts_at=tie, ends_at=tie + timedelta(hours=1)
        )
        type(retired).objects.filter(pk=retired.pk).update(retired_at=timezone.now())
        table_seat_add(
            table=world.table,
            user=world.partner,
            role="lived_experience_advisor",
            actor=world.admin,
        )
        table_seat_add(table=world.table, user=world.member, role="member", actor=world.admin)
        areas = [
            FocusArea.objects.create(tenant=world.halton, name=name, slug=slug, position=position)
            for name, slug, position in [("Youth", "youth", 2), ("Access", "access", 1)]
        ]
        world.table.focus_areas.add(*areas)
        TableOrganization.objects.filter(table=world.ipv).update(left_on=timezone.localdate())
        action_update(action=blocked, actor=world.admin, status="in_progress")
        action_update(action=done, actor=world.admin, status="in_progress")
        # Someone who left the table: neither reading shows them, nor counts them.
        gone = table_seat_add(
            table=world.table, user=world.leader, role="lived_experience_advisor", actor=world.admin
        )
        table_seat_end(seat=gone, actor=world.admin)
        # The goals panel's rows: a goal, a member's answers, the plan's settings.
        representation_goal_add(
            table=world.table, actor=world.admin, kind="group", group="youth", target=2
        )
        self_identification_save(
            tenant=world.halton, asked=["youth"], answers={"youth": "yes"},
            in_own_words="", consent=True, user=world.member,
        )  # fmt: skip
        identity_questions_configure(
            tenant=world.halton, actor=world.admin, asked={"youth", "indigenous"},
            reported={"youth"},
        )  # fmt: skip
        moment = timezone.now() + timedelta(seconds=5)  # events at the same moment, latest
        for n in range(3):
            ActivityEvent.objects.create(
                tenant=world.halton, table=world.table, verb="note", summary=f"Tie {n}", at=moment
            )


@pytest.mark.parametrize("workspace,events", [(True, 60), (True, 5), (True, 0), (False, 0)])
def test_the_statement_reads_what_the_orm_reads(world: World, workspace: bool, events: int) -> None:
    _busy_table(world)
    with scope(tenant=world.halton):
        for table in (world.table, world.ipv, world.food):
            fast = _dumped(table_read(table, workspace=workspace, events=events))
            assert fast == _dumped(table_read_orm(table, workspace=workspace, events=events))
        busy = table_read(world.table, workspace=workspace, events=events)
        logged = ActivityEvent.objects.filter(table=world.table).count()
    assert 5 < logged < 60  # the limit cuts the list, or reads all of it
    assert [s.user.email for s in busy.seats][:1] == [world.coordinator.email]
    assert world.leader.pk not in {s.user_id for s in busy.seats}  # left the table
    assert [f.name for f in busy.focus_areas] == ["Access", "Youth"]
    if workspace:
        assert (busy.open_count, busy.overdue_count) == (13, 2)
        assert [a.title for a in busy.open_actions][:4] == [
            "Late one",
            "Late two",
            "Same day",
            "Same day too",
        ]
        assert len(busy.open_actions) == reading.OPEN_ACTIONS_SHOWN
        assert busy.open_actions[0].owner == world.partner
        assert busy.open_actions[0].owner_organization == world.youth_org
        assert busy.next_meeting.title == "Tie A"  # the earlier-made of two at the same hour
        assert [m.name for m in busy.measures] == ["Another", "Wait in days"]  # by kind
        values = busy.values[busy.measures[1].pk]
        assert [v.value for v in values] == [Decimal("41.25"), Decimal("38.50")]
        assert len(busy.events) == min(events, logged)
        if events:  # latest first, the later made first among those of the same moment
            moments = [(e.at, e.pk) for e in busy.events]
            assert moments == sorted(moments, reverse=True)
            assert len({at for at, _ in moments}) < len(moments)


def test_the_statement_counts_overdue_however_old_the_tally(world: World) -> None:
    """The kept counts come with the open actions due between the tally's date and today,
    read only when the hourly job has not moved the date to today."""
    today = timezone.localdate()
    action_build(world.table, actor=world.admin, due_date=today - timedelta(days=3))
    action_build(world.table, actor=world.admin, due_date=today + timedelta(days=3))
    with scope(tenant=world.halton):
        for kept_to, overdue in [(None, 0), (-10, 0), (-1, 1), (0, 1), (5, 2)]:
            ActionTally.objects.filter(table=world.table).update(
                overdue_before=None if kept_to is None else today + timedelta(days=kept_to),
                overdue=overdue,
            )
            fast = table_read(world.table, workspace=True)
            slow = table_read_orm(world.table, workspace=True)
            assert (fast.open_count, fast.overdue_count) == (slow.open_count, slow.overdue_count)
            assert (fast.open_count, fast.overdue_count) == (2, 1), kept_to


_TOKENS = re.compile(rb'(nonce|csrfmiddlewaretoken" value)="[^"]*"|"X-CSRFToken": "[^"]*"')


def _page(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200
    # The per-request tokens (CSP nonce, CSRF) differ between any two requests.
    return _TOKENS.sub(b"", response.content)


@pytest.mark.parametrize("role", ["admin", "leader", "coordinator", "partner", "member"])
def test_the_table_page_is_the_same_read_either_way(
    world: World, client_for, monkeypatch, role: str
) -> None:
    _busy_table(world)
    client = client_for(role)
    for table in (world.table, world.ipv, world.food):
        path = reverse("tables:detail", kwargs={"tenant_slug": "halton", "table_slug": table.slug})
        response = client.get(path)
        if response.status_code != 200:  # a members-only table the person may not see
            assert response.status_code in (403, 404)
            continue
        fast = _page(client, path)
        monkeypatch.setattr("tables.views.tables.table_read", table_read_orm)
        monkeypatch.setattr("engagement.selectors.identity.panel_rows", panel_rows_orm)
        slow = _page(client, path)
        monkeypatch.undo()
        assert fast == slow
        if table == world.table:
            assert b"Wait in days" in fast and b"Youth Services" in fast
            assert b"Goals against today" in fast  # the goals panel, with its goal
