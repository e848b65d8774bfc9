from __future__ import annotations

import csv
import io
from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    ActionTally,
    Measure,
    Meeting,
    OrganizationAttendance,
    TableOrganization,
)
from tables.selectors.progress import (
    ProgressRow,
    figures_drift,
    measures_on_track_now,
    progress_annotated,
    progress_rows,
    table_action_counts,
)
from tables.services.actions import (
    action_edit,
    action_overdue_roll,
    action_tallies_rebuild,
    action_update,
)
from tables.services.meetings import meeting_cancel, meeting_record
from tables.services.outcomes import (
    measure_edit,
    observation_delete,
    observation_edit,
    observation_record,
)
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
        # The recount used by bulk loaders gives the same rows (it keeps the overdue count
        # up to today, as the hourly job does).
        with scopes_disabled():
            action_overdue_roll()
        before = list(ActionTally.objects.order_by("table_id").values())
        action_tallies_rebuild(tables=list(ActionTable.objects.all()))
        after = [
            row
            for row in ActionTally.objects.order_by("table_id").values()
            if row["table_id"] in {r["table_id"] for r in before}
        ]
        assert after == before


def _figures(meeting) -> tuple[int, int]:
    with scope(tenant=meeting.tenant):
        meeting.refresh_from_db()
        rows = list(OrganizationAttendance.objects.filter(meeting=meeting))
    recount = (len(rows), sum(r.status == "present" for r in rows))
    assert (meeting.organizations_recorded, meeting.organizations_present) == recount
    return recount


def test_a_meetings_attendance_figures_stay_equal_to_a_recount(world: World) -> None:
    """The progress pages add up each held meeting's organizations recorded and present,
    which meeting_record keeps in the same transaction as the attendance rows."""
    meeting = meeting_build(world.table, actor=world.admin, hours=-3)
    assert _figures(meeting) == (0, 0)
    with scope(tenant=world.halton):
        meeting_record(
            meeting=meeting,
            actor=world.admin,
            attendance={},
            minutes={},
            organizations={
                world.youth_org.pk: ("present", None),
                world.police_org.pk: ("absent", None),
            },
        )
    assert _figures(meeting) == (2, 1)
    with scope(tenant=world.halton):  # recorded again: the police were there after all
        meeting_record(
            meeting=meeting,
            actor=world.admin,
            attendance={},
            minutes={},
            organizations={world.police_org.pk: ("present", None)},
        )
    assert _figures(meeting) == (2, 2)
    with scope(tenant=world.halton):  # the youth organization's regrets arrive late
        meeting_record(
            meeting=meeting,
            actor=world.admin,
            attendance={world.coordinator.pk: "present"},
            minutes={},
            organizations={world.youth_org.pk: ("regrets", None)},
        )
    assert _figures(meeting) == (2, 1)
    with scope(tenant=world.halton):  # a recording by person only leaves them as they were
        meeting_record(
            meeting=meeting,
            actor=world.admin,
            attendance={world.coordinator.pk: "absent"},
            minutes={},
        )
    assert _figures(meeting) == (2, 1)
    with scope(tenant=world.halton), pytest.raises(ValidationError):  # refused: nothing changes
        meeting_record(
            meeting=meeting,
            actor=world.admin,
            attendance={},
            minutes={},
            organizations={world.police_org.pk: ("absent", None), 10**9: ("present", None)},
        )
    assert _figures(meeting) == (2, 1)


def test_attendance_counts_the_last_year_of_held_meetings(world: World, client_for) -> None:
    _held(world, world.table, days_ago=10)  # both organizations present
    _held(world, world.table, days_ago=300, present=False)  # both absent
    _held(world, world.table, days_ago=400)  # more than a year ago: not counted
    cancelled = meeting_build(world.table, actor=world.admin, hours=-24 * 20)
    with scope(tenant=world.halton):
        meeting_cancel(meeting=cancelled, actor=world.admin)
    rows = _rows(client_for("leader").get(reverse("progress", args=["halton"])))
    youth = rows["Youth mental health"]
    assert (youth["table"].present_count, youth["table"].recorded_count) == (2, 4)
    assert youth["attendance"] == 50
    assert rows["Food security"]["attendance"] is None  # never recorded


def _on_track(measure) -> bool:
    """The measure's kept `is_on_track`, checked against its latest value's standing."""
    with scope(tenant=measure.tenant):
        measure.refresh_from_db()
        [(_pk, now, kept)] = [
            r for r in measures_on_track_now([measure.table]) if r[0] == measure.pk
        ]
    assert kept == now == measure.is_on_track
    return kept


def test_whether_a_measure_is_on_track_stays_equal_to_its_latest_value(
    world: World, client_for
) -> None:
    """The progress pages count the measures on track from `Measure.is_on_track`, which the
    outcome services keep in the same transaction as each value and target."""
    # From 50 down to 30 between 2024 and 2028.
    measure = measure_build(world.table, actor=world.admin)
    assert _on_track(measure) is False  # no values yet
    with scope(tenant=world.halton):
        observation_record(
            measure=measure, actor=world.admin, value=Decimal(44), period_end=date(2025, 1, 1)
        )
    assert _on_track(measure) is True  # a quarter of the way, a quarter of the time
    with scope(tenant=world.halton):
        later = observation_record(
            measure=measure, actor=world.admin, value=Decimal(49), period_end=date(2026, 1, 1)
        )
    assert _on_track(measure) is False  # half the time gone, hardly moved
    with scope(tenant=world.halton):
        observation_edit(
            observation=later, actor=world.admin, value=Decimal(38), period_end=later.period_end,
            note="Corrected",
        )  # fmt: skip
    assert _on_track(measure) is True
    with scope(tenant=world.halton):
        observation_edit(
            observation=later, actor=world.admin, value=Decimal(49), period_end=later.period_end,
            note="",
        )  # fmt: skip
    assert _on_track(measure) is False
    with scope(tenant=world.halton):
        observation_delete(observation=later, actor=world.admin)
    assert _on_track(measure) is True  # back to the 2025 value
    with scope(tenant=world.halton):
        measure_edit(measure=measure, actor=world.admin, target_value=Decimal(20))
    assert _on_track(measure) is False  # a farther target: 44 is behind its pace
    with scope(tenant=world.halton), pytest.raises(ValidationError):  # refused: nothing changes
        observation_record(
            measure=measure, actor=world.admin, value=Decimal(10), period_end=date(2030, 1, 1)
        )
    assert _on_track(measure) is False
    youth = _rows(client_for("leader").get(reverse("progress", args=["halton"])))[
        "Youth mental health"
    ]
    assert (youth["measures"], youth["on_track"]) == (1, 0)


def test_rebuild_tallies_reports_and_repairs_figures_written_around_the_services(
    world: World,
) -> None:
    action_build(world.table, actor=world.admin, statuses=["done"])
    action_build(world.table, actor=world.admin)
    _held(world, world.table, days_ago=10)
    _held(world, world.ipv, days_ago=10, present=False)
    measure = measure_build(world.table, actor=world.admin, observations=[(date(2025, 1, 1), 44)])

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("rebuild_tallies", *args, stdout=out)
        return out.getvalue()

    assert "No drift" in run()
    with scopes_disabled():
        action_overdue_roll()  # as the hourly job keeps them: the repair counts up to today
    with scope(tenant=world.halton):
        before = (
            list(Measure.objects.order_by("pk").values("pk", "is_on_track")),
            list(ActionTally.objects.order_by("table_id").values()),
            list(
                Meeting.objects.order_by("pk").values(
                    "pk", "organizations_recorded", "organizations_present"
                )
            ),
        )
        # As a bulk load or a hand-made fix would: rows written around the services.
        ActionTally.objects.filter(table=world.table).update(done=7)
        Meeting.objects.filter(table=world.ipv).update(organizations_present=3)
        Measure.objects.filter(pk=measure.pk).update(is_on_track=False)
    report = run("--tenant", "halton")
    assert (
        "action counts of 1 table(s), attendance figures of 1 meeting(s), standing of 1 "
        "measure(s) differ from a recount"
    ) in report
    assert "run with --repair" in report
    with scope(tenant=world.halton):
        assert ActionTally.objects.get(table=world.table).done == 7  # only reported
    assert "Recounted 3" in run("--repair")
    with scope(tenant=world.halton):
        after = (
            list(Measure.objects.order_by("pk").values("pk", "is_on_track")),
            list(ActionTally.objects.order_by("table_id").values()),
            list(
                Meeting.objects.order_by("pk").values(
                    "pk", "organizations_recorded", "organizations_present"
                )
            ),
        )
    assert after == before
    assert "No drift" in run()


def _figures_both_ways(tenant) -> dict[int, ProgressRow]:
    """Every table's figures as the page reads them (one PostgreSQL statement) and as the ORM
    reference computes them (what other databases run): they must agree on every figure."""
    with scope(tenant=tenant):
        fast = progress_rows(ActionTable.objects.all())
        fields = ("pk", *ProgressRow._fields[1:])
        reference = [
            ProgressRow._make(row)
            for row in progress_annotated(ActionTable.objects.all())
            .order_by("name", "pk")
            .values_list(*fields)
        ]
    assert fast == reference
    return {row.pk: row for row in fast}


def test_the_pages_statement_agrees_with_the_orm_on_every_figure(world: World) -> None:
    today = timezone.localdate()
    _actions(world, world.table, open_=2, overdue=3, done=1)
    action_build(world.ipv, actor=world.admin, statuses=["blocked"], due_date=today)
    _held(world, world.table, days_ago=10)
    _held(world, world.table, days_ago=200, present=False)
    _held(world, world.ipv, days_ago=400)  # the last meeting, but outside the year
    meeting_build(world.table, actor=world.admin, hours=24 * 3)  # next
    meeting_build(world.table, actor=world.admin, hours=24 * 30)
    meeting_build(world.ipv, actor=world.admin, hours=-48)  # scheduled, passed, never recorded
    on_track = measure_build(world.table, actor=world.admin, observations=[(date(2025, 1, 1), 44)])
    retired = measure_build(world.table, actor=world.admin, name="Retired one")
    with scope(tenant=world.halton):
        Measure.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
        table_seat_add(
            table=world.table,
            user=world.partner,
            role="lived_experience_advisor",
            actor=world.admin,
        )
        TableOrganization.objects.filter(table=world.ipv).update(left_on=today)
    rows = _figures_both_ways(world.halton)
    with scope(tenant=world.halton):  # the page's read leaves out only what it does not show
        lean = progress_rows(ActionTable.objects.all(), participation=False)
    assert lean == [
        row._replace(organization_count=None, advisor_count=None) for row in rows.values()
    ]
    youth, ipv, food = rows[world.table.pk], rows[world.ipv.pk], rows[world.food.pk]
    assert (youth.open_count, youth.overdue_count, youth.done_count) == (5, 3, 1)
    assert (youth.present_count, youth.recorded_count) == (
        youth.organization_count,
        2 * youth.organization_count,
    )
    assert youth.next_meeting is not None and youth.next_meeting > timezone.now()
    assert (youth.measure_count, youth.on_track_count, youth.advisor_count) == (1, 1, 1)
    assert on_track.pk != retired.pk
    assert (ipv.blocked_count, ipv.overdue_count, ipv.organization_count) == (1, 0, 0)
    assert ipv.last_meeting is not None and (ipv.present_count, ipv.recorded_count) == (0, 0)
    assert ipv.next_meeting is None  # the passed one was never held, and is not next
    assert (food.open_count, food.last_meeting, food.measure_count) == (0, None, 0)


def _overdue_now(table) -> int:
    with scope(tenant=table.tenant):
        return Action.objects.filter(
            table=table, status__in=ACTION_OPEN_STATUSES, due_date__lt=timezone.localdate()
        ).count()


def _move_due(action, days: int):
    with scope(tenant=action.tenant):
        return action_edit(
            action=action,
            actor=action.created_by,
            title=action.title,
            description=action.description,
            owner_organization=action.owner_organization,
            owner=action.owner,
            due_date=timezone.localdate() + timedelta(days=days),
            priority=action.priority,
            due_change_reason="Moved at the table.",
        )


@pytest.mark.parametrize("kept_to", [None, -20, -3, 0, 4])
def test_overdue_counts_are_right_whatever_day_they_were_kept_to(
    world: World, kept_to: int | None
) -> None:
    """Each table's overdue count is kept up to a date (ActionTally.overdue_before) and the
    days since are counted when read: the figure is right before the hourly job first ran
    (None), when it last ran days ago, on the day it ran, and after the clock went back."""
    today = timezone.localdate()
    late = action_build(world.table, actor=world.admin, due_date=today - timedelta(days=10))
    soon = action_build(world.table, actor=world.admin, due_date=today + timedelta(days=2))
    yesterday = action_build(world.table, actor=world.admin, due_date=today - timedelta(days=1))
    stuck = action_build(
        world.ipv, actor=world.admin, due_date=today - timedelta(days=30), statuses=["blocked"]
    )
    with scopes_disabled():
        if kept_to is None:
            ActionTally.objects.update(overdue_before=None, overdue=0)
        else:
            action_overdue_roll(today=today + timedelta(days=kept_to))

    def overdue() -> tuple[int, int]:
        rows = _figures_both_ways(world.halton)
        figures = (rows[world.table.pk].overdue_count, rows[world.ipv.pk].overdue_count)
        assert figures == (_overdue_now(world.table), _overdue_now(world.ipv))
        with scope(tenant=world.halton):  # the table page reads them from the tally too
            for table in (world.table, world.ipv):
                row = rows[table.pk]
                assert table_action_counts(table) == (row.open_count, row.overdue_count)
        return figures

    assert overdue() == (2, 1)
    with scope(tenant=world.halton):
        action_update(action=late, actor=world.admin, status="done")
        assert overdue() == (1, 1)
        action_update(action=late, actor=world.admin, status="in_progress")  # reopened
        assert overdue() == (2, 1)
        action_update(action=stuck, actor=world.admin, status="cancelled")
        assert overdue() == (2, 0)
    _move_due(soon, -5)  # a commitment recorded as already late
    assert overdue() == (3, 0)
    _move_due(yesterday, 7)  # given more time
    assert overdue() == (2, 0)
    action_build(world.table, actor=world.admin, due_date=today)  # due today: not overdue
    assert overdue() == (2, 0)
    with scope(tenant=world.halton):
        assert figures_drift(ActionTable.objects.all()) == ([], [], [])
    with scopes_disabled():  # the hourly job keeps every count up to today, and only once
        assert action_overdue_roll() == (0 if kept_to == 0 else 2)
        assert action_overdue_roll() == 0
        assert set(ActionTally.objects.values_list("overdue_before", flat=True)) == {today}
    assert overdue() == (2, 0)
    with scope(tenant=world.halton):
        assert ActionTally.objects.get(table=world.table).overdue == 2  # kept, not counted
        assert figures_drift(ActionTable.objects.all()) == ([], [], [])


def test_the_hourly_job_keeps_overdue_counts_up_to_today(world: World) -> None:
    from django.conf import settings

    from tables.tasks import roll_overdue

    assert settings.CELERY_BEAT_SCHEDULE["overdue-roll"]["task"] == roll_overdue.name
    _actions(world, world.table, open_=1, overdue=2)
    _actions(world, world.ipv, overdue=1)
    with scopes_disabled():
        ActionTally.objects.update(overdue_before=None, overdue=0)
    assert roll_overdue.apply().get() == 2  # both tables' tallies moved
    with scopes_disabled():
        kept = dict(ActionTally.objects.values_list("table_id", "overdue"))
        assert set(ActionTally.objects.values_list("overdue_before", flat=True)) == {
            timezone.localdate()
        }
    assert (kept[world.table.pk], kept[world.ipv.pk]) == (2, 1)
    assert roll_overdue.apply().get() == 0  # the next hour finds nothing to do
    with scopes_disabled():  # the command does the same for a deployment without beat
        ActionTally.objects.update(overdue_before=None)
    out = io.StringIO()
    call_command("roll_overdue", stdout=out)
    assert "Overdue counts of 2 table(s) kept up to today." in out.getvalue()


def test_the_tables_a_person_may_open_are_decided_as_the_access_filter_decides(
    world: World,
) -> None:
    """The progress page links a table's counts to its lists for those who may open them,
    deciding from the rows it read (`tables_viewable_among`); that must be exactly the
    access filter's decision (`tables_allowed`, VIEW), for every role."""
    from cswb.models import TenantMembership
    from tables.access import TableNeed, tables_allowed, tables_viewable_among

    with scope(tenant=world.halton):
        rows = list(ActionTable.objects.values_list("pk", "visibility"))
        assert {v for _, v in rows} == {"tenant", "members"}  # both kinds are tested
        for role in ("admin", "leader", "coordinator", "partner", "member"):
            user = world.user(role)
            membership = TenantMembership.objects.get(user=user)
            expected = set(
                ActionTable.objects.filter(
                    tables_allowed(user=user, membership=membership, need=TableNeed.VIEW)
                ).values_list("pk", flat=True)
            )
            assert tables_viewable_among(rows, user=user, membership=membership) == expected


def test_the_csv_gives_a_meetings_day_in_the_plans_time_zone(world: World, client_for) -> None:
    """An evening meeting in Ontario starts on the next day in UTC; the CSV gives the day the
    plan's people met on."""
    now = timezone.localtime()
    evening = (now - timedelta(days=2)).replace(hour=22, minute=30, second=0, microsecond=0)
    meeting = meeting_build(
        world.table, actor=world.admin, hours=(evening - now).total_seconds() / 3600
    )
    with scope(tenant=world.halton):
        meeting_record(
            meeting=meeting, actor=world.admin, minutes={}, attendance={}, organizations={}
        )
    assert evening.date() != meeting.starts_at.astimezone(UTC).date()
    response = client_for("admin").get(reverse("progress-csv", args=["halton"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    youth = next(r for r in rows if r["table"] == "Youth mental health")
    assert youth["last_meeting"] == evening.date().isoformat()
