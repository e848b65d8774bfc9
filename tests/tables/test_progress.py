from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tables.models import Action, ActionStatus, ActionTable, ActionTally, TableOrganization
from tables.services.actions import action_tallies_rebuild, action_update
from tables.services.meetings import meeting_record
from tables.services.seats import table_seat_add
from tables.services.tables import table_create

from ..builders import action_build, measure_build, meeting_build
from ..conftest import World


def _actions(world: World, table, *, open_=0, overdue=0, done=0) -> None:
    today = timezone.localdate()
    for _ in range(open_):
        action_build(table, actor=world.admin, due_date=today + timedelta(days=10))
    for _ in range(overdue):
        action_build(table, actor=world.admin, due_date=today - timedelta(days=10))
    for _ in range(done):
        action_build(table, actor=world.admin, statuses=["done"])


def _held(world: World, table, days_ago: int, present: bool = True) -> None:
    meeting = meeting_build(table, actor=world.admin, hours=-24 * days_ago)
    with scope(tenant=world.halton):
        # The coordinator came both times; the rate counts the organizations at the table.
        meeting_record(
            meeting=meeting,
            actor=world.admin,
            minutes={},
            attendance={world.coordinator.pk: "present"},
            organizations={
                p.organization_id: ("present" if present else "absent", None)
                for p in TableOrganization.objects.current().filter(table=table)
            },
        )


def _rows(response) -> dict[str, dict]:
    return {row["table"].name: row for row in response.context["rows"]}


def test_figures_on_known_data(world: World, client_for) -> None:
    _actions(world, world.table, open_=2, overdue=5, done=3)
    _held(world, world.table, days_ago=10)
    _held(world, world.table, days_ago=40, present=False)
    measure_build(  # on track: 44 days a year in, on the way from 50 to 30 in four years
        world.table,
        actor=world.admin,
        direction="down",
        baseline_value=50,
        baseline_date=date(2024, 1, 1),
        target_value=30,
        target_date=date(2028, 1, 1),
        observations=[(date(2025, 1, 1), 44)],
    )
    rows = _rows(client_for("leader").get(reverse("progress", args=["halton"])))
    youth = rows["Youth mental health"]
    t = youth["table"]
    assert (t.open_count, t.overdue_count, t.done_count) == (7, 5, 3)
    assert youth["attendance"] == 50
    assert (youth["measures"], youth["on_track"]) == (1, 1)
    assert youth["flags"].many_overdue and not youth["flags"].stale
    assert rows["Food security"]["flags"].stale  # never met
    assert set(rows) == {"Food security", "Intimate partner violence", "Youth mental health"}


def test_members_see_their_own_tables_only(world: World, client_for) -> None:
    assert set(_rows(client_for("partner").get(reverse("progress", args=["halton"])))) == {
        "Intimate partner violence",
        "Youth mental health",
    }
    member = client_for("member").get(reverse("progress", args=["halton"]))
    assert member.context["rows"] == []
    assert "You do not take part in any table yet." in member.content.decode()


def test_filter_and_sort(world: World, client_for) -> None:
    _actions(world, world.food, overdue=6)
    client = client_for("admin")
    url = reverse("progress", args=["halton"])
    assert list(_rows(client.get(url, {"flag": "overdue"}))) == ["Food security"]
    assert list(_rows(client.get(url, {"zone": "risk_intervention"}))) == [
        "Intimate partner violence"
    ]
    ordered = [r["table"].name for r in client.get(url, {"sort": "overdue"}).context["rows"]]
    assert ordered[0] == "Food security"


def test_csv_export_of_the_figures(world: World, client_for) -> None:
    _actions(world, world.table, open_=1, overdue=1)
    response = client_for("admin").get(reverse("progress-csv", args=["halton"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    youth = next(r for r in rows if r["table"] == "Youth mental health")
    assert (youth["open_actions"], youth["overdue_actions"]) == ("2", "1")
    assert youth["no_meeting_in_90_days"] == "yes"


def test_the_progress_page_keeps_its_query_budget_as_the_plan_grows(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("leader")
    url = reverse("progress", args=["halton"])
    client.get(url)
    for round_ in range(2):
        with scope(tenant=world.halton):
            for n in range(5):
                table = table_create(
                    tenant=world.halton,
                    name=f"Grown {round_}-{n}",
                    zone="prevention",
                    actor=world.admin,
                )
                table_seat_add(
                    table=table, user=world.coordinator, role="coordinator", actor=world.admin
                )
                _actions(world, table, open_=2, overdue=1, done=1)
                _held(world, table, days_ago=5 + n)
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    table_url = reverse("tables:progress", args=["halton", world.table.slug])
    with django_assert_max_num_queries(17):
        assert client.get(table_url).status_code == 200


def test_leadership_counts_are_links_to_the_filtered_lists(world: World, client_for) -> None:
    _actions(world, world.table, open_=1, overdue=2)
    _actions(world, world.ipv, overdue=1)
    measure_build(world.table, actor=world.admin, observations=[(date(2025, 1, 1), 44)])
    client = client_for("leader")
    page = client.get(reverse("progress", args=["halton"])).content.decode()
    actions = reverse("tables:actions", args=["halton", world.table.slug])
    outcomes = reverse("tables:outcomes", args=["halton", world.table.slug])
    assert f'href="{actions}?status=overdue"' in page
    assert f'href="{outcomes}?standing=on_track"' in page
    # Leadership reads a members-only table's figures, not the lists behind them.
    assert reverse("tables:actions", args=["halton", world.ipv.slug]) not in page

    # The links lead to exactly what the figures count.
    overdue = client.get(f"{actions}?status=overdue").context["actions"]
    assert len(overdue) == 2 and all(a.is_overdue for a in overdue)
    on_track = client.get(f"{outcomes}?standing=on_track").context["measures"]
    assert len(on_track) == 1
    assert client.get(f"{outcomes}?standing=not_on_track").context["measures"] == []


def test_action_counts_per_table_stay_equal_to_a_recount(world: World) -> None:
    """The progress pages read each table's counts by status from its ActionTally, which the
    action services keep in the same transaction as every change."""
    with scope(tenant=world.halton):
        other = table_create(
            tenant=world.halton, name="Tally", zone="prevention", actor=world.admin
        )
    action_build(world.table, actor=world.admin)
    action_build(world.table, actor=world.admin, statuses=["in_progress", "done"])
    action_build(world.table, actor=world.admin, statuses=["blocked", "in_progress"])
    action_build(other, actor=world.admin, statuses=["cancelled", "planned", "done"])
    reopened = action_build(other, actor=world.admin, statuses=["done", "in_progress"])
    with scope(tenant=world.halton), pytest.raises(ValidationError):
        action_update(action=reopened, actor=world.admin, status="planned")  # refused

    def recount(table) -> dict[str, int]:
        with scope(tenant=world.halton):
            statuses = list(Action.objects.filter(table=table).values_list("status", flat=True))
        return {s: statuses.count(s) for s in ActionStatus.values}

    for table in (world.table, other):
        with scope(tenant=world.halton):
            tally = ActionTally.objects.get(table=table)
        assert {s: getattr(tally, s) for s in ActionStatus.values} == recount(table)
    with scope(tenant=world.halton):
        assert ActionTally.objects.get(table=other).in_progress == 1
        # The recount used by bulk loaders gives the same rows.
        before = list(ActionTally.objects.order_by("table_id").values())
        action_tallies_rebuild(tables=list(ActionTable.objects.all()))
        after = [
            row
            for row in ActionTally.objects.order_by("table_id").values()
            if row["table_id"] in {r["table_id"] for r in before}
        ]
        assert after == before
