from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_scopes import scope
from guardian.shortcuts import get_perms

from cswb.models import Tenant, TenantMembership, User
from engagement.models import Survey, SurveyStatus
from engagement.selectors.surveys import survey_results
from partners.models import Invitation, Organization, Sector
from tables.management.commands.seed_demo import DEMO_PASSWORD
from tables.models import (
    Action,
    ActionStatus,
    ActionTable,
    Attendance,
    Measure,
    Meeting,
    TableOrganization,
    TableSeat,
)

EXPECTED = {
    "admin@halton.example": ("halton", "admin"),
    "leader@halton.example": ("halton", "leadership"),
    "coordinator@halton.example": ("halton", "member"),
    "partner@halton.example": ("halton", "member"),
    "member@halton.example": ("halton", "member"),
    "outsider@lakeshore.example": ("lakeshore", "admin"),
}


def _memberships() -> dict[str, tuple[str, str]]:
    found = {}
    for tenant in Tenant.objects.all():
        with scope(tenant=tenant):
            for m in TenantMembership.objects.select_related("user"):
                found[m.user.email] = (tenant.slug, m.role)
    return found


@override_settings(DEBUG=True)
def test_seed_demo_creates_the_demo_world_and_can_run_again(db: None) -> None:
    # One world for every check of the demo (seeding takes seconds): the second run, with
    # DEBUG off and --force, shows both that it runs again without doubling anything and that
    # --force lets it run without DEBUG.
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with override_settings(DEBUG=False):
        call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert dict(Tenant.objects.values_list("slug", "name")) == {
        "halton": "Halton Region (demo)",
        "lakeshore": "Lakeshore (demo)",
    }
    assert _memberships() == EXPECTED
    assert User.objects.count() == len(EXPECTED)
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
    halton = Tenant.objects.get(slug="halton")
    assert halton.mfa_policy == "none"
    with scope(tenant=halton):
        [invitation] = Invitation.objects.all()
    assert invitation.email == "newcomer@halton.example"
    assert invitation.status == "pending"

    coordinator = User.objects.get(email="coordinator@halton.example")
    partner = User.objects.get(email="partner@halton.example")
    with scope(tenant=halton):
        tables = {t.name: t for t in ActionTable.objects.all()}
        assert len(tables) == 15
        assert Organization.objects.count() >= 40
        assert set(Organization.objects.values_list("sector", flat=True)) == set(Sector.values)
        assert tables["Intimate partner violence"].visibility == "members"
        coordinated = TableSeat.objects.filter(user=coordinator, role="coordinator")
        assert {s.table.name for s in coordinated} == {
            "Youth mental health",
            "Intimate partner violence",
        }
        partner_org = Organization.objects.get(name="Oakridge Community Services")
        partner_tables = set(
            TableOrganization.objects.filter(organization=partner_org).values_list(
                "table__name", flat=True
            )
        )
    assert len(partner_tables) == 3 and "Intimate partner violence" not in partner_tables
    assert "view_actiontable" not in get_perms(partner, tables["Intimate partner violence"])
    assert "view_actiontable" in get_perms(partner, tables["Food insecurity"])
    with scope(tenant=halton):
        statuses = set(Action.objects.values_list("status", flat=True))
        per_table = Action.objects.filter(table=tables["Food insecurity"]).count()
        overdue = [a for a in Action.objects.all() if a.is_overdue]
    assert statuses == set(ActionStatus.values)
    with scope(tenant=halton):
        held = Meeting.objects.filter(table=tables["Youth mental health"], status="held").count()
        upcoming = Meeting.objects.filter(table=tables["Youth mental health"], status="scheduled")
        assert held == 3 and upcoming.count() == 1
        assert Attendance.objects.filter(meeting__table=tables["Youth mental health"]).exists()
        measures = Measure.objects.filter(table=tables["Youth mental health"])
        assert 2 <= measures.count() <= 4
        assert all(m.observations.count() >= 3 for m in measures)
    assert 5 <= per_table <= 20
    assert overdue
    lakeshore = Tenant.objects.get(slug="lakeshore")
    with scope(tenant=lakeshore):
        assert ActionTable.objects.count() == 2
    _the_demo_survey_shows_93_percent_benefit_and_hidden_cells(halton)


def _the_demo_survey_shows_93_percent_benefit_and_hidden_cells(halton: Tenant) -> None:
    with scope(tenant=halton):
        (survey,) = Survey.objects.all()
        assert survey.status == SurveyStatus.PUBLISHED and survey.is_anonymous
        assert survey.invitations.count() == 150
        results = survey_results(survey, with_texts=False)
    benefit = results.questions[0]
    assert results.n == 143 and benefit.n == 143
    assert [(r.value, r.percent) for r in benefit.rows] == [("yes", 93), ("no", 7)]
    hidden = [
        c.suppressed
        for q in results.questions
        if q.breakdown
        for r in q.breakdown.rows
        for c in r.cells
    ]
    assert any(hidden) and not all(hidden)


@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug(db: None) -> None:
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not Tenant.objects.exists()
