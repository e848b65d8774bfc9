"""What tables' migration 0005 does to data already there: measures get the kind of number
their unit and values say, and an organization's action stops being owned by whoever typed it
in (unless they work there)."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TABLES_BEFORE = ("tables", "0004_outcomes")
TABLES_AFTER = ("tables", "0005_measure_units_retire_action_due")


def _with_lower_apps_at_their_latest(target):
    """Move tables alone: the apps below it (cswb, partners) stay at their latest migration, as
    they are in the database, so the historical models carry their newer columns."""
    graph = MigrationExecutor(connection).loader.graph
    return [target, *(n for n in graph.leaf_nodes() if n[0] in ("cswb", "partners"))]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens, the schema ends where every other test expects it: all migrations
    applied (later ones of other apps may depend on tables' 0005)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_measures_and_actions_are_brought_up_to_date(back_to_latest) -> None:
    old = _migrate(_with_lower_apps_at_their_latest(TABLES_BEFORE))
    Tenant = old.get_model("cswb", "Tenant")
    User = old.get_model("cswb", "User")
    TenantMembership = old.get_model("cswb", "TenantMembership")
    Organization = old.get_model("partners", "Organization")
    OrganizationMembership = old.get_model("partners", "OrganizationMembership")
    ActionTable = old.get_model("tables", "ActionTable")
    Measure = old.get_model("tables", "Measure")
    Observation = old.get_model("tables", "Observation")
    Action = old.get_model("tables", "Action")

    tenant = Tenant.objects.create(slug="halton", name="Halton")
    typist = User.objects.create(email="coordinator@halton.example")
    staff = User.objects.create(email="staff@kinship.example")
    for user in (typist, staff):
        TenantMembership.objects.create(tenant=tenant, user=user, role="member")
    group = old.get_model("auth", "Group").objects.create(name="halton:kinship")
    kinship = Organization.objects.create(
        tenant=tenant, name="Kinship Youth Services", slug="kinship", sector="children_youth",
        group=group,
    )  # fmt: skip
    OrganizationMembership.objects.create(
        tenant=tenant, organization=kinship, user=staff, role="staff"
    )
    table = ActionTable.objects.create(
        tenant=tenant, name="Youth mental health", slug="youth", zone="prevention"
    )

    def measure(name: str, unit: str, values: list[str]):
        m = Measure.objects.create(
            tenant=tenant, table=table, name=name, kind="how_much", unit=unit, direction="up",
            baseline_value=Decimal(values[0]), baseline_date=date(2023, 1, 1),
            target_value=Decimal(values[1]), target_date=date(2027, 1, 1),
        )  # fmt: skip
        for n, value in enumerate(values[2:]):
            Observation.objects.create(
                tenant=tenant, measure=m, value=Decimal(value), period_end=date(2024, 1 + n, 28),
                recorded_by=typist,
            )  # fmt: skip
        return m.pk

    measures = {
        "percentage": measure("Referrals on time", "%", ["55", "85", "60"]),
        "rate": measure("ED visits", "per 100,000", ["410.5", "300", "390.2"]),
        "count": measure("Partners engaged", "organizations", ["4", "12", "5", "7"]),
        "amount": measure("Average wait", "days", ["45", "25", "40.5"]),
        "negative": measure("Net change in beds", "beds", ["2", "10", "-3"]),
    }

    def action(title: str, owner, organization):
        return Action.objects.create(
            tenant=tenant, table=table, title=title, owner=owner, owner_organization=organization,
            created_by=typist,
        ).pk  # fmt: skip

    typed_for_kinship = action("Peer support pilot", typist, kinship)
    owned_by_staff = Action.objects.create(
        tenant=tenant, table=table, title="Intake map", owner=staff, owner_organization=kinship,
        created_by=typist,
    ).pk  # fmt: skip
    her_own = action("Write the terms of reference", typist, None)

    new = _migrate(_with_lower_apps_at_their_latest(TABLES_AFTER))
    Measure = new.get_model("tables", "Measure")
    Action = new.get_model("tables", "Action")
    kinds = {
        key: Measure.objects.values_list("unit_kind", "allows_negative").get(pk=pk)
        for key, pk in measures.items()
    }
    assert kinds == {
        "percentage": ("percentage", False),
        "rate": ("rate", False),
        "count": ("count", False),
        "amount": ("amount", False),
        # "beds" counts things, yet a value below zero was recorded: what it holds is an amount
        # that may be negative, so nothing already recorded becomes wrong.
        "negative": ("amount", True),
    }
    owners = dict(Action.objects.values_list("pk", "owner_id"))
    assert owners[typed_for_kinship] is None  # Kinship's, not the coordinator's
    assert owners[owned_by_staff] == staff.pk
    assert owners[her_own] == typist.pk  # no organization: it was hers


@pytest.mark.django_db(transaction=True)
def test_existing_meetings_and_measures_get_the_figures_the_progress_pages_read(
    back_to_latest,
) -> None:
    """Migrations 0009 and 0010 count what was already recorded: each meeting's organizations
    recorded and present, and whether each measure is on track by its latest value."""
    from datetime import datetime, timedelta

    old = _migrate(_with_lower_apps_at_their_latest(("tables", "0008_focus_area_retired")))
    Tenant = old.get_model("cswb", "Tenant")
    User = old.get_model("cswb", "User")
    Organization = old.get_model("partners", "Organization")
    Group = old.get_model("auth", "Group")
    ActionTable = old.get_model("tables", "ActionTable")
    Meeting = old.get_model("tables", "Meeting")
    OrganizationAttendance = old.get_model("tables", "OrganizationAttendance")
    Measure = old.get_model("tables", "Measure")
    Observation = old.get_model("tables", "Observation")

    tenant = Tenant.objects.create(slug="halton", name="Halton")
    clerk = User.objects.create(email="coordinator@halton.example")
    table = ActionTable.objects.create(
        tenant=tenant, name="Youth mental health", slug="youth", zone="prevention"
    )
    orgs = [
        Organization.objects.create(
            tenant=tenant, name=name, slug=name.lower(), sector="other",
            group=Group.objects.create(name=f"halton:{name.lower()}"),
        )
        for name in ("Kinship", "Police", "Library")
    ]  # fmt: skip
    start = datetime(2026, 3, 2, 14, tzinfo=UTC)

    def meeting(status: str, statuses: list[str]) -> int:
        m = Meeting.objects.create(
            tenant=tenant, table=table, title="Regular", starts_at=start,
            ends_at=start + timedelta(hours=1), status=status, created_by=clerk,
        )  # fmt: skip
        for org, status_ in zip(orgs, statuses, strict=False):
            OrganizationAttendance.objects.create(
                tenant=tenant, meeting=m, organization=org, status=status_
            )
        return m.pk

    held = meeting("held", ["present", "absent", "present"])
    by_person_only = meeting("held", [])
    upcoming = meeting("scheduled", [])

    def measure(values: list[tuple[date, str]]) -> int:
        m = Measure.objects.create(
            tenant=tenant, table=table, name="Days to first appointment", kind="how_well",
            unit="days", direction="down", baseline_value=Decimal(50),
            baseline_date=date(2024, 1, 1), target_value=Decimal(30), target_date=date(2028, 1, 1),
        )  # fmt: skip
        for period_end, value in values:
            Observation.objects.create(
                tenant=tenant, measure=m, value=Decimal(value), period_end=period_end,
                recorded_by=clerk,
            )  # fmt: skip
        return m.pk

    on_pace = measure([(date(2024, 6, 30), "49"), (date(2025, 1, 1), "44")])
    behind = measure([(date(2025, 1, 1), "44"), (date(2026, 1, 1), "49")])  # latest counts
    no_values = measure([])

    new = _migrate(_with_lower_apps_at_their_latest(("tables", "0010_measure_on_track")))
    Meeting = new.get_model("tables", "Meeting")
    Measure = new.get_model("tables", "Measure")
    figures = {
        pk: (recorded, present)
        for pk, recorded, present in Meeting.objects.values_list(
            "pk", "organizations_recorded", "organizations_present"
        )
    }
    assert figures == {held: (3, 2), by_person_only: (0, 0), upcoming: (0, 0)}
    on_track = dict(Measure.objects.values_list("pk", "is_on_track"))
    assert on_track == {on_pace: True, behind: False, no_values: False}
