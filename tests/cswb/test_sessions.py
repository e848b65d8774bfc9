from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from ..conftest import World
from ..factories import PASSWORD


def _sign_in(agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.post(reverse("account_login"), {"login": "partner@halton.example", "password": PASSWORD})
    return client


def test_people_see_their_sessions_and_end_another_one(world: World) -> None:
    office = _sign_in("Mozilla/5.0 (Windows NT 10.0) Office PC")
    phone = _sign_in("Mozilla/5.0 (iPhone) Phone")
    assert phone.get("/halton/").status_code == 200

    page = office.get(reverse("usersessions_list"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Office PC" in content and "Phone" in content
    assert UserSession.objects.filter(user=world.partner).count() == 2

    # "Sign out other sessions" ends the phone's session and keeps this one.
    office.post(reverse("usersessions_list"))
    assert UserSession.objects.filter(user=world.partner).count() == 1
    assert phone.get("/halton/").status_code == 302  # sent to sign in again
    assert office.get("/halton/").status_code == 200


def test_sessions_of_others_are_not_shown(world: World, client_for) -> None:
    _sign_in("Someone else's browser")
    page = client_for("member").get(reverse("usersessions_list")).content.decode()
    assert "Someone else" not in page
