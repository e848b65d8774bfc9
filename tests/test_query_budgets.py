"""Query budgets for the list and report pages not covered beside their features: each page
is measured twice, with more data the second time, under the same budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from partners.services.organizations import organization_staff_add
from tables.services.meetings import agenda_item_add, decision_add, meeting_rsvp
from tables.services.outcomes import observation_record
from tables.services.seats import table_organization_add, table_seat_add

from .builders import (
    action_build,
    contact_build,
    measure_build,
    meeting_build,
    organization_build,
)
from .conftest import World
from .factories import MembershipFactory


def _grow(world: World, round_: int) -> None:
    """More of everything these pages show: meetings with agendas, decisions and answers;
    organizations, staff and contacts; seats; observations."""
    with scope(tenant=world.halton):
        for n in range(4):
            meeting = meeting_build(
                world.table, actor=world.admin, hours=24 * (3 + n + 10 * round_)
            )
            agenda_item_add(meeting=meeting, actor=world.admin, title="Updates")
            decision_add(meeting=meeting, actor=world.admin, text="Agreed.")
            meeting_rsvp(meeting=meeting, user=world.coordinator, rsvp="attending")
            person = MembershipFactory(tenant=world.halton).user
            org = organization_build(world.halton, actor=world.admin)
            table_organization_add(
                table=world.table, organization=org, role="member", actor=world.admin
            )
            table_seat_add(
                table=world.table, user=person, role="member", organization=org, actor=world.admin
            )
            organization_staff_add(
                organization=world.youth_org, user=person, role="staff", actor=world.admin
            )
            contact_build(world.youth_org, actor=world.admin)
            action_build(world.table, actor=world.admin, owner_organization=world.youth_org)
            observation_record(
                measure=world.measure,
                actor=world.admin,
                value=Decimal(40 - n),
                period_end=date(2024 + round_, 1 + n, 28),
            )


@pytest.fixture
def grown(world: World) -> World:
    world.measure = measure_build(
        world.table, actor=world.admin, reporting_organization=world.youth_org
    )
    world.meeting = meeting_build(world.table, actor=world.admin, title="Next")
    return world


PAGES = [
    # The rates of attendance by organization: two queries more.
    ("coordinator", lambda w: reverse("tables:meetings", args=["halton", w.table.slug]), 16),
    (
        "coordinator",
        lambda w: reverse("tables:meeting", args=["halton", w.table.slug, w.meeting.pk]),
        19,  # attendance by person, by organization, and guests
    ),
    ("coordinator", lambda w: reverse("tables:members", args=["halton", w.table.slug]), 16),
    ("admin", lambda w: reverse("partners:organization", args=["halton", w.youth_org.slug]), 14),
    (
        "partner",
        lambda w: reverse("tables:measure", args=["halton", w.table.slug, w.measure.pk]),
        14,
    ),
    ("admin", lambda w: reverse("partners:organizations-export", args=["halton"]), 9),
    ("leader", lambda w: reverse("progress-csv", args=["halton"]), 11),
]


@pytest.mark.parametrize(
    ("role", "url", "budget"),
    PAGES,
    ids=[
        "meetings",
        "meeting",
        "table-members",
        "organization",
        "measure",
        "organizations-csv",
        "progress-csv",
    ],
)
def test_budget_holds_as_data_grows(
    grown: World, client_for, django_assert_max_num_queries, role, url, budget
) -> None:
    client = client_for(role)
    address = url(grown)
    client.get(address)  # warm the session
    for round_ in range(2):
        _grow(grown, round_)
        with django_assert_max_num_queries(budget):
            assert client.get(address).status_code == 200
