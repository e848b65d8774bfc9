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


def _areas(world: World) -> list[tuple[str, bool]]:
    with scope(tenant=world.halton):
        return [(a.name, a.retired_on is None) for a in FocusArea.objects.order_by("position")]


def _seed(world: World) -> list[FocusArea]:
    from tables.services.tables import focus_areas_seed

    with scope(tenant=world.halton):
        focus_areas_seed(tenant=world.halton, names=["Housing", "Mental health", "Food"])
        return list(FocusArea.objects.order_by("position"))


def test_an_admin_renames_a_focus_area_and_tables_follow(world: World, client_for) -> None:
    housing, *_ = _seed(world)
    url = reverse("manage:focus-area-edit", args=["halton", housing.pk])
    admin = client_for("admin")
    clash = admin.post(url, {"name": "mental HEALTH", "description": ""})
    assert clash.status_code == 400
    assert "is already a focus area" in clash.content.decode()
    assert (
        admin.post(url, {"name": "Housing and homelessness", "description": ""}).status_code == 302
    )
    assert _areas(world)[0] == ("Housing and homelessness", True)
    with scope(tenant=world.halton):
        event = ActivityEvent.objects.get(verb="focus_area.changed")
        housing.refresh_from_db()
    assert event.summary == "Focus area “Housing” renamed “Housing and homelessness”"
    assert housing.slug == "housing"  # its address stays


def test_an_admin_reorders_focus_areas(world: World, client_for) -> None:
    *_, food = _seed(world)
    admin = client_for("admin")
    move = reverse("manage:focus-area-move", args=["halton", food.pk])
    assert admin.post(move, {"direction": "up"}).status_code == 302
    assert [name for name, _ in _areas(world)] == ["Housing", "Food", "Mental health"]
    first = reverse("manage:focus-area-move", args=["halton", _seed(world)[0].pk])
    refused = admin.post(first, {"direction": "up"})
    assert refused.status_code == 302
    assert "is already first" in admin.get(refused["Location"]).content.decode()
    assert admin.post(move, {"direction": "sideways"}).status_code == 400
    assert [name for name, _ in _areas(world)] == ["Housing", "Food", "Mental health"]


def test_a_retired_focus_area_is_not_offered_but_tables_keep_it(world: World, client_for) -> None:
    from tables.services.tables import table_update

    housing, *_ = _seed(world)
    with scope(tenant=world.halton):
        table_update(table=world.table, actor=world.admin, focus_areas=[housing])
    admin = client_for("admin")
    retire = reverse("manage:focus-area-retire", args=["halton", housing.pk])
    assert "It will no longer be offered for tables." in admin.get(retire).content.decode()
    assert admin.post(retire).status_code == 302
    assert _areas(world)[0] == ("Housing", False)

    onboard = admin.get(reverse("manage:table-new", args=["halton"]))
    assert f'value="{housing.pk}"' not in onboard.content.decode()
    edit = admin.get(reverse("tables:edit", args=["halton", world.table.slug])).content.decode()
    assert f'value="{housing.pk}"' in edit  # the table that has it keeps it
    other = admin.get(reverse("tables:edit", args=["halton", world.food.slug])).content.decode()
    assert f'value="{housing.pk}"' not in other

    page = admin.get(reverse("manage:focus-areas", args=["halton"])).content.decode()
    assert "Retired" in page and "Offer again" in page
    restore = reverse("manage:focus-area-restore", args=["halton", housing.pk])
    assert admin.post(restore).status_code == 302
    assert _areas(world)[0] == ("Housing", True)
