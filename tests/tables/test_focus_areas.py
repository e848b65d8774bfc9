"""Focus areas are added through their service: a duplicate is refused, the addition logged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from cswb.models import ActivityEvent
from tables.models import FocusArea

from ..conftest import World

pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_focus_area_once(world: World, client_for) -> None:
    url = reverse("manage:focus-areas", args=["halton"])
    admin = client_for("admin")
    assert admin.post(url, {"name": "Youth employment"}).status_code == 302
    again = admin.post(url, {"name": " Youth employment "})
    assert again.status_code == 400
    assert "“Youth employment” is already a focus area." in again.content.decode()
    with scope(tenant=world.halton):
        assert FocusArea.objects.filter(name="Youth employment").count() == 1
        event = ActivityEvent.objects.get(verb="focus_area.created")
    assert event.actor == world.admin and event.summary == "Focus area “Youth employment” added"
