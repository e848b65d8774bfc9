from __future__ import annotations

from django.urls import reverse
from django_scopes import scope
from guardian.shortcuts import get_perms

from partners.models import Invitation
from partners.services.invitations import invitation_accept_as_new_user
from tables.models import ActionTable, TableOrganization, TableSeat
from tables.services.tables import focus_areas_seed

from ..conftest import World

URL = "/halton/manage/tables/new/"


def _form(world: World, **overrides) -> dict[str, object]:
    return {
        "name": "Homelessness and encampments",
        "zone": "risk_intervention",
        "visibility": "tenant",
        "purpose": "Coordinated outreach to encampments.",
        "lead_organization": world.police_org.pk,
        "member_organizations": [world.youth_org.pk],
        "coordinator_email": "coordinator@halton.example",
        **overrides,
    }


def test_onboarding_with_a_coordinator_from_the_plan(world: World, client_for) -> None:
    with scope(tenant=world.halton):
        focus_areas_seed(tenant=world.halton)
        with scope(tenant=world.halton):
            area = world.halton.focus_areas.get(slug="homelessness-and-encampments")
        response = client_for("admin").post(URL, _form(world, focus_areas=[area.pk]))
        with scope(tenant=world.halton):
            table = ActionTable.objects.get(name="Homelessness and encampments")
            roles = dict(
                TableOrganization.objects.filter(table=table).values_list(
                    "organization__name", "role"
                )
            )
            seat = TableSeat.objects.get(table=table)
            assert list(table.focus_areas.all()) == [area]
        assert response["Location"] == reverse("tables:detail", args=["halton", table.slug])
        assert roles == {"Halton Police": "lead", "Halton Youth Services": "member"}
        assert (seat.user, seat.role) == (world.coordinator, "coordinator")
        assert "change_actiontable" in get_perms(world.coordinator, table)


def test_onboarding_invites_a_new_coordinator(world: World, client_for) -> None:
    with scope(tenant=world.halton):
        response = client_for("admin").post(
            URL, _form(world, coordinator_email="lead@shelter.example")
        )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            table = ActionTable.objects.get(name="Homelessness and encampments")
            invitation = Invitation.objects.get(email="lead@shelter.example")
            assert not TableSeat.objects.filter(table=table).exists()
        assert (invitation.table, invitation.seat_role) == (table, "coordinator")
        user = invitation_accept_as_new_user(
            invitation=invitation, full_name="Lee", password="a-long-enough-passphrase"
        )
        with scope(tenant=world.halton):
            seat = TableSeat.objects.get(table=table, user=user)
        assert seat.role == "coordinator" and seat.organization == world.police_org
        assert "change_actiontable" in get_perms(user, table)


def test_bad_input_creates_nothing(world: World, client_for) -> None:
    admin = client_for("admin")
    response = admin.post(URL, _form(world, name="", coordinator_email="not-an-email"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "coordinator_email"}
    duplicate = admin.post(URL, _form(world, name="Youth Mental Health"))
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()
    with scope(tenant=world.halton):
        assert ActionTable.objects.count() == 3
        assert not Invitation.objects.exists()


def test_focus_areas_are_configured_by_the_admin(world: World, client_for) -> None:
    admin = client_for("admin")
    url = reverse("manage:focus-areas", args=["halton"])
    assert admin.post(url, {"name": "Seniors' well-being"}).status_code == 302
    again = admin.post(url, {"name": "Seniors' well-being"})
    assert again.status_code == 400
    with scope(tenant=world.halton):
        assert list(world.halton.focus_areas.values_list("name", flat=True)) == [
            "Seniors' well-being"
        ]
