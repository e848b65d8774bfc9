"""Calendar feeds and CSV exports answer conditional requests: an ETag and a Last-Modified on
every answer, 304 while nothing changed, the full answer again once something did. Feeds carry
the last year and everything ahead, not the whole history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from tables.models import CalendarToken
from tables.services.meetings import meeting_update
from tables.services.outcomes import observation_record

from ..builders import action_build, measure_build, meeting_build, organization_build
from ..conftest import World


def _assert_conditional(get, change) -> None:
    """`get(**headers)` answers 200 with validators, 304 to either validator, and 200 with a
    new ETag after `change()`."""
    first = get()
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = get(HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert get(HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert get(HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    change()
    changed = get(HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert get(HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_table_feed_answers_304_until_a_meeting_changes(world: World) -> None:
    meeting = meeting_build(world.table, actor=world.admin, hours=48)
    token = CalendarToken.objects.create(user=world.coordinator)
    url = reverse("tables:feed", args=["halton", world.table.slug])

    def get(**headers):
        return Client().get(url, {"token": token.token}, **headers)

    def change():
        with scope(tenant=world.halton):
            meeting_update(meeting=meeting, actor=world.admin, title="Moved to the library")

    _assert_conditional(get, change)


def test_personal_feed_answers_304_until_a_meeting_is_added(world: World) -> None:
    meeting_build(world.table, actor=world.admin, hours=48)
    token = CalendarToken.objects.create(user=world.coordinator)
    url = reverse("calendar-feed", args=[token.token])

    def get(**headers):
        return Client().get(url, **headers)

    _assert_conditional(get, lambda: meeting_build(world.table, actor=world.admin, hours=72))


def test_feeds_carry_the_last_year_and_everything_ahead(world: World) -> None:
    old = meeting_build(world.table, actor=world.admin, title="Two years ago", hours=-24 * 730)
    recent = meeting_build(world.table, actor=world.admin, title="Last spring", hours=-24 * 300)
    ahead = meeting_build(world.table, actor=world.admin, title="Next year", hours=24 * 400)
    token = CalendarToken.objects.create(user=world.coordinator)
    for url in (
        reverse("tables:feed", args=["halton", world.table.slug]) + f"?token={token.token}",
        reverse("calendar-feed", args=[token.token]),
    ):
        response = Client().get(url)
        assert response.status_code == 200
        uids = {str(event["uid"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
        assert recent.uid in uids and ahead.uid in uids
        assert old.uid not in uids


@pytest.mark.parametrize("export", ["progress", "organizations", "measure"])
def test_csv_exports_answer_304_until_the_figures_change(
    world: World, client_for, export: str
) -> None:
    measure = measure_build(world.table, actor=world.admin, reporting_organization=world.youth_org)
    client, url, change = {
        "progress": (
            client_for("leader"),
            reverse("progress-csv", args=["halton"]),
            lambda: action_build(world.table, actor=world.admin),
        ),
        "organizations": (
            client_for("admin"),
            reverse("partners:organizations-export", args=["halton"]),
            lambda: organization_build(world.halton, actor=world.admin, name="Food Bank North"),
        ),
        "measure": (
            client_for("coordinator"),
            reverse("tables:measure-csv", args=["halton", world.table.slug, measure.pk]),
            lambda: _observe(world, measure),
        ),
    }[export]

    def get(**headers):
        return client.get(url, **headers)

    _assert_conditional(get, change)


def _observe(world: World, measure) -> None:
    with scope(tenant=world.halton):
        observation_record(
            measure=measure,
            actor=world.admin,
            value=Decimal("61.5"),
            period_end=date(timezone.localdate().year - 1, 6, 30),
        )
